// Disable a form's submit buttons once it is sent, so a double click cannot post twice.
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (form.dataset.allowResubmit !== undefined) return;
  window.setTimeout(function () {
    form.querySelectorAll("button[type=submit], input[type=submit]").forEach(function (b) { b.disabled = true; });
  }, 0);
}, true);
