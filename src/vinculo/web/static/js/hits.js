// Hits inbox: "select all on this page" for the bulk actions. The list is replaced by htmx after
// a bulk action, so the handler is delegated from the document.
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var box = event.target;
    if (!(box instanceof HTMLInputElement)) return;
    var form = box.form;
    if (!form) return;
    if (box.dataset.selectAll) {
      form.querySelectorAll('input[type="checkbox"][name="' + box.dataset.selectAll + '"]').forEach(function (item) {
        item.checked = box.checked;
      });
    } else if (box.name === "hit") {
      var all = form.querySelector("[data-select-all]");
      if (all) {
        var items = form.querySelectorAll('input[type="checkbox"][name="hit"]');
        var checked = form.querySelectorAll('input[type="checkbox"][name="hit"]:checked');
        all.checked = items.length > 0 && checked.length === items.length;
        all.indeterminate = checked.length > 0 && checked.length < items.length;
      }
    }
  });
})();
