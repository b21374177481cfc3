// Progressive enhancement only: every page works without this file.
// On narrow screens the main menu collapses behind a "Menu" button.
(function () {
  "use strict";
  function enhanceMenu() {
    var nav = document.querySelector("[data-main-nav]");
    if (!nav) return;
    var toggle = nav.querySelector(".main-nav__toggle");
    if (!toggle) return;
    toggle.hidden = false;
    nav.classList.add("is-enhanced");
    toggle.addEventListener("click", function () {
      var open = nav.classList.toggle("is-open");
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && nav.classList.contains("is-open")) {
        nav.classList.remove("is-open");
        toggle.setAttribute("aria-expanded", "false");
        toggle.focus();
      }
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", enhanceMenu);
  } else {
    enhanceMenu();
  }
})();
