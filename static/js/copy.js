// "Copy" for a read-only address: <button data-copy="field-id"> copies that input's
// value. Without JavaScript the button stays hidden and the address is plain,
// selectable text; where the clipboard API is refused (a plain-http address), the
// address is selected and the browser's copy command tried instead.
document.addEventListener("DOMContentLoaded", () => {
  for (const field of document.querySelectorAll("input[data-select-on-focus]")) {
    // A tap focuses the field and then places the caret: select on both.
    field.addEventListener("focus", () => field.select());
    field.addEventListener("click", () => field.select());
  }
  for (const button of document.querySelectorAll("button[data-copy]")) {
    const field = document.getElementById(button.dataset.copy);
    const status = document.getElementById(button.dataset.copyStatus);
    if (!field) continue;
    button.hidden = false;
    button.addEventListener("click", async () => {
      let copied;
      try {
        await navigator.clipboard.writeText(field.value);
        copied = true;
      } catch {
        field.focus();
        field.select();
        copied = document.execCommand("copy");
      }
      if (status) {
        status.textContent = copied
          ? "Copied. Paste it where your calendar asks for a subscription address."
          : "Selected: copy it with your keyboard or the menu.";
      }
    });
  }
});
