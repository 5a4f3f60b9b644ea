/* Partner-country tracking: bar charts drawn from json_script data, and the
 * ZIP export's progress bar kept up to date from its status endpoint.
 * No inline script anywhere (a Content-Security-Policy can forbid them);
 * every chart has a table with the same figures next to it, so nothing here
 * is the only way to read the data. */
(function () {
  "use strict";

  // Distinguishable for common colour-vision deficiencies (Okabe–Ito); the
  // legend and the table name every series, so colour is never the only cue.
  var COLOURS = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"];

  function drawCharts() {
    if (typeof window.Chart === "undefined") { return; }
    var reduceMotion = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
      var source = document.getElementById(canvas.getAttribute("data-chart"));
      if (!source) { return; }
      var data = JSON.parse(source.textContent);
      data.datasets.forEach(function (dataset, index) {
        dataset.backgroundColor = COLOURS[index % COLOURS.length];
        dataset.borderColor = "#1f2937";
        dataset.borderWidth = 1;
      });
      new window.Chart(canvas, {
        type: "bar",
        data: data,
        options: {
          animation: reduceMotion ? false : undefined,
          responsive: true,
          maintainAspectRatio: false,
          scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } },
          plugins: { legend: { position: "bottom" } }
        }
      });
    });
  }

  function followExport(box) {
    var url = box.getAttribute("data-export-status");
    var bar = box.querySelector("progress");
    var link = box.querySelector(".export-download");
    var delay = 1000;

    function show(state) {
      bar.value = state.percent;
      bar.textContent = state.percent + " %";
      ["status_label", "done", "total", "skipped"].forEach(function (name) {
        var field = box.querySelector('[data-export-field="' + name + '"]');
        if (field) { field.textContent = state[name]; }
      });
      if (state.download_url) {
        link.querySelector("a").href = state.download_url;
        link.hidden = false;
      }
    }

    function poll() {
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) {
          if (!response.ok) { throw new Error("status " + response.status); }
          return response.json();
        })
        .then(function (state) {
          show(state);
          if (state.status === "pending" || state.status === "running") {
            window.setTimeout(poll, delay);
          } else if (state.status === "failed" || state.status === "expired") {
            window.location.reload();  // the page explains the failure or the expiry
          }
        })
        .catch(function () {
          delay = Math.min(delay * 2, 15000);  // back off, keep trying
          window.setTimeout(poll, delay);
        });
    }

    poll();
  }

  function start() {
    drawCharts();
    document.querySelectorAll("[data-export-status]").forEach(followExport);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
