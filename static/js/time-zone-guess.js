// Preselect the browser's time zone in a <select data-guess-time-zone> the
// person hasn't touched; they confirm it (or change it) before submitting.
document.addEventListener("DOMContentLoaded", () => {
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  for (const select of document.querySelectorAll("select[data-guess-time-zone]")) {
    if (select.dataset.guessed || !zone) continue;
    const option = Array.from(select.options).find((o) => o.value === zone);
    if (option && !select.closest("form").querySelector(".field-invalid")) {
      select.value = zone;
      select.dataset.guessed = "true";
    }
  }
});
