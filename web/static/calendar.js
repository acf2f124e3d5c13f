// The calendar page: draws the month, week, day or list view with
// EventCalendar from the occurrences the server put in the page, then
// fetches more as the person moves through time. The view and the date
// are kept in the URL, so that the page can be bookmarked and shared.
(function () {
  "use strict";
  var el = document.getElementById("ec");
  if (!el || !window.EventCalendar) { return; }
  var d = el.dataset;
  var initial = JSON.parse(document.getElementById("ec-events").textContent || "[]");
  var views = { dayGridMonth: "month", timeGridWeek: "week", timeGridDay: "day", listMonth: "list" };
  var firstLoad = true;

  function fetchEvents(info, ok, fail) {
    if (firstLoad) { firstLoad = false; ok(initial); return; }
    var sep = d.events.indexOf("?") < 0 ? "?" : "&";
    var url = d.events + sep + "start=" + encodeURIComponent(info.startStr) + "&end=" + encodeURIComponent(info.endStr);
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) {
        if (r.status === 401) { window.location.assign("/signin?next=" + encodeURIComponent(location.pathname + location.search)); return []; }
        if (!r.ok) { throw new Error("HTTP " + r.status); }
        return r.json();
      })
      .then(ok, fail);
  }

  // A drag moves the activity (or the one occurrence) on the server,
  // which checks it; a hard conflict opens the dialog listing the
  // clashes, where the person gives a reason to move anyway or puts the
  // event back.
  var csrfMeta = document.querySelector('meta[name="csrf-token"]');
  var csrf = csrfMeta ? csrfMeta.getAttribute("content") : "";
  var dialog = document.getElementById("move-dialog");
  var statusEl = document.getElementById("move-status");
  var pending = null;
  function pad(n) { return String(n).padStart(2, "0"); }
  function wall(dt) {
    return dt.getFullYear() + "-" + pad(dt.getMonth() + 1) + "-" + pad(dt.getDate()) + "T" + pad(dt.getHours()) + ":" + pad(dt.getMinutes()) + ":" + pad(dt.getSeconds());
  }
  function send(info, reason) {
    var p = info.event.extendedProps || {};
    var start = info.event.start;
    var end = info.event.end || new Date(start.getTime() + 3600000);
    return fetch("/calendar/move", {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRF-Token": csrf },
      body: JSON.stringify({ id: Number(p.activity), occurrence: p.occurrence, start: wall(start), end: wall(end), override_reason: reason || "" })
    }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (b) { return { status: r.status, body: b }; });
    });
  }
  function say(text) { if (statusEl) { statusEl.textContent = text || ""; } }
  function showClashes(body) {
    var list = document.getElementById("move-clashes");
    list.replaceChildren();
    (body.clashes || []).forEach(function (c) {
      var li = document.createElement("li");
      li.className = c.severity === "hard" ? "hard" : "soft";
      var strong = document.createElement("strong");
      strong.textContent = c.text;
      li.appendChild(strong);
      li.appendChild(document.createTextNode(": "));
      if (c.url) {
        var a = document.createElement("a");
        a.href = c.url;
        a.textContent = c.title;
        li.appendChild(a);
      } else {
        var span = document.createElement("span");
        span.className = "busy";
        span.textContent = c.title;
        li.appendChild(span);
      }
      li.appendChild(document.createTextNode(" (" + c.when + ")"));
      list.appendChild(li);
    });
  }
  function finish(res, info) {
    if (res.status === 200) {
      if (dialog.open) { dialog.close(); }
      pending = null;
      say("");
      ec.refetchEvents();
      return;
    }
    if (res.status === 409) {
      pending = info;
      showClashes(res.body);
      if (!dialog.open) {
        document.getElementById("move-reason").value = "";
        dialog.showModal();
        document.getElementById("move-reason").focus();
      }
      return;
    }
    if (dialog.open) { dialog.close(); }
    pending = null;
    info.revert();
    say(res.body && res.body.message);
  }
  function moved(info) {
    send(info, "").then(function (res) { finish(res, info); }, function () { info.revert(); });
  }
  if (dialog) {
    document.getElementById("move-form").addEventListener("submit", function (e) {
      e.preventDefault();
      var reason = document.getElementById("move-reason");
      var err = document.getElementById("move-reason-error");
      if (!reason.value.trim()) {
        reason.setAttribute("aria-invalid", "true");
        err.hidden = false;
        reason.focus();
        return;
      }
      reason.removeAttribute("aria-invalid");
      err.hidden = true;
      var info = pending;
      if (!info) { dialog.close(); return; }
      send(info, reason.value.trim()).then(function (res) { finish(res, info); }, function () { info.revert(); dialog.close(); });
    });
    var putBack = function () {
      if (pending) { pending.revert(); pending = null; }
    };
    document.getElementById("move-revert").addEventListener("click", function () { putBack(); dialog.close(); });
    dialog.addEventListener("cancel", putBack);
  }

  var ec = EventCalendar.create(el, {
    view: d.view,
    date: d.date,
    locale: d.locale,
    firstDay: 1,
    height: "auto",
    nowIndicator: true,
    dayMaxEvents: true,
    eventSources: [{ events: fetchEvents }],
    editable: false,
    eventDrop: moved,
    eventResize: moved,
    headerToolbar: { start: "prev,next today", center: "title", end: "dayGridMonth,timeGridWeek,timeGridDay,listMonth" },
    buttonText: function (text) {
      return Object.assign({}, text, { today: d.labelToday, dayGridMonth: d.labelMonth, timeGridWeek: d.labelWeek, timeGridDay: d.labelDay, listMonth: d.labelList, prev: d.labelPrev, next: d.labelNext });
    },
    noEventsContent: d.labelNone,
    eventTimeFormat: { hour: "2-digit", minute: "2-digit", hour12: false },
    slotLabelFormat: { hour: "2-digit", minute: "2-digit", hour12: false },
    scrollTime: "08:00:00",
    eventDidMount: function (info) {
      // Events are links to their page: reachable by keyboard, announced
      // with their lead organisation.
      var a = info.el;
      var p = info.event.extendedProps || {};
      if (p.lead) { a.setAttribute("title", info.event.title + " (" + p.lead + ")"); }
      if (p.url) {
        a.setAttribute("tabindex", "0");
        a.setAttribute("role", "link");
        a.dataset.url = p.url;
        a.addEventListener("keydown", function (e) {
          if (e.key === "Enter") { window.location.assign(p.url); }
        });
      }
    },
    eventClick: function (info) {
      var p = info.event.extendedProps || {};
      if (p.url) { info.jsEvent.preventDefault(); window.location.assign(p.url); }
    },
    datesSet: function (info) {
      var u = new URL(window.location.href);
      u.searchParams.set("view", views[info.view.type] || "month");
      var start = info.view.currentStart;
      u.searchParams.set("date", start.getFullYear() + "-" + String(start.getMonth() + 1).padStart(2, "0") + "-" + String(start.getDate()).padStart(2, "0"));
      window.history.replaceState(null, "", u);
    }
  });
  // The component marks its grid up as a table whose rows and cells do
  // not nest as ARIA requires (a toolbar and event buttons sit directly
  // in the table), which screen readers announce wrongly. Its events are
  // links and its days are labelled, so the grid is presented as plain
  // layout instead; the list view is the tabular reading. Re-applied
  // after every render.
  var layoutRoles = { table: 1, row: 1, cell: 1, columnheader: 1, rowheader: 1, rowgroup: 1, grid: 1, gridcell: 1, list: 1, listitem: 1 };
  var layoutAttrs = ["aria-colindex", "aria-rowindex", "aria-colcount", "aria-rowcount", "aria-colspan", "aria-rowspan"];
  function repair() {
    el.querySelectorAll("[role]").forEach(function (n) {
      if (layoutRoles[n.getAttribute("role")]) { n.removeAttribute("role"); }
    });
    layoutAttrs.forEach(function (a) {
      el.querySelectorAll("[" + a + "]").forEach(function (n) { n.removeAttribute(a); });
    });
    // The prev/next buttons carry only icons: give them names.
    var prev = el.querySelector(".ec-prev"), next = el.querySelector(".ec-next");
    if (prev && !prev.getAttribute("aria-label")) { prev.setAttribute("aria-label", d.labelPrev); }
    if (next && !next.getAttribute("aria-label")) { next.setAttribute("aria-label", d.labelNext); }
  }
  // Once per frame at most: the component renders in many small steps,
  // and repairing after each would cost a scan of the grid each time.
  var pending = false;
  var observer = new MutationObserver(function () {
    if (pending) { return; }
    pending = true;
    window.requestAnimationFrame(function () {
      pending = false;
      observer.disconnect();
      repair();
      observer.observe(el, watch);
    });
  });
  var watch = { subtree: true, childList: true, attributes: true, attributeFilter: ["role"].concat(layoutAttrs) };
  repair();
  observer.observe(el, watch);
  document.body.classList.add("js-calendar");
  window.jointcal = window.jointcal || {};
  window.jointcal.calendar = ec;
})();
