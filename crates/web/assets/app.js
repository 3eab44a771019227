// ManagerOS pages work without this file; with it, times show in the reader's time zone.
// Loaded as an external script (the Content-Security-Policy allows no inline script).
(function () {
  "use strict";
  function pad(n) { return String(n).padStart(2, "0"); }
  function localInputValue(d) {
    return d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate()) +
      "T" + pad(d.getHours()) + ":" + pad(d.getMinutes());
  }
  function enhance(root) {
    // <time datetime="…Z">: shown in local time.
    root.querySelectorAll("time[datetime]").forEach(function (el) {
      var d = new Date(el.getAttribute("datetime"));
      if (isNaN(d)) return;
      var opts = el.hasAttribute("data-date-only")
        ? { dateStyle: "medium" }
        : { dateStyle: "medium", timeStyle: "short" };
      el.textContent = d.toLocaleString(undefined, opts);
      el.title = d.toISOString();
    });
    // Forms that send a local time also send the offset it was typed in.
    root.querySelectorAll("input[name=tzOffset]").forEach(function (el) {
      el.value = String(new Date().getTimezoneOffset());
    });
    root.querySelectorAll(".tz-note").forEach(function (el) { el.hidden = true; });
    // A datetime-local input prefilled in UTC: shown in local time.
    root.querySelectorAll("input[type=datetime-local][data-utc]").forEach(function (el) {
      var d = new Date(el.getAttribute("data-utc"));
      if (!isNaN(d)) el.value = localInputValue(d);
    });
    // A filter box above a long picker: typing narrows its options (the chosen one and the
    // empty choice stay).
    root.querySelectorAll("input[data-filter-for]").forEach(function (box) {
      var select = document.getElementById(box.getAttribute("data-filter-for"));
      if (!select || box.dataset.bound) return;
      box.dataset.bound = "1";
      if (select.options.length > 10) box.hidden = false;
      // Enter in the filter box filters; it does not send the form.
      box.addEventListener("keydown", function (e) {
        if (e.key === "Enter") e.preventDefault();
      });
      box.addEventListener("input", function () {
        var q = box.value.trim().toLowerCase();
        Array.prototype.forEach.call(select.options, function (o) {
          o.hidden = q !== "" && o.value !== "" && !o.selected &&
            o.textContent.toLowerCase().indexOf(q) === -1;
        });
      });
    });
    // The org chart's tools need this script: shown only with it.
    root.querySelectorAll(".chart-tools[hidden]").forEach(function (el) { el.hidden = false; });
    // The org chart: the first person a search found is scrolled into view.
    var hit = root.querySelector && root.querySelector("#chart li.hit");
    if (hit && !location.hash) hit.scrollIntoView({ block: "center" });
    // Confirm before destructive actions.
    root.querySelectorAll("form[data-confirm]").forEach(function (form) {
      if (form.dataset.confirmBound) return;
      form.dataset.confirmBound = "1";
      form.addEventListener("submit", function (e) {
        if (!window.confirm(form.getAttribute("data-confirm"))) e.preventDefault();
      });
    });
  }
  // The org chart's "Expand all" and "Collapse all".
  document.addEventListener("click", function (e) {
    var b = e.target.closest && e.target.closest("button[data-chart]");
    if (!b) return;
    var open = b.getAttribute("data-chart") === "open";
    document.querySelectorAll("#chart details").forEach(function (d) { d.open = open; });
  });
  document.addEventListener("DOMContentLoaded", function () { enhance(document); });
  document.addEventListener("htmx:afterSwap", function (e) { enhance(e.target); });
})();
