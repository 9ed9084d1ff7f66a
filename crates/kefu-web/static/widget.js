// kefu's embeddable chat: <script src="https://kefu.example.com/widget.js" async></script>
// (optional: data-lang="en", data-label="…" for the button's words on the host page)
// adds a chat button to any page; the chat itself runs in a frame served by kefu (its own
// origin, so the host page never sees the conversation or its token).
(function () {
  "use strict";
  if (window.__kefuWidget) return;
  window.__kefuWidget = true;
  var script = document.currentScript;
  var base = script && script.src ? new URL(script.src).origin : location.origin;
  var lang = (script && script.dataset.lang) || (navigator.language || "zh").slice(0, 2);
  // The host page names the button (data-label); kefu's default is the word the portal uses.
  var label = (script && script.dataset.label) || (lang === "en" ? "Chat with us" : "在线客服");
  var button = document.createElement("button");
  button.type = "button";
  button.textContent = "💬 " + label;
  button.setAttribute("aria-label", label);
  button.setAttribute("aria-expanded", "false");
  button.style.cssText = "position:fixed;right:16px;bottom:16px;z-index:2147483646;padding:12px 18px;" +
    "border:0;border-radius:24px;background:#0b5cad;color:#fff;font:16px/1.2 system-ui,sans-serif;" +
    "box-shadow:0 2px 8px rgba(0,0,0,.3);cursor:pointer";
  var frame = null;
  button.addEventListener("click", function () {
    if (!frame) {
      frame = document.createElement("iframe");
      frame.src = base + "/portal/chat?embed=1&lang=" + encodeURIComponent(lang);
      frame.title = label;
      frame.style.cssText = "position:fixed;right:16px;bottom:72px;z-index:2147483647;width:min(380px,calc(100vw - 32px));" +
        "height:min(560px,calc(100vh - 96px));border:1px solid #ccc;border-radius:12px;background:#fff;" +
        "box-shadow:0 4px 16px rgba(0,0,0,.3)";
      document.body.appendChild(frame);
      button.setAttribute("aria-expanded", "true");
      return;
    }
    var open = frame.style.display !== "none";
    frame.style.display = open ? "none" : "block";
    button.setAttribute("aria-expanded", open ? "false" : "true");
  });
  document.body.appendChild(button);
})();
