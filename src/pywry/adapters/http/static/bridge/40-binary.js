  // ------------------------------------------------------------------ binary values
  // Binary values in an event's data travel after its frame as binary messages (the
  // server's app/binary.py has the rules, the same both ways): the frame has null in their
  // places and a "bins" list saying where each goes, how long it is and, for an array, its
  // dtype and shape; each value follows in pieces of at most `chunk` bytes, in that order.
  var chunk = 1048576; // the hello says the server's
  var TYPED = {
    int8: Int8Array, uint8: Uint8Array, int16: Int16Array, uint16: Uint16Array,
    int32: Int32Array, uint32: Uint32Array, int64: window.BigInt64Array,
    uint64: window.BigUint64Array, float32: Float32Array, float64: Float64Array, bool: Uint8Array
  };
  var incoming = null; // frames received whose binary values are still on their way

  function isBinary(value) {
    return value instanceof ArrayBuffer || ArrayBuffer.isView(value) ||
      (typeof Blob !== "undefined" && value instanceof Blob);
  }

  function findBinary(value, path, found) {
    // Where the binary values (and Blobs) in `value` are; plain objects and arrays only.
    if (value === null || typeof value !== "object") return found;
    if (isBinary(value)) {
      found.push({ path: path.slice(), value: value });
      return found;
    }
    var array = Array.isArray(value);
    if (!array && Object.getPrototypeOf(value) !== Object.prototype && Object.getPrototypeOf(value) !== null) {
      return found; // a Date, a Map...: JSON's to write as it does
    }
    var keys = array ? null : Object.keys(value);
    var count = array ? value.length : keys.length;
    for (var i = 0; i < count; i++) {
      var key = array ? i : keys[i];
      var item = value[key];
      if (item !== null && typeof item === "object") {
        path.push(key);
        findBinary(item, path, found);
        path.pop();
      }
    }
    return found;
  }

  function withoutBinary(data, found) {
    // A copy of `data` with null in each binary value's place; only the objects and arrays
    // on the way to one are copied, the page's own data is never changed.
    if (found.length && !found[0].path.length) return null;
    var root = Array.isArray(data) ? data.slice() : Object.assign({}, data);
    var copied = [root];
    for (var i = 0; i < found.length; i++) {
      var path = found[i].path;
      var holder = root;
      for (var j = 0; j < path.length - 1; j++) {
        var child = holder[path[j]];
        if (copied.indexOf(child) < 0) {
          child = holder[path[j]] = Array.isArray(child) ? child.slice() : Object.assign({}, child);
          copied.push(child);
        }
        holder = child;
      }
      holder[path[path.length - 1]] = null;
    }
    return root;
  }

  function asBytes(value) {
    if (value instanceof ArrayBuffer) return new Uint8Array(value);
    return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  }

  function sendPieces(ws, bufs) {
    for (var i = 0; i < bufs.length; i++) {
      for (var at = 0; at < bufs[i].byteLength; at += chunk) ws.send(bufs[i].subarray(at, at + chunk));
    }
  }

  // ---- received: a message announcing values, then the pieces
  function expectBinary(frames) {
    var bins = [];
    for (var i = 0; i < frames.length; i++) {
      var specs = frames[i] && frames[i].bins;
      if (!Array.isArray(specs)) continue;
      for (var j = 0; j < specs.length; j++) bins.push({ frame: frames[i], spec: specs[j] });
    }
    if (!bins.length) return false;
    incoming = { frames: frames, bins: bins, done: 0, parts: [], filled: 0 };
    settleBinary();
    return true;
  }

  function takePiece(buffer) {
    var wait = incoming;
    if (!wait || wait.done >= wait.bins.length) return console.error("pywry: a binary message no frame announced");
    wait.parts.push(buffer);
    wait.filled += buffer.byteLength;
    settleBinary();
  }

  function settleBinary() {
    var wait = incoming;
    while (wait.done < wait.bins.length && wait.filled >= wait.bins[wait.done].spec.len) {
      var bin = wait.bins[wait.done];
      place(bin.frame, bin.spec, joined(wait.parts, bin.spec.len));
      wait.parts = [];
      wait.filled = 0;
      wait.done++;
    }
    if (wait.done < wait.bins.length) return;
    incoming = null;
    for (var i = 0; i < wait.frames.length; i++) {
      delete wait.frames[i].bins;
      handleFrame(wait.frames[i]);
    }
  }

  function joined(parts, length) {
    if (parts.length === 1) return parts[0]; // came whole: used as it came
    var whole = new Uint8Array(length);
    for (var i = 0, at = 0; i < parts.length; i++) {
      whole.set(new Uint8Array(parts[i]), at);
      at += parts[i].byteLength;
    }
    return whole.buffer;
  }

  function place(frame, spec, buffer) {
    var Typed = (spec.dtype && TYPED[spec.dtype]) || Uint8Array;
    var value = new Typed(buffer);
    if (spec.dtype) {
      value.dtype = spec.dtype;
      value.shape = spec.shape || [value.length];
    }
    var path = spec.path || [];
    if (!path.length) return (frame.data = value);
    var holder = frame.data;
    for (var i = 0; i < path.length - 1; i++) holder = holder[path[i]];
    holder[path[path.length - 1]] = value;
  }
