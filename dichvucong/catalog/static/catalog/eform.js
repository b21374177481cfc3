// Progressive enhancement of the e-form (catalog/eform/form.html); every form works without it.
// 1. Conditional fields ("show_when") are hidden while they do not apply. The server decides again
//    on submission, so hiding here is a convenience, never a rule.
// 2. The ward list follows the chosen province (the "Cập nhật danh sách xã/phường" button, which
//    does the same through the server, is hidden).
(function () {
  "use strict";

  function currentValues(form, name) {
    var control = form.elements.namedItem(name);
    if (!control) return [];
    if (control instanceof Element) {
      if (control.type === "checkbox") {
        // A pledge (no value attribute: "on") reads as yes/no; a lone multi-select box as its value.
        if (!control.hasAttribute("value")) return [control.checked ? "co" : "khong"];
        return control.checked ? [control.value] : [];
      }
      if (control.type === "radio") return control.checked ? [control.value] : [];
      if (control.multiple) {
        return Array.prototype.filter.call(control.options, function (o) { return o.selected; })
          .map(function (o) { return o.value; });
      }
      return control.value.trim() ? [control.value.trim()] : [];
    }
    // A RadioNodeList: radio buttons, or check boxes of a multi-select.
    var values = [];
    Array.prototype.forEach.call(control, function (input) {
      if (input.checked) values.push(input.value);
    });
    return values;
  }

  function isShown(element) {
    for (var node = element; node; node = node.parentElement) {
      if (node.hidden) return false;
    }
    return true;
  }

  function refresh(form) {
    var items = form.querySelectorAll("[data-show-when]");
    // A field whose controller is itself hidden is hidden too: repeat until nothing changes
    // (chains are short; the definition forbids cycles).
    for (var pass = 0; pass < 5; pass++) {
      var changed = false;
      Array.prototype.forEach.call(items, function (item) {
        var name = item.getAttribute("data-show-when");
        var expected = JSON.parse(item.getAttribute("data-show-values") || "[]");
        var control = form.elements.namedItem(name);
        var controlElement = control instanceof Element ? control : control && control[0];
        var applies = !!controlElement && isShown(controlElement) &&
          currentValues(form, name).some(function (v) { return expected.indexOf(v) !== -1; });
        if (item.hidden === applies) {
          item.hidden = !applies;
          changed = true;
        }
      });
      if (!changed) break;
    }
  }

  function enhanceWards(form) {
    Array.prototype.forEach.call(form.querySelectorAll("[data-eform-wards-refresh]"), function (p) {
      p.hidden = true;
    });
    Array.prototype.forEach.call(form.querySelectorAll("select[data-eform-wards]"), function (select) {
      // The list on the page already belongs to the province shown: choosing that province again
      // must not refetch it, or the answer, arriving after the citizen picked a ward, would wipe the
      // ward out (the send button then stays disabled). Only the answer to the latest choice counts.
      var listed = select.value;
      var latest = 0;
      select.addEventListener("change", function () {
        var target = document.getElementById(select.getAttribute("data-eform-ward-target"));
        if (!target) return;
        var province = select.value;
        var request = ++latest;
        if (province === listed) return;
        var url = select.getAttribute("data-eform-wards") + "?province_code=" + encodeURIComponent(province);
        fetch(url, { credentials: "same-origin" })
          .then(function (response) { return response.ok ? response.text() : Promise.reject(response); })
          .then(function (html) {
            if (request !== latest) return;
            var chosen = target.value;
            target.innerHTML = html;
            listed = province;
            // Ward codes are national: a ward already chosen stays chosen if the new list has it.
            if (chosen && Array.prototype.some.call(target.options, function (o) { return o.value === chosen; })) {
              target.value = chosen;
            }
          })
          .catch(function () { /* keep the current list; the server checks the ward anyway */ });
      });
    });
  }

  function enhance() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-eform]"), function (container) {
      var form = container.closest("form");
      if (!form || form.hasAttribute("data-eform-enhanced")) return;
      form.setAttribute("data-eform-enhanced", "");
      refresh(form);
      form.addEventListener("change", function () { refresh(form); });
      form.addEventListener("input", function () { refresh(form); });
      enhanceWards(form);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", enhance);
  } else {
    enhance();
  }
})();
