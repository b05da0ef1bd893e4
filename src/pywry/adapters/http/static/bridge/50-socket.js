  // ------------------------------------------------------------------ the socket
  function wsUrl() {
    var scheme = location.protocol === "https:" ? "wss:" : "ws:";
    // The log the numbers count in: a page whose log was lost (a shared store that
    // restarted empty) is told to reload instead of waiting for numbers it has seen.
    var epoch = cfg.epoch ? "&epoch=" + encodeURIComponent(cfg.epoch) : "";
    return scheme + "//" + location.host + cfg.ws + "?page=" + pageId + "&since=" + lastSeq + epoch;
  }

  function authFailed() {
    if (state === "closed") return;
    state = "closed";
    var count = 2; // without sessionStorage the reloads cannot be counted: no reload loop
    try {
      count = parseInt(sessionStorage.getItem(RELOAD_KEY) || "0", 10);
      sessionStorage.setItem(RELOAD_KEY, String(count + 1));
    } catch (err) { /* storage off: tell the user instead */ }
    if (count < 2) {
      // The server restarted (new token) or forgot this widget: a reload fetches a fresh page.
      location.reload();
    } else {
      banner("This page can no longer connect to its pywry server. Reload it to try again.");
    }
  }

  function connect() {
    reconnectTimer = null;
    if (state === "closed") return;
    state = "connecting";
    var ws;
    try {
      ws = new WebSocket(wsUrl(), ["pywry.v1", "pywry.token." + cfg.token]);
    } catch (err) {
      console.error("pywry: cannot open the socket:", err);
      return scheduleReconnect();
    }
    socket = ws;
    // Nothing is sent before the server's hello: it says what to resend.
    ws.onopen = function () { log("socket open"); };
    ws.binaryType = "arraybuffer";
    ws.onmessage = function (msg) {
      if (socket !== ws) return;
      if (typeof msg.data !== "string") return takePiece(msg.data);
      var frame;
      try { frame = JSON.parse(msg.data); } catch (err) { return console.error("pywry: bad frame", err); }
      if (!frame) return;
      var frames = Array.isArray(frame.events) ? frame.events : [frame];
      if (incoming) {
        console.error("pywry: a frame came before the binary values announced");
        incoming = null;
      }
      if (expectBinary(frames)) return; // handled once their binary values are in
      for (var i = 0; i < frames.length; i++) handleFrame(frames[i]);
    };
    ws.onclose = function (ev) {
      if (socket !== ws) return;
      socket = null;
      incoming = null; // what was cut short is sent again after the reconnect
      log("socket closed", ev.code, ev.reason);
      if (state === "closed") return;
      if (ev.code === CLOSE.auth) return authFailed();
      if (ev.code === CLOSE.goingAway) return stopped();
      if (ev.code === CLOSE.policy || ev.code === CLOSE.tooBig) {
        state = "closed";
        return banner("pywry refused this page: " + (ev.reason || "policy"), true);
      }
      if (ev.code === CLOSE.resync) { state = "closed"; return location.reload(); }
      state = "connecting";
      scheduleReconnect();
    };
  }

  function hello(d) {
    if (typeof d.maxMessage === "number" && d.maxMessage > 0) maxMessage = maxText = d.maxMessage;
    if (typeof d.maxText === "number" && d.maxText > 0) maxText = d.maxText;
    if (typeof d.chunk === "number" && d.chunk > 0) chunk = d.chunk;
    // What the server handled before the socket dropped is done; the rest goes again, first.
    acknowledge(typeof d.inbound === "number" ? d.inbound : 0);
    state = "open";
    attempts = 0;
    clearBanner();
    if (!readySent) {
      readySent = true;
      queue.unshift(encode("pywry:ready", {}));
    }
    if (unacked.length) transmit(unacked);
    flush();
    setTimeout(function () {
      try { sessionStorage.removeItem(RELOAD_KEY); } catch (err) { /* storage off */ }
    }, 3000);
    if (!api._readyFired) {
      api._readyFired = true;
      // The content's init scripts first: a pywry:ready handler they add still gets it.
      var waiting = connectWaiters;
      connectWaiters = null;
      for (var i = 0; i < waiting.length; i++) {
        try { waiting[i](); } catch (err) { console.error("pywry: init script failed:", err); }
      }
      deliver("pywry:ready", {});
    }
  }

  function acknowledge(handled) {
    if (typeof handled !== "number") return;
    var done = 0;
    while (done < unacked.length && unacked[done][0] <= handled) done++;
    if (done) unacked.splice(0, done);
  }

  function scheduleReconnect() {
    if (reconnectTimer || state === "closed") return;
    var base = Math.min(10000, 1000 * Math.pow(2, attempts));
    attempts++;
    var delay = base * (0.8 + Math.random() * 0.4);
    if (attempts > 2) banner("Connection to pywry lost; reconnecting…");
    reconnectTimer = setTimeout(connect, delay);
  }

  function reconnectNow() {
    // The network (or the tab) is back: no need to wait out the backoff.
    if (state === "closed" || socket || !reconnectTimer) return;
    clearTimeout(reconnectTimer);
    attempts = 0;
    connect();
  }

  function encode(type, data, id, found) {
    // Encoded once, numbered as it leaves: '{"seq":N,' + the rest. An id makes it a call.
    // With binary values (found by findBinary, Blobs already read), [text, their bytes].
    var frame = { type: type, data: data === undefined ? null : data, widgetId: label, ts: Date.now() };
    if (id !== undefined) frame.id = id;
    if (!found || !found.length) return JSON.stringify(frame);
    var bufs = [];
    frame.bins = [];
    frame.data = withoutBinary(frame.data, found);
    for (var i = 0; i < found.length; i++) {
      var bytes = asBytes(found[i].value);
      bufs.push(bytes);
      frame.bins.push({ path: found[i].path, len: bytes.byteLength });
    }
    return [JSON.stringify(frame), bufs];
  }

  function transmit(frames) {
    // Messages of at most a quarter of the server's limit in characters (a character is
    // at most 3 bytes of UTF-8): a long queue never makes a message the server refuses.
    // The binary values of a message's frames follow it.
    var budget = Math.max(1024, Math.floor(maxText / 4));
    var parts = [];
    var bufs = [];
    var size = 0;
    function send() {
      if (!parts.length) return;
      socket.send(parts.length === 1 ? parts[0] : '{"events":[' + parts.join(",") + "]}");
      sendPieces(socket, bufs);
      parts = [];
      bufs = [];
      size = 0;
    }
    for (var i = 0; i < frames.length; i++) {
      var text = frames[i][1];
      var extra = frames[i][2] ? frames[i][2].reduce(function (n, b) { return n + b.byteLength; }, 0) : 0;
      if (parts.length && size + text.length + extra > budget) send();
      parts.push(text);
      if (extra || frames[i][2]) bufs.push.apply(bufs, frames[i][2]);
      size += text.length + 1 + extra;
    }
    send();
  }

  function flush() {
    if (state !== "open" || !socket || socket.readyState !== 1 || !queue.length) return;
    var bodies = queue;
    queue = [];
    var frames = [];
    // Numbered as they leave, and kept until acknowledged, so a socket that dies with
    // frames in flight loses none: they go again after the next hello.
    for (var i = 0; i < bodies.length; i++) {
      var seq = ++outSeq;
      var body = bodies[i];
      var text = typeof body === "string" ? body : body[0];
      var frame = [seq, '{"seq":' + seq + "," + text.slice(1), typeof body === "string" ? null : body[1]];
      unacked.push(frame);
      frames.push(frame);
    }
    transmit(frames);
  }
