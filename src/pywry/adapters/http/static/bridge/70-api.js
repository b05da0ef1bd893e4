  // ------------------------------------------------------------------ the API
  var api = {
    __bridge: true,
    label: label,
    emit: function (type, data) {
      // Throws when the event is too big; with a Blob in its data, returns a promise of
      // the Blob's being read and the event queued (rejected when it is too big).
      checkName(type, false);
      return enqueue(type, data) || undefined;
    },
    call: function (type, data, options) {
      // Resolves with what Python's callback for `type` returns; rejects with a
      // PyWryCallError (it raised, or there is none), or a TimeoutError (default 30 s).
      checkName(type, false);
      var timeout = options && options.timeout != null ? Number(options.timeout) : 30000;
      var id = pageId + "." + (++callCount);
      return new Promise(function (resolve, reject) {
        var timer = setTimeout(function () {
          delete calls[id];
          reject(namedError("TimeoutError", "pywry: no answer to '" + type + "' within " + timeout + " ms"));
        }, timeout);
        calls[id] = { resolve: resolve, reject: reject, timer: timer };
        function refused(err) {
          clearTimeout(timer);
          delete calls[id];
          reject(err);
        }
        try {
          var reading = enqueue(type, data, id);
          if (reading) reading.catch(refused);
        } catch (err) {
          refused(err);
        }
      });
    },
    handle: function (type, fn) {
      // Answer the script's request(type, data) with fn(data) (a value or a promise); one
      // handler per type, null removes it.
      checkName(type, false);
      if (fn == null) delete callees[type];
      else if (typeof fn !== "function") throw new Error("pywry: handle('" + type + "') needs a function");
      else callees[type] = fn;
      return api;
    },
    on: function (type, fn) {
      checkName(type, true);
      if (typeof fn !== "function") throw new Error("pywry: on('" + type + "') needs a function");
      handlers[type] = (handlers[type] || []).concat([fn]); // a new list: see deliver()
      // What waited for a handler like this one goes to it now, in the order it arrived.
      var prefix = type.slice(-2) === ":*" ? type.slice(0, -1) : null;
      var wanted = function (t) { return type === "*" || t === type || (prefix !== null && t.indexOf(prefix) === 0); };
      var due = [];
      var kept = [];
      for (var i = 0; i < pending.length; i++) (wanted(pending[i][0]) ? due : kept).push(pending[i]);
      if (due.length) {
        pending = kept;
        for (var k = 0; k < due.length; k++) pendingCount[due[k][0]]--;
        for (var j = 0; j < due.length; j++) deliver(due[j][0], due[j][1]);
      }
      return api;
    },
    off: function (type, fn) {
      checkName(type, true);
      if (!handlers[type]) return api;
      if (fn) handlers[type] = handlers[type].filter(function (h) { return h !== fn; });
      else delete handlers[type];
      return api;
    },
    injectCSS: function (css, id) { return injectCss({ css: css, id: id }); },
    removeCSS: function (id) { removeCss({ id: id }); },
    get config() { return pageConfig; }, // never the token
    get theme() { return shownTheme(); },
    version: cfg.version || "",
    result: function (data) { api.emit("pywry:result", data); },
    send: function (data) { api.emit("pywry:message", data); },
    get connected() { return state === "open"; },
    get lastSeq() { return lastSeq; },
    get pending() { return queue.length + unacked.length; },
    _readyFired: false,
    // For HtmlContent's init scripts: fn() once the bridge has connected, or now if it has.
    _afterConnect: function (fn) {
      if (connectWaiters) connectWaiters.push(fn);
      else fn();
    }
  };
  window.pywry = api;

  window.addEventListener("pagehide", function () {
    if (state === "closed") return;
    var reason = "page closed";
    try {
      if (state === "open" && socket && socket.readyState === 1) {
        queue.push(encode("pywry:disconnect", { reason: reason }));
        flush();
      }
      var body = JSON.stringify({ token: cfg.token, page: pageId, reason: reason });
      navigator.sendBeacon(cfg.disconnect, new Blob([body], { type: "text/plain" }));
    } catch (err) { /* leaving anyway */ }
  });

  window.addEventListener("pageshow", function (ev) {
    // Restored from the back-forward cache: the old socket is gone, connect at once.
    if (ev.persisted && state !== "closed" && !socket) {
      if (reconnectTimer) clearTimeout(reconnectTimer);
      reconnectTimer = null;
      attempts = 0;
      connect();
    }
  });
  window.addEventListener("online", reconnectNow);

  // Before the body is drawn (this script is in the head): the first paint has the theme.
  applyTheme(themeOf(cfg.theme || "dark"));
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", markWidget);
  else markWidget();
  if (prefersDark && prefersDark.addEventListener) {
    prefersDark.addEventListener("change", function () {
      if (themeMode !== "system") return;
      applyTheme("system");
      deliver("pywry:theme-update", { mode: shownTheme(), original: "system" });
    });
  }

  connect();
})();
