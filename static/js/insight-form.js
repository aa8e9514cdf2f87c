// The insight form never loses what was typed: every keystroke is kept in
// localStorage until the server confirms the save (the "Saved" banner), so a
// dropped connection, an accidental back or a closed tab costs nothing.
document.addEventListener("DOMContentLoaded", () => {
  const form = document.querySelector("form[data-draft-key]");
  if (!form) return;
  const key = form.dataset.draftKey;
  const fields = () => Array.from(form.elements).filter(
    (el) => el.name && el.name !== "csrfmiddlewaretoken" && el.type !== "submit",
  );

  if (document.querySelector(`[data-saved-draft="${key}"]`)) {
    localStorage.removeItem(key);
  } else {
    let draft = null;
    try { draft = JSON.parse(localStorage.getItem(key) || "null"); } catch (e) { draft = null; }
    if (draft) {
      for (const el of fields()) {
        if (Object.prototype.hasOwnProperty.call(draft, el.name)) el.value = draft[el.name];
      }
      const note = document.querySelector("[data-draft-note]");
      if (note) note.hidden = false;
    }
  }

  const save = () => {
    const draft = {};
    for (const el of fields()) draft[el.name] = el.value;
    try { localStorage.setItem(key, JSON.stringify(draft)); } catch (e) { /* storage full or off */ }
  };
  form.addEventListener("input", save);
  form.addEventListener("change", save);

  // One tap adds a tag the team already uses.
  const tags = form.querySelector('[name="tags"]');
  for (const chip of form.querySelectorAll("[data-tag]")) {
    chip.addEventListener("click", () => {
      const current = tags.value.split(",").map((t) => t.trim()).filter(Boolean);
      if (!current.includes(chip.dataset.tag)) current.push(chip.dataset.tag);
      tags.value = current.join(", ");
      save();
    });
  }

  // A double tap sends one request; the server would answer "saved" anyway.
  form.addEventListener("submit", () => {
    const button = form.querySelector('button[type="submit"]');
    setTimeout(() => { button.disabled = true; }, 0);
    setTimeout(() => { button.disabled = false; }, 8000);
  });
});
