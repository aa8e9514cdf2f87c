// The insight form never loses what was typed: every keystroke is kept in
// localStorage until the server confirms the save (the "Saved" banner), so a
// dropped connection, an accidental back or a closed tab costs nothing.
//
// It is sent with fetch rather than by the browser, so a phone without a connection
// never shows the browser's offline page: the draft stays, the person is told, and
// the insight goes as soon as the phone is back online. Without JavaScript the form
// posts as usual.
document.addEventListener("DOMContentLoaded", () => {
  const form = document.querySelector("form[data-draft-key]");
  if (!form) return;
  const key = form.dataset.draftKey;
  const fields = () => Array.from(form.elements).filter(
    (el) => el.name && el.name !== "csrfmiddlewaretoken" && el.type !== "submit",
  );

  if (document.querySelector(`[data-saved-draft="${key}"]`)) {
    localStorage.removeItem(key);
  } else if (!form.querySelector("[aria-invalid='true']")) {
    // (A page showing errors already holds what was sent: the server's copy wins.)
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

  const button = form.querySelector('button[type="submit"]');
  const offline = form.querySelector("[data-offline-note]");
  const RETRY_MS = 15000;
  let sending = false;
  let waiting = false;
  let retry = null;

  // Offline, or the request never reached the server: wait for the connection, and
  // try again now and then in case the phone thinks it is online but isn't.
  const wait = () => {
    waiting = true;
    offline.hidden = false;
    button.scrollIntoView({ block: "nearest" }); // the note sits just above it
    clearTimeout(retry);
    retry = setTimeout(() => { if (navigator.onLine) send(); }, RETRY_MS);
  };

  const send = async () => {
    if (sending) return; // a double tap sends one request
    sending = true;
    waiting = false;
    button.disabled = true;
    save();
    let response = null;
    try {
      response = await fetch(form.action, { method: "POST", body: new FormData(form), credentials: "same-origin" });
    } catch (e) {
      response = null;
    }
    sending = false;
    button.disabled = false;
    if (response === null) {
      wait();
    } else if (response.redirected) {
      window.location.assign(response.url); // saved: its page clears the draft
    } else {
      // Errors to fix, or a meeting that is over: the browser shows the server's page,
      // as it would without this script (nothing was saved, so sending again is safe).
      HTMLFormElement.prototype.submit.call(form);
    }
  };

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (navigator.onLine) send();
    else wait();
  });
  window.addEventListener("online", () => { if (waiting) send(); });
});
