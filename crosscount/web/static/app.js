// crosscount web: the chart, scrolling to the highlighted figure, and upload progress.
(function () {
  "use strict";

  function drawChart() {
    var el = document.getElementById("chart");
    if (!el || !window.Plotly) { return; }
    var fig;
    try { fig = JSON.parse(el.getAttribute("data-figure") || "{}"); } catch (e) { return; }
    var layout = fitNarrow(el, fig.layout || {}, fig.data || []);
    layout.autosize = true;
    window.Plotly.newPlot(el, fig.data || [], layout, { responsive: true, displaylogo: false });
  }

  // On a narrow screen the legend goes under the plot in one column: make room for it there,
  // so the plot area keeps its height, and use fewer date ticks. (The report does the same.)
  function fitNarrow(el, layout, data) {
    if (el.clientWidth >= 600 || !layout.xaxis || layout.xaxis.visible === false) { return layout; }
    var items = data.filter(function (t) { return t.showlegend !== false; }).length;
    layout.height = 330 + 22 * items;
    el.style.height = layout.height + "px";
    layout.margin = Object.assign({}, layout.margin || {}, { l: 48, r: 8 });
    layout.xaxis = Object.assign({}, layout.xaxis, { nticks: 4 });
    return layout;
  }

  function showFigure() {
    var mark = document.getElementById("figure");
    var box = document.getElementById("article");
    if (!mark || !box) { return; }
    box.scrollTop = Math.max(0, mark.offsetTop - box.offsetTop - box.clientHeight / 3);
  }

  function pollJob() {
    var el = document.getElementById("job");
    if (!el) { return; }
    var id = el.getAttribute("data-job");
    var status = document.getElementById("job-status");
    var progress = document.getElementById("job-progress");
    var bar = document.getElementById("job-bar");
    var error = document.getElementById("job-error");
    var list = document.getElementById("job-docs");

    function render(job) {
      el.setAttribute("data-status", job.status);
      status.textContent = job.status;
      progress.textContent = job.done + " of " + job.total;
      bar.max = job.total || 1;
      bar.value = job.done;
      if (job.error) { error.hidden = false; error.textContent = job.error; }
      if (job.finished) {
        list.textContent = "";
        job.documents.forEach(function (d) {
          var li = document.createElement("li");
          var a = document.createElement("a");
          a.className = "job-doc";
          a.href = "/documents/" + encodeURIComponent(d.id);
          a.textContent = d.title;
          var n = document.createElement("span");
          n.className = "muted";
          n.textContent = " " + d.claims + " claims";
          li.appendChild(a); li.appendChild(n); list.appendChild(li);
        });
        job.skipped.forEach(function (d) {
          var li = document.createElement("li");
          li.className = "muted";
          li.textContent = d + ": already in the ledger";
          list.appendChild(li);
        });
      }
    }

    function tick() {
      fetch("/api/jobs/" + encodeURIComponent(id), { headers: { "Accept": "application/json" } })
        .then(function (r) { return r.json(); })
        .then(function (job) {
          if (job.ok === false) { error.hidden = false; error.textContent = job.error; return; }
          render(job);
          if (!job.finished) { setTimeout(tick, 400); }
        })
        .catch(function () { setTimeout(tick, 1500); });
    }
    if (el.getAttribute("data-status") !== "done" && el.getAttribute("data-status") !== "failed") { tick(); }
  }

  // Click a column header of a table.sortable to sort its rows (again to reverse). A cell's
  // data-value, when present, is what is compared; numbers compare as numbers ("1,200", "≥ 790").
  function sortable() {
    document.querySelectorAll("table.sortable").forEach(function (table) {
      var heads = table.querySelectorAll("thead th");
      heads.forEach(function (th, col) {
        th.classList.add("sortable");
        th.setAttribute("tabindex", "0");
        th.setAttribute("role", "button");
        function go() {
          var dir = th.getAttribute("aria-sort") === "ascending" ? -1 : 1;
          heads.forEach(function (h) { h.removeAttribute("aria-sort"); });
          th.setAttribute("aria-sort", dir === 1 ? "ascending" : "descending");
          var body = table.tBodies[0];
          var rows = Array.prototype.slice.call(body.rows);
          function key(row) {
            var cell = row.cells[col];
            if (!cell) { return ""; }
            var raw = String(cell.hasAttribute("data-value") ? cell.getAttribute("data-value") : cell.textContent).trim();
            var bare = raw.replace(/[,\s≥≤%]|a day/g, "");
            return /^-?\d+(\.\d+)?$/.test(bare) ? parseFloat(bare) : raw.toLowerCase();
          }
          rows.sort(function (a, b) {
            var x = key(a), y = key(b);
            if (x === y) { return 0; }
            if (x === "" || x === "–" || x === "—") { return 1; }
            if (y === "" || y === "–" || y === "—") { return -1; }
            if (typeof x === typeof y) { return (x < y ? -1 : 1) * dir; }
            return (typeof x === "number" ? -1 : 1) * dir;
          });
          rows.forEach(function (r) { body.appendChild(r); });
        }
        th.addEventListener("click", go);
        th.addEventListener("keydown", function (e) { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); go(); } });
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    sortable();
    drawChart();
    showFigure();
    pollJob();
  });
})();
