// kefu console: live countdowns for service clocks and keyboard navigation of case lists.
// Loaded with `defer`; no inline scripts (the Content-Security-Policy forbids them).
// The page's words (`<meta name="kefu-words">`, written by the server in the page's language),
// for every part of this file; `{}` in a word stands for a value.
var kefuWords = (function () {
  "use strict";
  var meta = document.querySelector('meta[name="kefu-words"]');
  var words = {};
  try { words = JSON.parse(meta ? meta.content : "{}"); } catch (e) { words = {}; }
  return {
    word: function (key, value) {
      var w = words[key];
      if (typeof w !== "string") return value === undefined ? key : String(value);
      return value === undefined ? w : w.replace("{}", value);
    },
    pairs: function (key) {
      var out = {};
      (words[key] || []).forEach(function (p) { out[p[0]] = p[1]; });
      return out;
    },
  };
})();

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
    document.querySelectorAll("[data-due]").forEach(function (el) {
      var due = Date.parse(el.getAttribute("data-due"));
      if (isNaN(due)) return;
      var left = due - now;
      var out = el.querySelector(".left");
      if (!out) return;
      out.textContent = kefuWords.word(left >= 0 ? "time_left" : "time_overdue", span(left));
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

// Live counts come over one EventSource per page. A browser allows six connections to a
// host; a page kept in the back/forward cache keeps its stream open, so after a few clicks
// every connection was held by pages no one sees and the next page never loaded. Streams
// close when the page is hidden; a page shown again from that cache reloads to reconnect.
(function () {
  "use strict";
  var sources = [];
  document.addEventListener("htmx:sseOpen", function (ev) {
    if (ev.detail && ev.detail.source) sources.push(ev.detail.source);
  });
  window.addEventListener("pagehide", function () {
    sources.forEach(function (s) { s.close(); });
    sources = [];
  });
  window.addEventListener("pageshow", function (ev) {
    if (ev.persisted) location.reload();
  });
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

// The satisfaction page's daily rate against the target, drawn with uPlot (a day without
// answers has no point).
(function () {
  "use strict";
  function draw() {
    var el = document.getElementById("satisfaction-chart");
    if (!el || el.dataset.drawn || typeof uPlot === "undefined") return;
    el.dataset.drawn = "1";
    var days = el.dataset.days ? el.dataset.days.split(",") : [];
    var rates = (el.dataset.rates || "").split(",").map(function (v) { return v === "" ? null : Number(v); });
    var target = Number(el.dataset.target || "95");
    var xs = days.map(function (_, i) { return i; });
    var opts = {
      width: Math.max(320, el.clientWidth || 600), height: 220,
      scales: { x: { time: false }, y: { range: [0, 100] } },
      axes: [{ values: function (_, ticks) { return ticks.map(function (t) { return days[t] || ""; }); } }, {}],
      series: [{}, { label: el.dataset.labelRate, stroke: "#0b5cad", width: 2, spanGaps: false },
                   { label: el.dataset.labelTarget, stroke: "#b42318", width: 1, dash: [6, 4] }]
    };
    new uPlot(opts, [xs, rates.slice(0, xs.length), xs.map(function () { return target; })], el);
  }
  document.addEventListener("DOMContentLoaded", draw);
  document.addEventListener("htmx:afterSettle", draw);
})();

// The staffing planner's chart: needed and planned agents per half-hour, from the page's numbers.
(function () {
  "use strict";
  function draw() {
    var el = document.getElementById("staffing-chart");
    if (!el || el.dataset.drawn || typeof uPlot === "undefined") return;
    el.dataset.drawn = "1";
    var labels = el.dataset.labels ? el.dataset.labels.split(",") : [];
    var nums = function (s) { return s ? s.split(",").map(Number) : []; };
    var xs = labels.map(function (_, i) { return i; });
    var opts = {
      width: Math.max(320, el.clientWidth || 600), height: 220,
      scales: { x: { time: false } },
      axes: [{ values: function (_, ticks) { return ticks.map(function (t) { return labels[t] || ""; }); } }, {}],
      series: [{}, { label: el.dataset.labelNeeded, stroke: "#b42318", width: 2 },
                   { label: el.dataset.labelPlanned, stroke: "#0b5cad", width: 2 }]
    };
    new uPlot(opts, [xs, nums(el.dataset.needed), nums(el.dataset.planned)], el);
  }
  document.addEventListener("DOMContentLoaded", draw);
  document.addEventListener("htmx:afterSettle", draw);
})();

// Live chat panels (`/chats` and a chat case's page): each panel speaks the staff side of the
// chat protocol over WebSocket (the console's session cookie; same origin only). Frames arrive
// once, in seq order; a reconnect asks for what came after the last seq shown; a message waits
// in the panel's outbox with its client_id until it is acknowledged, and is resent after a
// reconnect (the server stores it once).
(function () {
  "use strict";
  var sockets = [];

  function newId() {
    return "s" + Date.now().toString(36) + Math.random().toString(36).slice(2, 10);
  }

  // Why the bot handed over, in words (the codes are the bot's `handed_over` reasons).
  function reasonText(code) {
    return kefuWords.pairs("reasons")[code] || code || "";
  }

  function noticeText(f) {
    var t = kefuWords.pairs("staff_notices")[f.kind];
    if (!t) return f.kind;
    if (f.kind === "handed_over") return t.replace("{}", reasonText(f.reason));
    if (f.kind === "agent_joined") return t.replace("{}", f.name || "");
    return t;
  }

  function open(panel) {
    if (panel.dataset.live) return;
    panel.dataset.live = "1";
    var caseId = panel.dataset.chatCase;
    var log = panel.querySelector(".chat-log");
    var typing = panel.querySelector(".chat-typing");
    var form = panel.querySelector("form");
    var input = panel.querySelector(".chat-input");
    var canned = panel.querySelector(".canned");
    var asNote = panel.querySelector(".as-note");
    var st = { lastSeq: 0, outbox: [], shown: {}, ws: null, backoff: 500, typingTimer: null, lastTyping: 0 };

    function line(cls, text, extra) {
      var li = document.createElement("li");
      li.className = cls;
      var p = document.createElement("p");
      p.textContent = text;
      li.appendChild(p);
      if (extra) {
        var small = document.createElement("small");
        small.textContent = extra;
        li.appendChild(small);
      }
      log.appendChild(li);
      li.scrollIntoView({ block: "nearest" });
      return li;
    }

    function show(f) {
      if (f.seq && st.shown[f.seq]) return;
      if (f.seq) st.shown[f.seq] = true;
      if (f.type === "message") {
        var pending = f.client_id && log.querySelector('li[data-client="' + f.client_id + '"]');
        if (pending) { pending.classList.remove("pending"); pending.dataset.seq = String(f.seq); }
        else {
          var who = f.author === "customer" ? kefuWords.word("customer") : f.author === "bot" ? kefuWords.word("bot") : (f.name || "");
          var li = line("msg " + f.author + (f.internal ? " internal" : ""), f.body, who);
          li.dataset.seq = String(f.seq);
          (f.attachments || []).forEach(function (a) {
            if (!a.url) return;
            var img = document.createElement("img");
            img.src = a.url; img.alt = a.name; img.className = "chat-img";
            li.appendChild(img);
          });
        }
      } else if (f.type === "notice") {
        line("notice", noticeText(f));
      } else if (f.type === "understood") {
        var u = f.understood || {};
        var ents = (u.entities || []).map(function (e) { return e.kind + "=" + e.value; }).join(", ");
        line("understood", kefuWords.word("bot_understood") + u.intent + " " + Math.round((u.confidence || 0) * 100) + "%" + (ents ? " · " + ents : ""));
      }
      if (f.seq > st.lastSeq) st.lastSeq = f.seq;
    }

    function send(frame) { if (st.ws && st.ws.readyState === 1) st.ws.send(JSON.stringify(frame)); }

    // One read mark for a burst of frames (a replay), and none that says nothing new.
    var readSent = 0, readTimer = null;
    function markRead() {
      clearTimeout(readTimer);
      readTimer = setTimeout(function () {
        if (document.visibilityState !== "visible" || st.lastSeq <= readSent) return;
        readSent = st.lastSeq;
        send({ type: "read", seq: st.lastSeq });
      }, 300);
    }

    function connect() {
      if (!panel.isConnected) return;
      var proto = location.protocol === "https:" ? "wss://" : "ws://";
      var ws = new WebSocket(proto + location.host + "/api/v1/chat/cases/" + encodeURIComponent(caseId) + "/ws");
      st.ws = ws;
      sockets.push({ ws: ws, panel: panel });
      ws.onopen = function () { st.backoff = 500; ws.send(JSON.stringify({ type: "hello", after: st.lastSeq })); };
      ws.onmessage = function (ev) {
        var f;
        try { f = JSON.parse(ev.data); } catch (e) { return; }
        if (f.type === "welcome") { st.outbox.forEach(send); return; }
        if (f.type === "ack") {
          st.outbox = st.outbox.filter(function (m) { return m.client_id !== f.client_id; });
          var li = log.querySelector('li[data-client="' + f.client_id + '"]');
          if (li) { li.classList.remove("pending"); li.dataset.seq = String(f.seq); }
          st.shown[f.seq] = true;
          if (f.seq > st.lastSeq) st.lastSeq = f.seq;
          return;
        }
        if (f.type === "typing") {
          typing.hidden = false;
          clearTimeout(st.typingTimer);
          st.typingTimer = setTimeout(function () { typing.hidden = true; }, 4000);
          return;
        }
        if (f.type === "read") {
          log.querySelectorAll("li.msg.agent").forEach(function (li) { if (Number(li.dataset.seq) <= f.seq) li.classList.add("read"); });
          return;
        }
        if (f.type === "error") {
          if (f.client_id) {
            st.outbox = st.outbox.filter(function (m) { return m.client_id !== f.client_id; });
            var bad = log.querySelector('li[data-client="' + f.client_id + '"]');
            if (bad) { bad.classList.add("failed"); bad.title = f.message; }
          }
          return;
        }
        typing.hidden = true;
        show(f);
        markRead();
      };
      ws.onclose = function () {
        if (!panel.isConnected) return;
        setTimeout(connect, st.backoff);
        st.backoff = Math.min(st.backoff * 2, 10000);
      };
    }

    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var body = input.value.trim();
      if (!body) return;
      input.value = "";
      var frame = { type: asNote && asNote.checked ? "note" : "message", client_id: newId(), body: body };
      st.outbox.push(frame);
      var li = line("msg agent pending" + (frame.type === "note" ? " internal" : ""), body);
      li.dataset.client = frame.client_id;
      send(frame);
    });
    input.addEventListener("keydown", function (ev) {
      if (ev.key === "Enter" && !ev.shiftKey) { ev.preventDefault(); form.requestSubmit(); }
    });
    input.addEventListener("input", function () {
      var now = Date.now();
      if (now - st.lastTyping > 2000) { st.lastTyping = now; send({ type: "typing" }); }
    });
    if (canned) {
      canned.addEventListener("change", function () {
        if (!canned.value) return;
        input.value = input.value ? input.value + " " + canned.value : canned.value;
        canned.value = "";
        input.focus();
      });
    }
    connect();
  }

  // The case page's canned-reply search: picking a suggestion puts its filled-in text in the
  // reply box (appended when the agent has already written something), for them to edit.
  document.addEventListener("click", function (ev) {
    var pick = ev.target.closest ? ev.target.closest(".canned-pick") : null;
    if (!pick) return;
    var box = document.getElementById("reply-body");
    if (!box) return;
    var text = pick.getAttribute("data-text") || "";
    box.value = box.value.trim() ? box.value + "\n" + text : text;
    var list = document.getElementById("canned-suggestions");
    if (list) list.textContent = "";
    box.focus();
  });
  // Enter in the search box picks nothing and submits nothing.
  document.addEventListener("keydown", function (ev) {
    if (ev.key === "Enter" && ev.target && ev.target.id === "canned-q") ev.preventDefault();
  });

  function scan() {
    document.querySelectorAll("[data-chat-case]").forEach(open);
    // Pages swapped out by htmx take their sockets with them.
    sockets = sockets.filter(function (s) { return s.ws.readyState < 2; });
  }

  // Only panels inside what htmx replaces lose their socket: a partial update elsewhere on
  // the page (the canned-reply search, a quote) leaves the chat connected.
  document.addEventListener("htmx:beforeSwap", function (ev) {
    var target = ev.detail && ev.detail.target;
    sockets = sockets.filter(function (s) {
      if (target && !target.contains(s.panel)) return true;
      try { s.ws.close(); } catch (e) { /* already closed */ }
      return false;
    });
  });
  document.addEventListener("DOMContentLoaded", scan);
  document.addEventListener("htmx:afterSettle", scan);
})();

// The canned-replies page (`/canned`): a variable is inserted where the cursor is; the macro's
// fields and the department only show when they apply; Enter in the preview's case number
// previews rather than saving the form.
(function () {
  "use strict";
  document.addEventListener("click", function (ev) {
    var b = ev.target.closest ? ev.target.closest(".insert-var") : null;
    if (!b) return;
    var box = document.getElementById(b.getAttribute("data-target") || "canned-body");
    if (!box) return;
    var token = b.getAttribute("data-var") || "";
    var start = typeof box.selectionStart === "number" ? box.selectionStart : box.value.length;
    var end = typeof box.selectionEnd === "number" ? box.selectionEnd : start;
    box.value = box.value.slice(0, start) + token + box.value.slice(end);
    box.focus();
    box.setSelectionRange(start + token.length, start + token.length);
  });
  document.addEventListener("change", function (ev) {
    var form = ev.target.closest ? ev.target.closest("form.canned-form") : null;
    if (!form) return;
    var kind = form.querySelector("input[name=kind]:checked");
    var actions = form.querySelector("#macro-actions");
    if (actions) actions.hidden = !kind || kind.value !== "macro";
    var scope = form.querySelector("input[name=scope]:checked");
    var department = form.querySelector("#department-field");
    if (department) department.hidden = !scope || scope.value !== "team";
  });
  document.addEventListener("keydown", function (ev) {
    if (ev.key !== "Enter" || !ev.target || ev.target.id !== "preview-case") return;
    var b = document.getElementById("preview-button");
    if (b) { ev.preventDefault(); b.click(); }
  });
  // htmx leaves a 4xx answer unswapped; where the refusal is the content to show (a preview
  // for a case that does not exist, a search that is too long), the target says so. A boosted
  // form or link gets a whole page back, refusal included (the form with its error and what
  // was typed): it is shown like any other page, or the click would seem to do nothing.
  document.addEventListener("htmx:beforeSwap", function (ev) {
    var d = ev.detail;
    if (!d || !d.xhr || d.xhr.status < 400 || d.xhr.status >= 500) return;
    var marked = d.target && d.target.hasAttribute && d.target.hasAttribute("data-show-errors");
    var boosted = d.boosted || (d.requestConfig && d.requestConfig.boosted) || d.target === document.body;
    if (marked || boosted) {
      d.shouldSwap = true;
      d.isError = false;
    }
  });
})();
