  // ------------------------------------------------------------------ calls both ways
  // call(): the request is an ordinary numbered frame with an id, so it is sent exactly once
  // across reconnects; the answer (pywry:reply) is numbered in the widget's stream, so a
  // page whose socket dropped gets it by replay. Every page of the widget sees every reply
  // and settles only its own calls: a reply is used once, then forgotten.
  var calls = Object.create(null); // id -> {resolve, reject, timer}
  var callCount = 0;
  var callees = Object.create(null); // type -> the page's handler of the script's requests
  var seenRequests = Object.create(null); // request ids answered (or being answered) here
  var seenOrder = [];
  var MAX_SEEN_REQUESTS = 1000;

  function namedError(name, message) {
    var err = new Error(message);
    err.name = name;
    return err;
  }

  function settleCall(d) {
    var call = calls[d.id];
    if (!call) return; // another page's call, or one that timed out
    delete calls[d.id];
    clearTimeout(call.timer);
    if (d.ok) return call.resolve(d.value);
    var e = d.error || {};
    call.reject(namedError("PyWryCallError", (e.type ? e.type + ": " : "") + (e.message || "")));
  }

  function answerRequest(d) {
    // Sent again when the socket comes back while the question is open: answered once.
    if (seenRequests[d.id]) return;
    var fn = callees[d.type];
    if (!fn && document.readyState === "loading") {
      // The page's own scripts may not have registered their handlers yet.
      return document.addEventListener("DOMContentLoaded", function () { answerRequest(d); });
    }
    seenRequests[d.id] = true;
    seenOrder.push(d.id);
    if (seenOrder.length > MAX_SEEN_REQUESTS) delete seenRequests[seenOrder.shift()];
    if (!fn) {
      return respond(d.id, false, null, {
        name: "NoHandler", message: "this page has no window.pywry.handle('" + d.type + "', fn)"
      });
    }
    new Promise(function (resolve) { resolve(fn(d.data)); }).then(
      function (value) { respond(d.id, true, value === undefined ? null : value); },
      function (err) {
        respond(d.id, false, null, {
          name: (err && err.name) || "Error",
          message: err && err.message !== undefined ? String(err.message) : String(err)
        });
      }
    );
  }

  function respond(id, ok, value, error) {
    var answer = ok ? { id: id, ok: true, value: value } : { id: id, ok: false, error: error };
    var failed = function (err) {
      var message = "the handler's answer cannot be sent: " + err.message;
      enqueue("pywry:response", { id: id, ok: false, error: { name: "TypeError", message: message } });
    };
    try {
      var reading = enqueue("pywry:response", answer);
      if (reading) reading.catch(failed);
    } catch (err) {
      failed(err);
    }
  }
