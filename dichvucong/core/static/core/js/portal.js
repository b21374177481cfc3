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

// Captcha: "Đổi mã khác" fetches a new picture and key (django-simple-captcha's refresh view).
(function () {
  "use strict";
  function enhanceCaptchas() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-captcha]"), function (box) {
      var button = box.querySelector("[data-captcha-refresh]");
      var image = box.querySelector("[data-captcha-image]");
      var key = box.querySelector("input[type=hidden]");
      var answer = box.querySelector("input[type=text]");
      if (!button || !image || !key || !window.fetch) return;
      button.hidden = false;
      button.addEventListener("click", function () {
        button.disabled = true;
        fetch(button.getAttribute("data-captcha-refresh"), {
          credentials: "same-origin",
          headers: { "X-Requested-With": "XMLHttpRequest" }
        })
          .then(function (response) { return response.ok ? response.json() : Promise.reject(response); })
          .then(function (data) {
            key.value = data.key;
            image.src = data.image_url;
            if (answer) { answer.value = ""; answer.focus(); }
          })
          .catch(function () { window.location.reload(); })
          .finally(function () { button.disabled = false; });
      });
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", enhanceCaptchas);
  } else {
    enhanceCaptchas();
  }
})();
