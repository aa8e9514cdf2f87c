// After a failed submit the server puts `autofocus` on the first field to fix. Where a
// browser ignores it (iOS Safari does on load), focus goes there all the same; and an
// error summary's links focus the field they name, with its label in view.
document.addEventListener("DOMContentLoaded", () => {
  const first = document.querySelector("form [autofocus]");
  if (first && document.activeElement === document.body) first.focus();
});

document.addEventListener("click", (event) => {
  const link = event.target.closest(".error-summary a[href^='#']");
  const field = link && document.getElementById(decodeURIComponent(link.hash.slice(1)));
  if (!field) return;
  event.preventDefault();
  const label = document.querySelector(`label[for="${field.id}"]`);
  (label || field).scrollIntoView({ block: "center" });
  field.focus({ preventScroll: true });
});
