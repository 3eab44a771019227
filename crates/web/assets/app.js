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
        ? { dateStyle: "medium", timeZone: "UTC" }
        : { dateStyle: "medium", timeStyle: "short" };
      el.textContent = d.toLocaleString(undefined, opts);
      el.title = d.toISOString();
    });
    // Forms that send a local time also send the offset it was typed in.
    root.querySelectorAll("input[name=tzOffset]").forEach(function (el) {
      el.value = String(new Date().getTimezoneOffset());
    });
    root.querySelectorAll(".tz-note").forEach(function (el) { el.hidden = true; });
    // A time-zone field left empty: the browser's zone (the server keeps the typed one).
    root.querySelectorAll("input[data-browser-tz]").forEach(function (el) {
      if (el.value) return;
      try {
        el.value = Intl.DateTimeFormat().resolvedOptions().timeZone || "";
      } catch (e) { /* an old browser: the person types it */ }
    });
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
    // Choosing a person fills in their email (unless one was typed by hand).
    root.querySelectorAll("select[data-fills]").forEach(function (select) {
      var input = document.getElementById(select.getAttribute("data-fills"));
      if (!input || select.dataset.bound) return;
      select.dataset.bound = "1";
      var filled = "";
      select.addEventListener("change", function () {
        var chosen = select.options[select.selectedIndex];
        var email = (chosen && chosen.getAttribute("data-email")) || "";
        if (input.value === "" || input.value === filled) {
          input.value = email;
          filled = email;
        }
      });
    });
    // On a phone, the navigation folds into a "Menu" button (CSS decides when).
    root.querySelectorAll("header.top .menu-toggle[hidden]").forEach(function (button) {
      var header = button.closest("header.top");
      header.classList.add("foldable");
      button.hidden = false;
      button.addEventListener("click", function () {
        var open = header.classList.toggle("open");
        button.setAttribute("aria-expanded", open ? "true" : "false");
      });
    });
    // The org chart's tools need this script: shown only with it.
    root.querySelectorAll(".chart-tools[hidden]").forEach(function (el) { el.hidden = false; });
    // The org chart: the first person a search found is scrolled into view.
    var hit = root.querySelector && root.querySelector("#chart li.hit");
    if (hit && !location.hash) hit.scrollIntoView({ block: "center" });
    // Confirm before destructive actions (htmx asks, for a form it sends itself).
    root.querySelectorAll("form[data-confirm]").forEach(function (form) {
      if (form.dataset.confirmBound) return;
      form.dataset.confirmBound = "1";
      if (form.closest("[hx-boost]")) {
        form.setAttribute("hx-confirm", form.getAttribute("data-confirm"));
        return;
      }
      form.addEventListener("submit", function (e) {
        if (!window.confirm(form.getAttribute("data-confirm"))) e.preventDefault();
      });
    });
  }
  // A picker's search box narrows its list (htmx); Enter there does not send the form.
  document.addEventListener("keydown", function (e) {
    if (e.key === "Enter" && e.target.classList && e.target.classList.contains("picker-search")) {
      e.preventDefault();
    }
  });
  // The org chart's "Collapse all" (its other levels load one at a time, when opened).
  document.addEventListener("click", function (e) {
    var b = e.target.closest && e.target.closest("button[data-chart=close]");
    if (!b) return;
    document.querySelectorAll("#chart details").forEach(function (d) { d.open = false; });
  });
  // The agenda: a point added stays in the flow of typing (the new-point field keeps the
  // cursor, whichever way the form was sent).
  document.addEventListener("htmx:afterSettle", function (e) {
    var from = e.detail && e.detail.requestConfig && e.detail.requestConfig.elt;
    if (from && from.closest && from.closest("form.add-point")) {
      var field = document.getElementById("new-point");
      if (field) field.focus();
    }
  });

  // Reordering the agenda by drag and drop (the ↑/↓ buttons stay for keyboards): the whole
  // new order is sent, as the form of the page's own reorder route.
  var dragged = null;
  document.addEventListener("dragstart", function (e) {
    var li = e.target.closest && e.target.closest("ol[data-reorder] > li[data-id]");
    if (!li) return;
    dragged = li;
    li.classList.add("dragging");
    e.dataTransfer.effectAllowed = "move";
    e.dataTransfer.setData("text/plain", li.getAttribute("data-id"));
  });
  document.addEventListener("dragover", function (e) {
    if (!dragged) return;
    var over = e.target.closest && e.target.closest("ol[data-reorder] > li[data-id]");
    if (!over || over === dragged || over.parentNode !== dragged.parentNode) return;
    e.preventDefault();
    var box = over.getBoundingClientRect();
    var after = e.clientY > box.top + box.height / 2;
    over.parentNode.insertBefore(dragged, after ? over.nextSibling : over);
  });
  document.addEventListener("drop", function (e) { if (dragged) e.preventDefault(); });
  document.addEventListener("dragend", function () {
    if (!dragged) return;
    var list = dragged.parentNode;
    dragged.classList.remove("dragging");
    dragged = null;
    var ids = Array.prototype.map.call(list.querySelectorAll(":scope > li[data-id]"),
      function (li) { return li.getAttribute("data-id"); });
    var csrf = document.querySelector("input[name=csrf]");
    if (!window.htmx || !csrf) return;
    htmx.ajax("POST", list.getAttribute("data-reorder"), {
      source: list, target: "#live-agenda", select: "#live-agenda", swap: "outerHTML",
      values: { csrf: csrf.value, ids: ids }
    });
  });
  function draggable(root) {
    root.querySelectorAll("ol[data-reorder] > li[data-id]").forEach(function (li) {
      li.setAttribute("draggable", "true");
    });
  }

  // A participant's one-on-one hears the other's changes: Server-Sent Events that name what
  // changed (never its content), after which the part shown is fetched again, through the
  // same page and permission check as a visit. What the reader is typing is never replaced:
  // a refresh waits while they edit a point or their private notes, and the new-point field
  // keeps its text and cursor.
  function live() {
    var box = document.querySelector("[data-live]");
    if (!box || !window.EventSource || !window.htmx) return;
    var page = box.getAttribute("data-page");
    var parts = { agenda: ["#live-agenda"], notes: ["#shared-notes"],
      "private-notes": ["#private-section"],
      everything: ["#live-agenda", "#shared-notes", "#private-section"] };
    var waiting = {};
    var sent = 0;
    document.addEventListener("htmx:beforeRequest", function (e) {
      var from = e.detail && e.detail.elt;
      if (from && from.closest && from.closest("form.add-point")) sent += 1;
    });
    function editing(sel) {
      var part = document.querySelector(sel);
      if (!part) return false;
      var a = document.activeElement;
      if (sel === "#live-agenda") {
        if (part.querySelector("details[open]")) return true;
        return !!(a && part.contains(a) && a.id !== "new-point" && /INPUT|SELECT|TEXTAREA/.test(a.tagName));
      }
      if (part.querySelector("details[open]")) return true;
      var notes = part.querySelector("textarea");
      return !!(notes && (notes === a || notes.value !== notes.defaultValue));
    }
    // A form of that part on its way (this window's own change, whose answer brings the part
    // anew): the refresh waits for it, and never brings back text that form just sent.
    function sending(sel) {
      return !!document.querySelector(sel + ".htmx-request, " + sel + " .htmx-request");
    }
    function refresh(sel) {
      if (!document.querySelector(sel)) return;
      if (editing(sel) || sending(sel)) { waiting[sel] = true; return; }
      delete waiting[sel];
      var field = document.getElementById("new-point");
      var kept = field && field.value ? [field.value, field.selectionStart, field.selectionEnd] : null;
      var before = sent;
      htmx.ajax("GET", page, { source: document.body, target: sel, select: sel, swap: "outerHTML" })
        .then(function () {
          var now = document.getElementById("new-point");
          // Not if the point was added meanwhile: the empty field is then the right one.
          if (kept && now && !now.value && sent === before) {
            now.value = kept[0];
            if (document.activeElement === now) now.setSelectionRange(kept[1], kept[2]);
          }
        });
    }
    function later() {
      setTimeout(function () { Object.keys(waiting).forEach(refresh); }, 0);
    }
    document.addEventListener("focusout", later);
    document.addEventListener("htmx:afterSettle", later);
    document.addEventListener("toggle", later, true);
    var source = new EventSource(box.getAttribute("data-live"));
    Object.keys(parts).forEach(function (name) {
      source.addEventListener(name, function () { parts[name].forEach(refresh); });
    });
  }

  document.addEventListener("DOMContentLoaded", function () { enhance(document); draggable(document); live(); });
  document.addEventListener("htmx:afterSwap", function (e) {
    // An outerHTML swap replaced the target: enhance what stands in its place now.
    var now = (e.target.id && document.getElementById(e.target.id)) || e.target;
    enhance(now);
    draggable(document);
  });
})();
