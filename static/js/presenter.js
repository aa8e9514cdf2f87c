// Presenter view: a stage on the shared screen. Keys: ← → step, P marks presented,
// S stars, A opens the follow-up action form, F toggles full screen. htmx swaps the
// stage in place (and Back may swap the whole body), so everything here looks the
// page up when it needs it rather than holding on to elements.
(() => {
  const presenter = () => document.querySelector("[data-presenter]");
  const stage = () => document.getElementById("stage");

  // Each attendee's clock starts when their turn is first shown and keeps running
  // while they are on stage: marking presented or starring swaps the stage but not
  // the clock; stepping back to someone continues theirs.
  const clock = { seat: null, started: 0, total: 0, timeUpSaid: false };

  const remaining = () => clock.total - Math.floor((Date.now() - clock.started) / 1000);

  function say(text) {
    // Polite, and only for steps and the end of a turn: never every second.
    const status = document.getElementById("presenter-status");
    if (!status) return;
    status.querySelectorAll("[data-said]").forEach((old) => old.remove());
    const note = document.createElement("span");
    note.className = "visually-hidden";
    note.dataset.said = "";
    note.textContent = text;
    status.append(note);
  }

  function tick() {
    const timer = document.querySelector("[data-countdown]");
    if (!timer || clock.seat === null) return;
    const left = remaining();
    const abs = Math.abs(left);
    timer.textContent = `${left < 0 ? "−" : ""}${Math.floor(abs / 60)}:${String(abs % 60).padStart(2, "0")}`;
    timer.classList.toggle("is-over", left < 0);
    if (left <= 0 && !clock.timeUpSaid) {
      clock.timeUpSaid = true;
      say(`Time is up for ${stage().dataset.name}.`);
    }
  }

  function onStage() {
    const root = presenter();
    const current = stage();
    if (!root || !current || !current.dataset.seat) {
      clock.seat = null;
      return;
    }
    if (current.dataset.seat !== clock.seat) {
      clock.seat = current.dataset.seat;
      clock.total = parseInt(root.dataset.seconds, 10);
      const key = `presenter:${location.pathname}:${clock.seat}`;
      clock.started = parseInt(sessionStorage.getItem(key), 10) || Date.now();
      sessionStorage.setItem(key, String(clock.started));
      clock.timeUpSaid = remaining() <= 0; // said already, when their turn ran out
    }
    tick();
  }

  function setUp() {
    const root = presenter();
    if (!root) return;
    const full = root.querySelector("[data-fullscreen]");
    if (full && document.fullscreenEnabled) full.hidden = false;
    onStage();
    root.dataset.ready = "true"; // keys work from now on (browser tests wait for this)
  }

  function openActionForm() {
    const panel = document.getElementById("action-panel");
    if (!panel) return;
    panel.open = true;
    panel.querySelector("input:not([type=hidden]), select, textarea").focus();
  }

  document.addEventListener("keydown", (event) => {
    const root = presenter();
    if (!root || event.defaultPrevented || event.metaKey || event.ctrlKey || event.altKey) return;
    if (event.key === "Escape" && event.target.closest("#action-panel")) {
      const panel = document.getElementById("action-panel");
      panel.open = false;
      panel.querySelector("summary").focus();
      return;
    }
    if (event.target.closest("input, textarea, select, [contenteditable]")) return;
    const key = event.key.length === 1 ? event.key.toLowerCase() : event.key;
    const control = root.querySelector(`[data-key="${key}"]`);
    if (!control || control.hidden) return;
    event.preventDefault();
    if (control.matches("summary")) openActionForm();
    else control.click();
  });

  document.addEventListener("click", (event) => {
    if (!event.target.closest("[data-fullscreen]")) return;
    if (document.fullscreenElement) document.exitFullscreen();
    else document.documentElement.requestFullscreen();
  });

  document.addEventListener("fullscreenchange", () => {
    const full = document.querySelector("[data-fullscreen]");
    if (full) full.setAttribute("aria-pressed", String(Boolean(document.fullscreenElement)));
    document.documentElement.classList.toggle("is-fullscreen", Boolean(document.fullscreenElement));
  });

  // htmx puts focus back on a control of the same id; when the control is gone
  // (Next on the last attendee), focus goes to the name on stage, not the page's top.
  let focusWasOnStage = false;
  document.addEventListener("htmx:beforeSwap", () => {
    focusWasOnStage = Boolean(stage()?.contains(document.activeElement));
  });
  document.addEventListener("htmx:afterSettle", () => {
    onStage();
    const full = document.querySelector("[data-fullscreen]");
    if (full) full.setAttribute("aria-pressed", String(Boolean(document.fullscreenElement)));
    const lost = !document.activeElement || document.activeElement === document.body;
    if (focusWasOnStage && lost) document.getElementById("presenter-name")?.focus();
  });
  document.addEventListener("htmx:historyRestore", setUp);

  document.addEventListener("DOMContentLoaded", () => {
    setUp();
    setInterval(tick, 1000);
  });
})();
