  var builtins = {
    "pywry:update-html": updateHtml,
    "pywry:set-content": function (d) {
      var el = target(d);
      if (!el) return console.warn("pywry: set-content found no element for", d.id || d.selector);
      if (d.html != null) { el.innerHTML = d.html; runScripts(el); } else el.textContent = d.text == null ? "" : d.text;
    },
    "pywry:set-style": function (d) {
      var els = d.id ? [document.getElementById(d.id)] : d.selector ? document.querySelectorAll(d.selector) : [];
      var styles = d.styles || {};
      for (var i = 0; i < els.length; i++) {
        if (!els[i]) continue;
        for (var key in styles) els[i].style.setProperty(kebab(key), styles[key]);
      }
    },
    "pywry:inject-css": injectCss,
    "pywry:remove-css": removeCss,
    "pywry:alert": alertToast,
    "pywry:navigate": function (d) {
      // Parsed as the browser will (it drops tabs, newlines and leading control characters,
      // so "java\tscript:" is javascript: too), and only web addresses are followed.
      var url;
      try { url = new URL(String(d.url || ""), location.href); } catch (err) {
        return console.error("pywry: cannot navigate to", d.url);
      }
      if (url.protocol !== "http:" && url.protocol !== "https:") {
        return console.error("pywry: refusing to navigate to a " + url.protocol + " URL");
      }
      location.href = url.href;
    },
    "pywry:download": function (d) {
      var blob = new Blob([d.content == null ? "" : d.content], { type: d.mimeType || "application/octet-stream" });
      var link = document.createElement("a");
      link.href = URL.createObjectURL(blob);
      link.download = d.filename || "download";
      document.body.appendChild(link);
      link.click();
      setTimeout(function () { URL.revokeObjectURL(link.href); link.remove(); }, 1000);
    },
    "pywry:update-theme": function (d) {
      if (!d.theme) return console.error("pywry: update-theme needs a theme");
      applyTheme(themeOf(d.theme));
      deliver("pywry:theme-update", { mode: shownTheme(), original: themeMode });
    },
    "pywry:refresh": reloadAfterThisFrame,
    "pywry:error": function (d) {
      console.error("pywry: " + (d.error || "error") + (d.event ? " in '" + d.event + "'" : "") + ": " + (d.message || ""));
    },
    "pywry:overflow": function (d) {
      console.warn("pywry: this page fell " + (d.missed || "some") + " events behind; reloading");
    },
    "pywry:resync": function () { state = "closed"; location.reload(); },
    "pywry:closed": function () { state = "closed"; banner("This widget was closed by the script."); },
    "pywry:server-stopped": stopped,
    // A served app comes back: the socket closes (1012) and the page reconnects with backoff.
    "pywry:server-restarting": function () { banner("The server is restarting; reconnecting..."); },
    "pywry:auth-error": function () { authFailed(); },
    "pywry:hello": hello,
    "pywry:ack": function (d) { acknowledge(d.inbound); },
    "pywry:reply": settleCall,
    "pywry:request": answerRequest
  };
  // The bridge's own bookkeeping: never shown to the page's handlers.
  var internal = { "pywry:hello": true, "pywry:ack": true, "pywry:reply": true, "pywry:request": true };

  function handleFrame(frame) {
    if (reloading) return;
    if (typeof frame.seq === "number") {
      if (frame.seq <= lastSeq) return; // already seen before a reconnect
      lastSeq = frame.seq;
      currentSeq = frame.seq;
    }
    var type = frame.type;
    if (typeof type !== "string") return;
    var builtin = builtins[type];
    if (builtin) {
      try { builtin(frame.data || {}); } catch (err) { console.error("pywry: built-in '" + type + "' failed:", err); }
    }
    if (!internal[type]) deliver(type, frame.data);
  }
