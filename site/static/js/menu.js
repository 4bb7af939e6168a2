/*
 * The header's disclosure menu (includes/header.html), enhanced. Without this
 * script the native <details> still opens and closes the menu.
 *
 * With it:
 *  - the summary carries aria-expanded, kept in step with the menu;
 *  - Escape closes the open menu and puts focus back on its button;
 *  - on wide screens (64em and up) the menu stays open as a plain navigation
 *    bar and its button is hidden.
 */
(function () {
  "use strict";

  var menu = document.querySelector("[data-menu]");
  if (!menu || !window.matchMedia) {
    return;
  }
  var button = menu.querySelector("summary");
  var wide = window.matchMedia("(min-width: 64em)");

  function sync() {
    button.setAttribute("aria-expanded", menu.open ? "true" : "false");
  }

  function layout() {
    if (wide.matches) {
      menu.classList.add("p-menu--bar");
      menu.open = true;
    } else {
      if (menu.classList.contains("p-menu--bar")) {
        menu.open = false;
      }
      menu.classList.remove("p-menu--bar");
    }
    sync();
  }

  menu.addEventListener("toggle", sync);
  menu.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && menu.open && !wide.matches) {
      menu.open = false;
      sync();
      button.focus();
    }
  });
  if (wide.addEventListener) {
    wide.addEventListener("change", layout);
  }
  layout();
}());
