// kefu console: live countdowns for service clocks and keyboard navigation of case lists.
// Loaded with `defer`; no inline scripts (the Content-Security-Policy forbids them).
(function () {
  "use strict";

  function span(ms) {
    var s = Math.floor(Math.abs(ms) / 1000);
    var d = Math.floor(s / 86400), h = Math.floor((s % 86400) / 3600), m = Math.floor((s % 3600) / 60);
    if (d > 0) return d + "d " + h + "h";
    if (h > 0) return h + "h " + (m < 10 ? "0" : "") + m + "m";
    return m + "m " + (s % 60 < 10 ? "0" : "") + (s % 60) + "s";
  }

  // Every element with data-due (an RFC 3339 time) shows the time left, or how long overdue.
  function tick() {
    var now = Date.now();
    var lang = document.documentElement.lang || "zh-CN";
    var zh = lang.indexOf("zh") === 0;
    document.querySelectorAll("[data-due]").forEach(function (el) {
      var due = Date.parse(el.getAttribute("data-due"));
      if (isNaN(due)) return;
      var left = due - now;
      var out = el.querySelector(".left");
      if (!out) return;
      out.textContent = left >= 0 ? (zh ? "剩余 " : "") + span(left) + (zh ? "" : " left")
                                  : (zh ? "已超时 " : "overdue ") + span(left);
      el.classList.toggle("overdue", left < 0);
      el.classList.toggle("soon", left >= 0 && left < 30 * 60 * 1000);
    });
  }

  // j/k move between cases in a list, Enter opens the focused one.
  function keynav(ev) {
    if (ev.target.closest("input, textarea, select, [contenteditable]")) return;
    if (ev.altKey || ev.ctrlKey || ev.metaKey) return;
    var links = Array.prototype.slice.call(document.querySelectorAll("[data-keynav] a.case-link"));
    if (!links.length) return;
    var i = links.indexOf(document.activeElement);
    if (ev.key === "j") { links[Math.min(i + 1, links.length - 1)].focus(); ev.preventDefault(); }
    else if (ev.key === "k") { links[Math.max(i - 1, 0)].focus(); ev.preventDefault(); }
  }

  document.addEventListener("keydown", keynav);
  document.addEventListener("DOMContentLoaded", tick);
  document.addEventListener("htmx:afterSettle", tick);
  setInterval(tick, 1000);
})();

// The supervisor's daily chart, drawn with uPlot from the numbers the page carries.
(function () {
  "use strict";
  function draw() {
    var el = document.getElementById("daily-chart");
    if (!el || el.dataset.drawn || typeof uPlot === "undefined") return;
    el.dataset.drawn = "1";
    var days = el.dataset.days ? el.dataset.days.split(",") : [];
    var nums = function (s) { return s ? s.split(",").map(Number) : []; };
    var xs = days.map(function (_, i) { return i; });
    var opts = {
      width: Math.max(320, el.clientWidth || 600), height: 220,
      scales: { x: { time: false } },
      axes: [{ values: function (_, ticks) { return ticks.map(function (t) { return days[t] || ""; }); } }, {}],
      series: [{}, { label: el.dataset.labelNew, stroke: "#0b5cad", width: 2 },
                   { label: el.dataset.labelResolved, stroke: "#1a7f37", width: 2 }]
    };
    new uPlot(opts, [xs, nums(el.dataset.new), nums(el.dataset.resolved)], el);
  }
  document.addEventListener("DOMContentLoaded", draw);
  document.addEventListener("htmx:afterSettle", draw);
})();
