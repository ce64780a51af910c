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


// A page showing a background job (a household import, an IMEI sheet) follows it: the
// element marked data-poll-url gets the job's status, the progress bar and count when the
// page has them, and the page reloads once the job stops running.
document.addEventListener("DOMContentLoaded", function () {
  var status = document.querySelector("[data-poll-url]");
  if (!status) return;
  var url = status.dataset.pollUrl;
  function poll() {
    fetch(url, { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (d) {
      var bar = document.getElementById("job-progress"), count = document.getElementById("job-count");
      if (bar && d.percent !== undefined) bar.value = d.percent;
      if (count && d.total !== undefined) count.textContent = d.done + "/" + d.total;
      status.textContent = d.status_label;
      if (d.running) { setTimeout(poll, 1500); } else { window.location.reload(); }
    }).catch(function () { setTimeout(poll, 5000); });
  }
  setTimeout(poll, 1000);
});
