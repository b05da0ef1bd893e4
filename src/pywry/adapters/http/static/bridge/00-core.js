/* pywry page bridge: window.pywry, the page's side of the event bridge.
 *
 * One WebSocket per page. Frames from the server carry a sequence number; the page keeps
 * the last one it saw and, after a reconnect, asks for what follows it, so nothing is lost
 * and nothing is handled twice. The other way round, the page numbers what it sends and
 * keeps each frame until the server acknowledges it (`pywry:ack`); on every (re)connect the
 * server's first frame, `pywry:hello`, says the last one it handled, and the page resends
 * only what follows. Events emitted while the socket is down wait in a queue.
 */
(function () {
  "use strict";
  if (window.pywry && window.pywry.__bridge) return;

  var MAX_PENDING_PER_TYPE = 1000;
  var configEl = document.getElementById("pywry-config");
  // The server's config for this page: its addresses, the close codes and the event-name
  // rule come from there, so the page and the server cannot disagree on them.
  var cfg = configEl ? JSON.parse(configEl.textContent) : {};
  var CLOSE = cfg.close || {};
  var EVENT_NAME = new RegExp(cfg.eventName);
  var NS_WILDCARD = /^[a-zA-Z][a-zA-Z0-9]*:\*$/;
  var label = cfg.label;
  var pageId = Math.random().toString(36).slice(2, 12) + Date.now().toString(36);
  var SINCE_KEY = "pywry:since:" + label;
  var lastSeq = carriedSince(cfg.since || 0, cfg.contentSeq || 0);
  var currentSeq = 0; // the number of the frame being handled
  var reloading = false; // a whole new document is coming: handle nothing more here
  var outSeq = 0;
  var handlers = Object.create(null); // type -> [fn]
  var pending = []; // [type, data] received before any handler, in arrival order
  var pendingCount = Object.create(null); // type -> how many of it wait in pending
  var queue = []; // encoded frames (without their number) waiting for an open socket
  var unacked = []; // [seq, text] sent but not yet acknowledged by the server, oldest first
  var maxMessage = 4 * 1024 * 1024; // the server's limit of an event, as its hello says
  var maxText = maxMessage; // and of the text of one message
  var socket = null;
  var state = "connecting"; // connecting | open (hello received) | closed (for good)
  var attempts = 0;
  var readySent = false;
  var connectWaiters = []; // run once when the socket first opens (null after): init scripts
  var reconnectTimer = null;
  var RELOAD_KEY = "pywry:auth-reloads:" + label;

  function checkName(name, wildcardOk) {
    if (typeof name !== "string") throw new Error("pywry: event name must be a string");
    if (wildcardOk && (name === "*" || NS_WILDCARD.test(name))) return name;
    if (!EVENT_NAME.test(name)) {
      throw new Error(
        "pywry: invalid event name '" + name + "': use 'namespace:event' or 'namespace:event:id'" +
          " (a namespace of letters and digits, an event of letters, digits, '_' and '-', each" +
          " starting with a letter; an id of letters, digits, '_' and '-')"
      );
    }
    return name;
  }

  function log() {
    if (cfg.debug && window.console) console.debug.apply(console, ["[pywry]"].concat([].slice.call(arguments)));
  }

  // ------------------------------------------------------------------ dispatching
  function deliver(type, data) {
    // The lists as they are now, with nothing copied: on() and off() replace a list instead
    // of changing it, so a handler that adds or removes handlers leaves this delivery as is.
    var exact = handlers[type];
    var colon = type.indexOf(":");
    var spaced = handlers[(colon < 0 ? type : type.slice(0, colon)) + ":*"];
    var every = handlers["*"];
    if (!(exact && exact.length) && !(spaced && spaced.length) && !(every && every.length)) {
      // Replayed to the first handler registered for this type (the release does the same).
      var count = pendingCount[type] || 0;
      if (count < MAX_PENDING_PER_TYPE) {
        pending.push([type, data]);
        pendingCount[type] = count + 1;
      }
      return;
    }
    if (exact) callEach(exact, type, data, false);
    if (spaced) callEach(spaced, type, data, true);
    if (every) callEach(every, type, data, true);
  }

  function callEach(list, type, data, withType) {
    for (var i = 0; i < list.length; i++) {
      try {
        if (withType) list[i](data, type);
        else list[i](data);
      } catch (err) {
        console.error("pywry: handler for '" + type + "' failed:", err);
      }
    }
  }
