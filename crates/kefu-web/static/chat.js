// The customer's chat (portal page, or framed by /widget.js). Speaks kefu's chat protocol over
// WebSocket: hello with the stored token and the last seq shown, so a reconnect (network
// switch, phone asleep) gets exactly what was missed and a reload shows the conversation again;
// messages wait in an outbox with their client_id until acknowledged and are resent after a
// reconnect (the server stores them once).
(function () {
  "use strict";
  var root = document.getElementById("chat");
  if (!root) return;
  var log = document.getElementById("chat-log");
  var statusLine = document.getElementById("chat-status");
  var typingLine = document.getElementById("chat-typing");
  var form = document.getElementById("chat-form");
  var input = document.getElementById("chat-input");
  var file = document.getElementById("chat-file");
  var KEY = "kefu.chat";
  var saved = {};
  try { saved = JSON.parse(localStorage.getItem(KEY) || "{}") || {}; } catch (e) { saved = {}; }
  var state = {
    token: saved.token || null,
    visitor: saved.visitor || null,
    // A new page shows the whole conversation (seq 0 on); reconnects of this page ask only
    // for what came after the last seq it shows.
    lastSeq: 0,
    outbox: saved.outbox || [],
  };
  var shown = {};
  var ws = null;
  var backoff = 500;
  var typingTimer = null;
  var lastTypingSent = 0;

  function save() {
    try {
      localStorage.setItem(KEY, JSON.stringify({
        token: state.token, visitor: state.visitor, outbox: state.outbox,
      }));
    } catch (e) { /* private mode: the chat still works for this page */ }
  }

  function setStatus(text) { statusLine.textContent = text; }

  function newId() {
    return "c" + Date.now().toString(36) + Math.random().toString(36).slice(2, 10);
  }

  function bubble(author, body, seq, attachments, pending) {
    var li = document.createElement("li");
    li.className = "msg " + author + (pending ? " pending" : "");
    if (seq) li.dataset.seq = String(seq);
    var p = document.createElement("p");
    p.textContent = body;
    li.appendChild(p);
    (attachments || []).forEach(function (a) {
      if (!a.url) return;
      var img = document.createElement("img");
      img.src = a.url;
      img.alt = a.name;
      img.className = "chat-img";
      li.appendChild(img);
    });
    log.appendChild(li);
    li.scrollIntoView({ block: "end" });
    return li;
  }

  function showFrame(f) {
    if (f.seq && shown[f.seq]) return;
    if (f.seq) shown[f.seq] = true;
    if (f.type === "message") {
      var pending = f.client_id && log.querySelector('li[data-client="' + f.client_id + '"]');
      if (pending) {
        pending.classList.remove("pending");
        pending.dataset.seq = String(f.seq);
      } else {
        bubble(f.author, f.body, f.seq, f.attachments, false);
      }
    } else if (f.type === "notice") {
      var li = document.createElement("li");
      li.className = "notice";
      li.textContent = noticeText(f);
      log.appendChild(li);
      if (f.kind === "survey") ratingCard(f);
      if (f.kind === "rated") closeCard(f.reason);
    }
    if (f.seq && f.seq > state.lastSeq) state.lastSeq = f.seq;
  }

  // The page's words (`<meta name="kefu-words">`, in the page's language).
  var NOTICES = (function () {
    var meta = document.querySelector('meta[name="kefu-words"]');
    var out = {};
    try {
      var words = JSON.parse(meta ? meta.content : "{}");
      (words.customer_notices || []).forEach(function (p) { out[p[0]] = p[1]; });
      out._agent = words.an_agent || "";
    } catch (e) { /* no words: codes are shown */ }
    return out;
  })();

  // The rating card a resolved case's `survey` notice brings: 1–5, the reasons offered with
  // the score picked, a comment; sent as a `rate` frame, gone once the `rated` notice comes.
  var card = null;
  function ratingCard(f) {
    if (card || rated) return;
    card = document.createElement("li");
    card.className = "rating-card";
    var form = document.createElement("form");
    var title = document.createElement("p");
    title.textContent = WORDS.rate_title || "";
    form.appendChild(title);
    var scores = document.createElement("div");
    scores.className = "scores";
    var reasons = document.createElement("div");
    reasons.className = "reasons";
    var picked = 0;
    function showReasons() {
      reasons.textContent = "";
      var list = picked >= (f.satisfied_from || 4) ? (f.good_reasons || []) : (f.poor_reasons || []);
      list.forEach(function (r) {
        var label = document.createElement("label");
        var box = document.createElement("input");
        box.type = "checkbox"; box.value = r;
        label.appendChild(box);
        label.appendChild(document.createTextNode(" " + r));
        reasons.appendChild(label);
      });
    }
    [5, 4, 3, 2, 1].forEach(function (n) {
      var b = document.createElement("button");
      b.type = "button";
      b.className = "score";
      b.dataset.score = String(n);
      b.textContent = n + "★ " + ((WORDS.rate_scores || [])[n - 1] || "");
      b.addEventListener("click", function () {
        picked = n;
        scores.querySelectorAll("button").forEach(function (x) { x.classList.toggle("picked", x === b); });
        showReasons();
        send.disabled = false;
      });
      scores.appendChild(b);
    });
    form.appendChild(scores);
    form.appendChild(reasons);
    var comment = document.createElement("input");
    comment.placeholder = WORDS.rate_comment || "";
    comment.maxLength = 500;
    form.appendChild(comment);
    var send = document.createElement("button");
    send.type = "submit";
    send.disabled = true;
    send.textContent = WORDS.rate_send || "OK";
    form.appendChild(send);
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      if (!picked) return;
      var chosen = [];
      reasons.querySelectorAll("input:checked").forEach(function (x) { chosen.push(x.value); });
      sendFrame({ type: "rate", score: picked, reasons: chosen, comment: comment.value.trim() });
    });
    card.appendChild(form);
    log.appendChild(card);
    card.scrollIntoView({ block: "end" });
  }
  var rated = false;
  function closeCard(score) {
    rated = true;
    if (!card) return;
    card.textContent = (WORDS.rate_thanks || "") + (score ? " " + score + "★" : "");
    card.className = "rating-card done";
  }

  var WORDS = (function () {
    var meta = document.querySelector('meta[name="kefu-words"]');
    try { return JSON.parse(meta ? meta.content : "{}") || {}; } catch (e) { return {}; }
  })();

  function noticeText(f) {
    var t = NOTICES[f.kind];
    if (!t) return f.kind;
    return f.kind === "agent_joined" ? t.replace("{}", f.name || NOTICES._agent) : t;
  }

  function send(frame) {
    if (ws && ws.readyState === 1) ws.send(JSON.stringify(frame));
  }
  var sendFrame = send;

  function flushOutbox() {
    state.outbox.forEach(function (m) { send(m); });
  }

  // One read mark for a burst of frames (a replay), and none that says nothing new.
  var readSent = 0, readTimer = null;
  function markRead() {
    clearTimeout(readTimer);
    readTimer = setTimeout(function () {
      if (document.visibilityState !== "visible" || state.lastSeq <= readSent) return;
      readSent = state.lastSeq;
      send({ type: "read", seq: state.lastSeq });
    }, 300);
  }

  function connect() {
    var proto = location.protocol === "https:" ? "wss://" : "ws://";
    ws = new WebSocket(proto + location.host + "/chat/ws");
    ws.onopen = function () {
      backoff = 500;
      ws.send(JSON.stringify({ type: "hello", token: state.token, after: state.lastSeq }));
    };
    ws.onmessage = function (ev) {
      var f;
      try { f = JSON.parse(ev.data); } catch (e) { return; }
      if (f.type === "welcome") {
        setStatus(f.case_number);
        flushOutbox();
      } else if (f.type === "ack") {
        state.outbox = state.outbox.filter(function (m) { return m.client_id !== f.client_id; });
        var li = log.querySelector('li[data-client="' + f.client_id + '"]');
        if (li) { li.classList.remove("pending"); li.dataset.seq = String(f.seq); }
        shown[f.seq] = true;
        save();
      } else if (f.type === "rated") {
        closeCard(f.score);
      } else if (f.type === "typing") {
        typingLine.hidden = false;
        clearTimeout(typingTimer);
        typingTimer = setTimeout(function () { typingLine.hidden = true; }, 4000);
      } else if (f.type === "read") {
        log.querySelectorAll("li.customer").forEach(function (li) {
          if (Number(li.dataset.seq) <= f.seq) li.classList.add("read");
        });
      } else if (f.type === "error") {
        if (f.code === "not_found") {
          // The stored conversation is gone (or never was): start a new one.
          state.token = null; state.lastSeq = 0; save();
          ws.close();
          return;
        }
        if (f.client_id) {
          state.outbox = state.outbox.filter(function (m) { return m.client_id !== f.client_id; });
          var bad = log.querySelector('li[data-client="' + f.client_id + '"]');
          if (bad) bad.classList.add("failed");
          save();
        }
        setStatus(f.message);
      } else {
        typingLine.hidden = true;
        showFrame(f);
        markRead();
      }
    };
    ws.onclose = function () {
      setStatus(root.dataset.connecting);
      setTimeout(start, backoff);
      backoff = Math.min(backoff * 2, 10000);
    };
  }

  function start() {
    if (state.token) { connect(); return; }
    fetch("/api/v1/chat/conversations", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ visitor_id: state.visitor, origin: root.dataset.origin, language: root.dataset.lang === "en" ? "en" : "zh" }),
    }).then(function (r) { return r.json().then(function (b) { return [r.status, b]; }); })
      .then(function (res) {
        if (res[0] !== 201) { setStatus(res[1].error ? res[1].error.message : "error"); setTimeout(start, 5000); return; }
        state.token = res[1].token; state.visitor = res[1].visitor_id; state.lastSeq = 0; save();
        connect();
      })
      .catch(function () { setTimeout(start, backoff); backoff = Math.min(backoff * 2, 10000); });
  }

  function queue(frame, text) {
    state.outbox.push(frame);
    save();
    var li = bubble("customer", text, 0, [], true);
    li.dataset.client = frame.client_id;
    send(frame);
  }

  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    var body = input.value.trim();
    if (!body) return;
    input.value = "";
    queue({ type: "message", client_id: newId(), body: body }, body);
  });
  input.addEventListener("keydown", function (ev) {
    if (ev.key === "Enter" && !ev.shiftKey) { ev.preventDefault(); form.requestSubmit(); }
  });
  input.addEventListener("input", function () {
    var now = Date.now();
    if (now - lastTypingSent > 2000) { lastTypingSent = now; send({ type: "typing" }); }
  });
  file.addEventListener("change", function () {
    var f = file.files && file.files[0];
    if (!f) return;
    var reader = new FileReader();
    reader.onload = function () {
      var data = String(reader.result).split(",")[1] || "";
      queue({ type: "message", client_id: newId(), body: "", attachments: [{ name: f.name, mime: f.type, data: data }] }, "🖼 " + f.name);
      file.value = "";
    };
    reader.readAsDataURL(f);
  });
  document.addEventListener("visibilitychange", markRead);
  start();
})();
