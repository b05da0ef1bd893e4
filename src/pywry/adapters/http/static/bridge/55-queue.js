  // ------------------------------------------------------------------ the queue
  function checkedBody(type, body) {
    // The limit counts the text in bytes of UTF-8 (up to 3 per character here: counted
    // only when the characters alone could exceed it) and the binary values.
    var text = typeof body === "string" ? body : body[0];
    var extra = 0;
    if (typeof body !== "string") for (var i = 0; i < body[1].length; i++) extra += body[1][i].byteLength;
    var limit = Math.min(maxText, maxMessage - extra);
    var size = text.length * 3 > limit ? new TextEncoder().encode(text).length : text.length;
    if (size > maxText || size + extra > maxMessage) {
      throw new Error("pywry: event '" + type + "' is too big to send (" + (size + extra) +
        " bytes; the server accepts " + (size > maxText ? maxText + " of text" : maxMessage) + ")");
    }
    return body;
  }

  // Blobs are read before their event is queued; until then, every event emitted after one
  // waits for it, so events still leave in the order they were emitted.
  var reading = null;

  function enqueue(type, data, id) {
    // Queue one frame and send it if the socket is open. Throws when it is too big; when
    // its data holds a Blob, returns a promise (rejected when it is too big) instead.
    var found = findBinary(data, [], []);
    var hasBlob = false;
    for (var i = 0; i < found.length; i++) if (!(found[i].value instanceof ArrayBuffer) && !ArrayBuffer.isView(found[i].value)) hasBlob = true;
    if (!hasBlob && !reading) {
      queue.push(checkedBody(type, encode(type, data, id, found)));
      flush();
      return null;
    }
    var step = (reading || Promise.resolve()).then(function () {
      return Promise.all(found.map(function (f) { return f.value instanceof Blob ? f.value.arrayBuffer() : f.value; }));
    }).then(function (values) {
      for (var k = 0; k < values.length; k++) found[k].value = values[k];
      queue.push(checkedBody(type, encode(type, data, id, found)));
      flush();
    });
    var mine = step.then(null, function () {}).then(function () { if (reading === mine) reading = null; });
    reading = mine;
    return step;
  }
