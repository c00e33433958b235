// Messages: show the H3 restriction field only with H3, and warn before sending too many or too
// large files (the server refuses them anyway; this saves a long upload).
(function () {
  "use strict";
  function bindHandling(select) {
    var row = document.getElementById(select.getAttribute("data-h3-text"));
    if (!row) { return; }
    var update = function () { row.hidden = select.value !== "H3"; };
    select.addEventListener("change", update);
    update();
  }
  function bindFiles(input) {
    var maxFiles = parseInt(input.getAttribute("data-max-files"), 10);
    var maxBytes = parseInt(input.getAttribute("data-max-bytes"), 10);
    var form = input.form;
    var error = form ? form.querySelector("#files-error") : null;
    var check = function () {
      var files = Array.prototype.slice.call(input.files || []);
      var bad = files.length > maxFiles || files.some(function (f) { return f.size > maxBytes; });
      if (error) { error.hidden = !bad; }
      input.setAttribute("aria-invalid", bad ? "true" : "false");
      return !bad;
    };
    input.addEventListener("change", check);
    if (form) {
      form.addEventListener("submit", function (event) {
        if (!check()) { event.preventDefault(); input.focus(); }
      });
    }
  }
  document.querySelectorAll("select[data-h3-text]").forEach(bindHandling);
  document.querySelectorAll("input[type=file][data-max-files]").forEach(bindFiles);
})();
