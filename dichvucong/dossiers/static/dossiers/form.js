// The dossier form, enhanced; everything works without this file (files then go with "Lưu lại").
// - a file chosen for a component is uploaded at once with a progress bar, and the component's
//   block is redrawn by the server (same template as the page);
// - the post address shows only when "Nhận qua bưu điện" is chosen;
// - "Gửi hồ sơ" cannot be clicked twice (the server also refuses a second sending).
(function () {
  "use strict";

  function csrfToken(form) {
    var input = form.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function uploadOne(input, file, done) {
    var block = input.closest("[data-component]");
    var progress = block.querySelector(".upload__progress");
    var status = block.querySelector(".upload__status");
    var data = new FormData();
    data.append("csrfmiddlewaretoken", csrfToken(input.form));
    data.append("component", block.getAttribute("data-component"));
    data.append("file", file);
    var request = new XMLHttpRequest();
    request.open("POST", input.getAttribute("data-upload-url"));
    request.setRequestHeader("X-Requested-With", "XMLHttpRequest");
    progress.hidden = false;
    progress.value = 0;
    status.textContent = input.getAttribute("data-uploading") || "";
    request.upload.addEventListener("progress", function (event) {
      if (event.lengthComputable) {
        progress.value = Math.round((event.loaded / event.total) * 100);
        status.textContent = file.name + ": " + progress.value + "%";
      }
    });
    request.addEventListener("load", function () {
      if (request.status === 200 || request.status === 400) {
        var holder = document.createElement("div");
        holder.innerHTML = request.responseText;
        var fresh = holder.querySelector("[data-component]");
        if (fresh) {
          block.replaceWith(fresh);
          bindUploads(fresh);
        }
        done(request.status === 200);
      } else {
        progress.hidden = true;
        status.textContent = file.name + ": " + request.status;
        done(false);
      }
    });
    request.addEventListener("error", function () {
      progress.hidden = true;
      status.textContent = file.name + ": " + (input.getAttribute("data-failed") || "!");
      done(false);
    });
    request.send(data);
  }

  function bindUploads(root) {
    root.querySelectorAll("input[type=file][data-upload-url]").forEach(function (input) {
      input.addEventListener("change", function () {
        var files = Array.prototype.slice.call(input.files);
        input.value = "";  // uploaded here, so not sent again with the form
        (function next() {
          var file = files.shift();
          if (!file) return;
          var current = document.querySelector("#tep-" + input.closest("[data-component]").getAttribute("data-component")) || input;
          uploadOne(current, file, function () { next(); });
        })();
      });
    });
  }

  function bindDelivery(form) {
    var block = form.querySelector("[data-show-for]");
    if (!block) return;
    var wanted = block.getAttribute("data-show-for");
    var radios = form.querySelectorAll("input[type=radio][name$=result_delivery]");
    function update() {
      var chosen = form.querySelector("input[type=radio][name$=result_delivery]:checked");
      block.hidden = !chosen || chosen.value !== wanted;
    }
    radios.forEach(function (radio) { radio.addEventListener("change", update); });
    update();
  }

  function bindSendOnce(form) {
    form.addEventListener("submit", function () {
      var button = form.querySelector("button[type=submit]:not([name])");
      window.setTimeout(function () {
        if (button) {
          button.disabled = true;
          button.setAttribute("aria-busy", "true");
        }
      }, 0);
    });
  }

  function start() {
    document.querySelectorAll("[data-dossier-form]").forEach(function (form) {
      bindUploads(form);
      bindDelivery(form);
    });
    document.querySelectorAll("[data-send-once]").forEach(bindSendOnce);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
