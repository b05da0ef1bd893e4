  // ------------------------------------------------------------------ the theme
  // <html> gets "dark"/"light" and .pywry-theme-dark/-light (plus .pywry-theme-system when
  // it follows the system); each .pywry-widget gets the .pywry-theme-* ones. The values a
  // page is sent become one of three names here, so none reaches a class name as sent.
  var THEME_CLASSES = ["dark", "light", "pywry-theme-dark", "pywry-theme-light", "pywry-theme-system"];
  var prefersDark = window.matchMedia ? window.matchMedia("(prefers-color-scheme: dark)") : null;
  var themeMode = "dark"; // dark | light | system
  var pageConfig = null;

  function themeOf(name) {
    // The release's rule: a name with "dark" in it is dark ("plotly_dark" too), any other light.
    name = String(name == null ? "" : name);
    return name === "system" ? "system" : name.indexOf("dark") >= 0 ? "dark" : "light";
  }

  function shownTheme() {
    if (themeMode !== "system") return themeMode;
    return prefersDark && !prefersDark.matches ? "light" : "dark";
  }

  function paintTheme(el, isRoot) {
    var shown = shownTheme();
    for (var i = 0; i < THEME_CLASSES.length; i++) el.classList.remove(THEME_CLASSES[i]);
    if (isRoot) el.classList.add(shown);
    el.classList.add("pywry-theme-" + shown);
    if (themeMode === "system") el.classList.add("pywry-theme-system");
  }

  function applyTheme(mode) {
    themeMode = mode;
    pageConfig = Object.freeze({ label: label, theme: mode, version: cfg.version || "" });
    var root = document.documentElement;
    root.setAttribute("data-theme", mode);
    paintTheme(root, true);
    var widgets = document.querySelectorAll(".pywry-widget");
    for (var i = 0; i < widgets.length; i++) paintTheme(widgets[i], false);
  }

  function markWidget() {
    // A whole document has no wrapper of pywry's: its body is the widget.
    if (!document.querySelector(".pywry-widget") && document.body) document.body.classList.add("pywry-widget");
    applyTheme(themeMode);
  }

  var TOAST_CSS =
    ".pywry-toasts{position:fixed;z-index:2147483647;display:flex;flex-direction:column;gap:8px;max-width:360px}" +
    ".pywry-toasts.top-right{top:12px;right:12px}.pywry-toasts.top-left{top:12px;left:12px}" +
    ".pywry-toasts.bottom-right{bottom:12px;right:12px}.pywry-toasts.bottom-left{bottom:12px;left:12px}" +
    ".pywry-toast{font:14px system-ui,sans-serif;padding:10px 14px;border-radius:6px;color:#fff;" +
    "box-shadow:0 2px 8px rgba(0,0,0,.3);background:#2b6cb0}" +
    ".pywry-toast.success{background:#2f855a}.pywry-toast.warning{background:#b7791f}" +
    ".pywry-toast.error{background:#c53030}.pywry-toast.confirm{background:#4a5568}" +
    ".pywry-toast b{display:block;margin-bottom:4px}.pywry-toast button{margin:8px 8px 0 0}" +
    ".pywry-banner{position:fixed;left:0;right:0;bottom:0;padding:8px;text-align:center;" +
    "font:13px system-ui,sans-serif;background:#744210;color:#fff;z-index:2147483647}";

  function ensureToastCss() {
    if (document.getElementById("pywry-toast-css")) return;
    var style = document.createElement("style");
    style.id = "pywry-toast-css";
    style.textContent = TOAST_CSS;
    (document.head || document.documentElement).appendChild(style);
  }

  function alertToast(data) {
    ensureToastCss();
    var position = /^(top|bottom)-(left|right)$/.test(data.position || "") ? data.position : "top-right";
    var box = document.querySelector(".pywry-toasts." + position);
    if (!box) {
      box = document.createElement("div");
      box.className = "pywry-toasts " + position;
      document.body.appendChild(box);
    }
    var kind = /^(info|success|warning|error|confirm)$/.test(data.type || "") ? data.type : "info";
    var toast = document.createElement("div");
    toast.className = "pywry-toast " + kind;
    toast.setAttribute("role", kind === "error" || kind === "confirm" ? "alertdialog" : "status");
    if (data.title) {
      var title = document.createElement("b");
      title.textContent = data.title;
      toast.appendChild(title);
    }
    var text = document.createElement("span");
    text.textContent = data.message == null ? "" : String(data.message);
    toast.appendChild(text);
    box.appendChild(toast);
    function dismiss() { if (toast.parentNode) toast.parentNode.removeChild(toast); }
    if (kind === "confirm") {
      var row = document.createElement("div");
      [["OK", true], ["Cancel", false]].forEach(function (pair) {
        var button = document.createElement("button");
        button.type = "button";
        button.textContent = pair[0];
        button.className = "pywry-confirm-" + (pair[1] ? "ok" : "cancel");
        button.onclick = function () {
          dismiss();
          if (data.callback_event) api.emit(data.callback_event, { confirmed: pair[1] });
        };
        row.appendChild(button);
      });
      toast.appendChild(row);
      return;
    }
    var duration = typeof data.duration === "number" ? data.duration : kind === "error" ? 8000 : 4000;
    if (duration > 0) setTimeout(dismiss, duration);
    toast.onclick = dismiss;
  }

  function banner(message, offerReload) {
    ensureToastCss();
    var el = document.getElementById("pywry-banner");
    if (!el) {
      el = document.createElement("div");
      el.id = "pywry-banner";
      el.className = "pywry-banner";
      el.setAttribute("role", "status");
      (document.body || document.documentElement).appendChild(el);
    }
    el.textContent = message;
    if (offerReload) {
      var button = document.createElement("button");
      button.type = "button";
      button.textContent = "Reload";
      button.style.marginLeft = "12px";
      button.onclick = function () { location.reload(); };
      el.appendChild(button);
    }
  }

  function clearBanner() {
    var el = document.getElementById("pywry-banner");
    if (el) el.remove();
  }

  function stopped() {
    // A server that stopped on purpose does not come back by itself: stop retrying.
    if (state === "closed") return;
    state = "closed";
    if (reconnectTimer) { clearTimeout(reconnectTimer); reconnectTimer = null; }
    banner("The pywry server stopped.", true);
  }
