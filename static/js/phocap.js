// Disable a form's submit buttons once it is sent, so a double click cannot post twice.
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (form.dataset.allowResubmit !== undefined) return;
  window.setTimeout(function () {
    form.querySelectorAll("button[type=submit], input[type=submit]").forEach(function (b) { b.disabled = true; });
  }, 0);
}, true);

// Phone first: label each cell with its column header, so that below 600 px (where the
// stylesheet turns table rows into cards) every value still says what it is.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll(".table-wrap table").forEach(function (table) {
    var heads = Array.prototype.map.call(table.querySelectorAll("thead th"), function (th) {
      return th.textContent.trim();
    });
    if (!heads.length) return;
    table.querySelectorAll("tbody tr").forEach(function (tr) {
      var col = 0;
      Array.prototype.forEach.call(tr.children, function (td) {
        if (heads[col] && !td.hasAttribute("data-label") && !td.hasAttribute("colspan")) {
          td.setAttribute("data-label", heads[col]);
        }
        col += td.colSpan || 1;
      });
    });
  });
});
