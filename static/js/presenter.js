// Presenter view: arrow keys step through attendees, P marks presented, S stars,
// and a countdown from the team's minutes per person runs for each attendee.
document.addEventListener("DOMContentLoaded", () => {
  const root = document.querySelector("[data-presenter]");
  if (!root) return;

  document.addEventListener("keydown", (event) => {
    if (event.target.closest("input, textarea, select") || event.metaKey || event.ctrlKey || event.altKey) return;
    const key = event.key.length === 1 ? event.key.toLowerCase() : event.key;
    const control = root.querySelector(`[data-key="${key}"]`);
    if (control) {
      event.preventDefault();
      control.click();
    }
  });

  root.dataset.ready = "true"; // keys work from now on (browser tests wait for this)

  const timer = root.querySelector("[data-countdown]");
  if (!timer) return;
  // Each attendee's clock starts when their turn is first shown and survives the
  // reloads that marking "presented" or starring causes.
  const key = `presenter:${location.pathname}${location.search}`;
  const total = parseInt(timer.dataset.countdown, 10);
  const started = parseInt(sessionStorage.getItem(key), 10) || Date.now();
  sessionStorage.setItem(key, String(started));
  let remaining = total - Math.floor((Date.now() - started) / 1000);
  const show = () => {
    const sign = remaining < 0 ? "−" : "";
    const abs = Math.abs(remaining);
    timer.textContent = `${sign}${Math.floor(abs / 60)}:${String(abs % 60).padStart(2, "0")}`;
    timer.classList.toggle("is-over", remaining < 0);
  };
  show();
  setInterval(() => { remaining -= 1; show(); }, 1000);
});
