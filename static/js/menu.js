// The phone's Menu is a <details> that opens and closes without script. With it, it
// also closes the way a menu does: Escape closes it and puts focus back on its toggle;
// a tap outside closes it and does nothing else, so the meeting card under the finger
// is not opened by a tap meant to dismiss the menu.
(() => {
  const openMenu = () => {
    const menu = document.querySelector("details.menu[open]");
    const toggle = menu && menu.querySelector("summary");
    // From 48rem the links sit in the bar and the toggle is hidden: nothing to close.
    return toggle && toggle.getClientRects().length ? menu : null;
  };

  document.addEventListener("keydown", (event) => {
    const menu = event.key === "Escape" && openMenu();
    if (!menu) return;
    menu.open = false;
    menu.querySelector("summary").focus();
  });

  // mousedown too: cancelling it keeps a field under the finger from taking focus.
  for (const type of ["mousedown", "click"]) {
    document.addEventListener(
      type,
      (event) => {
        const menu = openMenu();
        if (!menu || menu.contains(event.target)) return;
        event.preventDefault();
        event.stopPropagation();
        if (type === "click") menu.open = false;
      },
      true,
    );
  }
})();
