// Coverage dashboard charts (Chart.js, vendored). Data comes from json_script blocks.
(function () {
  function data(id) { var el = document.getElementById(id); return el ? JSON.parse(el.textContent) : null; }
  function draw() {
    if (typeof Chart === "undefined") { return; }
    var labels = data("data-labels") || {};
    var communes = data("data-communes") || [];
    var el = document.getElementById("chart-communes");
    if (el && communes.length) {
      new Chart(el, {
        type: "bar",
        data: { labels: communes.map(function (c) { return c.name; }),
                datasets: [{ label: labels.coverage || "%", data: communes.map(function (c) { return c.coverage; }),
                             backgroundColor: "#2f6fb3", maxBarThickness: 28 }] },
        options: { indexAxis: "y", maintainAspectRatio: false, animation: false,
                   scales: { x: { beginAtZero: true, suggestedMax: 100 } } }
      });
    }
    var months = data("data-months") || [];
    var el2 = document.getElementById("chart-months");
    if (el2 && months.length) {
      new Chart(el2, {
        data: { labels: months.map(function (m) { return m.month; }),
                datasets: [
                  { type: "bar", label: labels.handouts || "", data: months.map(function (m) { return m.handouts; }), backgroundColor: "#2f6fb3", maxBarThickness: 48 },
                  { type: "line", label: labels.cumulative || "", data: months.map(function (m) { return m.cumulative; }), borderColor: "#c0392b" }
                ] },
        options: { maintainAspectRatio: false, animation: false, scales: { y: { beginAtZero: true } } }
      });
    }
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", draw); } else { draw(); }
})();
