// Toolbars and modals: each item sends its event through window.pywry.emit, and the
// script sets values, answers state requests and opens modals. Inlined only into pages
// that have components; listeners are on the document, so content replaced later works too.
(function () {
  "use strict";
  var api = window.pywry;
  if (!api) return;
  // A second copy runs when an update in place drew the toolbars and modals again around new
  // content: the first copy's listeners serve them already; it puts back what they showed.
  if (api.__components) { api.__components(); return; }
  api.__components = redrawn;

  var timers = Object.create(null);
  function byId(id) { return id ? document.getElementById(String(id)) : null; }
  function kindOf(el) { return el && el.getAttribute("data-kind"); }
  function itemOf(node) {
    // The item an event happened in: a group's inner input belongs to its container.
    return node instanceof Element ? node.closest("[data-kind]") : null;
  }
  function inputs(el) { return Array.prototype.slice.call(el.querySelectorAll("input")); }
  function ticked(el) {
    return inputs(el).filter(function (i) { return i.checked; }).map(function (i) { return i.value; });
  }

  function valueOf(el) {
    var kind = kindOf(el);
    if (kind === "range") {
      return { start: Number(el.querySelector(".pywry-range-start").value),
               end: Number(el.querySelector(".pywry-range-end").value) };
    }
    if (kind === "multiselect") return ticked(el);
    if (kind === "radio") { var one = ticked(el); return one.length ? one[0] : null; }
    if (kind === "tab") {
      var active = el.querySelector(".pywry-tab-active");
      return active ? active.getAttribute("data-value") : null;
    }
    if (kind === "toggle" || kind === "checkbox") return el.checked;
    if (kind === "number") return el.value === "" ? null : Number(el.value);
    if (kind === "slider") return Number(el.value);
    if (kind === "button") return { disabled: el.disabled };
    if (kind === "div") return el.textContent;
    if (kind === "secret") return { has_value: el.getAttribute("data-has-value") === "true" };
    return "value" in el ? el.value : null;
  }

  function send(el, payload) {
    var name = el.getAttribute("data-event");
    if (!name) return;
    modalCommand(name);
    api.emit(name, payload);
  }

  function sendValue(el) {
    var kind = kindOf(el);
    var value = valueOf(el);
    keep(el.id, value);
    if (kind === "range") send(el, { start: value.start, end: value.end, componentId: el.id });
    else if (kind === "multiselect") send(el, { values: value, componentId: el.id });
    else send(el, { value: value, componentId: el.id });
  }

  function later(el, fallback) {
    // Typing and sliding send once the user pauses, as the release's debounce does.
    var wait = Number(el.getAttribute("data-debounce"));
    if (!(wait >= 0)) wait = fallback;
    clearTimeout(timers[el.id]);
    timers[el.id] = setTimeout(function () { sendValue(el); }, wait);
  }

  function showSlider(el) {
    var out = el.nextElementSibling;
    if (out && out.classList.contains("pywry-slider-value")) out.textContent = el.value;
  }

  function showRange(el, moved) {
    // The handles never cross: the one moved stops at the other.
    var start = el.querySelector(".pywry-range-start");
    var end = el.querySelector(".pywry-range-end");
    if (Number(start.value) > Number(end.value)) {
      if (moved === start) start.value = end.value; else end.value = start.value;
    }
    var out = el.querySelector(".pywry-range-value");
    if (out) out.textContent = start.value + " - " + end.value;
  }

  function activateTab(el, value) {
    var tabs = el.querySelectorAll(".pywry-tab");
    for (var i = 0; i < tabs.length; i++) {
      var on = tabs[i].getAttribute("data-value") === String(value);
      tabs[i].classList.toggle("pywry-tab-active", on);
      tabs[i].setAttribute("aria-selected", on ? "true" : "false");
    }
  }

  // ------------------------------------------------------------------ user actions
  document.addEventListener("click", function (e) {
    var target = e.target instanceof Element ? e.target : null;
    if (!target) return;
    var close = target.closest(".pywry-modal-close");
    if (close) { closeModal(close.closest(".pywry-modal-overlay")); return; }
    if (target.classList.contains("pywry-modal-overlay")) {
      if (target.getAttribute("data-close-on-overlay") !== "false") closeModal(target);
      return;
    }
    var toggle = target.closest(".pywry-toolbar-toggle");
    if (toggle) {
      // The release's events: toolbar:collapse / toolbar:expand {componentId, collapsed}.
      var bar = toggle.closest(".pywry-toolbar");
      var collapsed = bar.classList.toggle("pywry-toolbar-collapsed");
      toggle.setAttribute("aria-expanded", collapsed ? "false" : "true");
      api.emit(collapsed ? "toolbar:collapse" : "toolbar:expand", { componentId: bar.id, collapsed: collapsed });
      return;
    }
    var tab = target.closest(".pywry-tab");
    if (tab && !tab.disabled) {
      var group = itemOf(tab);
      if (group && !tab.classList.contains("pywry-tab-active")) {
        activateTab(group, tab.getAttribute("data-value"));
        sendValue(group);
      }
      return;
    }
    var marquee = target.closest('[data-kind="marquee"][data-text]');
    if (marquee) { send(marquee, { value: marquee.getAttribute("data-text"), componentId: marquee.id }); return; }
    var button = target.closest('button[data-kind="button"]');
    if (!button || button.disabled) return;
    var payload = { componentId: button.id };
    var extra = button.getAttribute("data-data");
    if (extra) {
      var data = JSON.parse(extra);
      for (var key in data) if (Object.prototype.hasOwnProperty.call(data, key)) payload[key] = data[key];
    }
    send(button, payload);
  });

  var onChange = { select: 1, toggle: 1, checkbox: 1, number: 1, date: 1, radio: 1, multiselect: 1 };
  document.addEventListener("change", function (e) {
    var el = itemOf(e.target);
    if (el && onChange[kindOf(el)]) sendValue(el);
  });

  document.addEventListener("input", function (e) {
    if (e.target.classList && e.target.classList.contains("pywry-search-input")) {
      // A searchable Select's box: options whose label does not hold the text are hidden.
      var query = e.target.value.toLowerCase();
      var select = e.target.parentNode.querySelector("select");
      if (select) Array.prototype.forEach.call(select.options, function (o) { o.hidden = o.textContent.toLowerCase().indexOf(query) < 0; });
      return;
    }
    var el = itemOf(e.target);
    var kind = kindOf(el);
    if (kind === "text" || kind === "search" || kind === "textarea") later(el, 300);
    else if (kind === "slider") { showSlider(el); later(el, 50); }
    else if (kind === "range") { showRange(el, e.target); later(el, 50); }
  });

  document.addEventListener("keydown", function (e) {
    if (e.key !== "Escape") return;
    var open = document.querySelectorAll(".pywry-modal-overlay.pywry-modal-open");
    var top = open[open.length - 1];
    if (top && top.getAttribute("data-close-on-escape") !== "false") closeModal(top);
  });

  // ------------------------------------------------------------------ modals
  var openIds = Object.create(null); // modals open now: open again when drawn again
  function openModal(modal) { if (modal) { modal.classList.add("pywry-modal-open"); openIds[modal.id] = true; } }
  function resetModal(modal) {
    // Back to the values the page was drawn with, as the release's reset_on_close does.
    modal.querySelectorAll("[data-kind]").forEach(function (el) { if (kept[el.id]) delete kept[el.id].value; });
    modal.querySelectorAll("input,textarea,select").forEach(function (el) {
      if (el.tagName === "SELECT") {
        for (var i = 0; i < el.options.length; i++) el.options[i].selected = el.options[i].defaultSelected;
      } else if (el.type === "checkbox" || el.type === "radio") el.checked = el.defaultChecked;
      else el.value = el.defaultValue;
    });
    modal.querySelectorAll(".pywry-slider").forEach(showSlider);
    modal.querySelectorAll('[data-kind="range"]').forEach(function (el) { showRange(el, null); });
  }
  function closeModal(modal) {
    if (!modal || !modal.classList.contains("pywry-modal-open")) return;
    modal.classList.remove("pywry-modal-open");
    delete openIds[modal.id];
    if (modal.getAttribute("data-reset-on-close") !== "false") resetModal(modal);
    var name = modal.getAttribute("data-on-close-event");
    if (name) api.emit(name, { modalId: modal.id });
  }
  function modalCommand(name) {
    // modal:open:<id>, modal:close:<id>, modal:toggle:<id>, from Python or from an item.
    var parts = name.split(":");
    if (parts[0] !== "modal" || parts.length < 3) return;
    var modal = byId(parts.slice(2).join(":"));
    if (!modal || !modal.classList.contains("pywry-modal-overlay")) return;
    var shown = modal.classList.contains("pywry-modal-open");
    if (parts[1] === "open" || (parts[1] === "toggle" && !shown)) openModal(modal);
    else if (parts[1] === "close" || parts[1] === "toggle") closeModal(modal);
  }
  api.on("modal:*", function (data, type) { modalCommand(type); });
  // A resized toolbar says so (toolbar:resize {componentId, position, width, height}) once
  // the user pauses; the observer's first call, when it starts watching, is not a resize.
  if (window.ResizeObserver) {
    var seen = new WeakSet();
    var watcher = new ResizeObserver(function (entries) {
      entries.forEach(function (entry) {
        var bar = entry.target;
        if (!bar.isConnected) { watcher.unobserve(bar); return; } // drawn again: gone
        if (!seen.has(bar)) { seen.add(bar); return; }
        clearTimeout(timers["resize:" + bar.id]);
        timers["resize:" + bar.id] = setTimeout(function () {
          var position = (bar.className.match(/\bpywry-toolbar-(header|footer|top|bottom|left|right|inside)\b/) || [])[1];
          api.emit("toolbar:resize", { componentId: bar.id, position: position, width: bar.offsetWidth, height: bar.offsetHeight });
        }, 150);
      });
    });
  }
  // A static marquee with items shows each in turn, every data-speed seconds (the release's).
  function rotate(marquee) {
    var items = JSON.parse(marquee.getAttribute("data-items"));
    var content = marquee.querySelector(".pywry-marquee-content");
    if (marquee.__pywryRotating || !Array.isArray(items) || !items.length || !content) return;
    marquee.__pywryRotating = true;
    var at = 0;
    content.innerHTML = items[0];
    var timer = setInterval(function () {
      if (!marquee.isConnected) return clearInterval(timer); // drawn again: a new one turns
      at = (at + 1) % items.length;
      content.innerHTML = items[at];
    }, (Number(marquee.getAttribute("data-speed")) || 5) * 1000);
  }
  function setUp() {
    if (watcher) document.querySelectorAll(".pywry-toolbar-resizable").forEach(function (bar) { watcher.observe(bar); });
    document.querySelectorAll(".pywry-marquee-static[data-items]").forEach(rotate);
  }
  setUp();
  var onLoad = document.querySelectorAll('.pywry-modal-overlay[data-open-on-load="true"]');
  for (var m = 0; m < onLoad.length; m++) openModal(onLoad[m]);

  // ------------------------------------------------------------------ kept across updates
  // What each item shows beyond how it was drawn (the user's choices, Python's values and
  // attributes), by id: an update in place draws the toolbars again as shown, and gets it back.
  var kept = Object.create(null);
  function keep(id, value, attrs) {
    if (!id) return;
    var entry = kept[id] || (kept[id] = { attrs: {} });
    if (value !== undefined) entry.value = value;
    for (var key in attrs || {}) entry.attrs[key] = attrs[key];
  }
  function redrawn() {
    for (var id in kept) {
      var item = byId(id); // only an item of the toolbars or modals: new content is as given
      if (item && item.closest(".pywry-toolbar,.pywry-modal-overlay")) setValue(id, kept[id].value, kept[id].attrs, true);
    }
    for (var open in openIds) { var modal = byId(open); if (modal) modal.classList.add("pywry-modal-open"); }
    setUp();
  }

  // ------------------------------------------------------------------ values from Python
  function setOptions(el, options) {
    el.textContent = "";
    for (var i = 0; i < options.length; i++) {
      var o = options[i];
      var option = document.createElement("option");
      var label = typeof o === "object" && o !== null ? o.label : o;
      var value = typeof o === "object" && o !== null && o.value != null ? o.value : label;
      option.value = String(value);
      option.textContent = String(label);
      el.appendChild(option);
    }
  }

  function setValue(id, value, attrs, again) {
    var el = byId(id);
    if (!el) return false;
    // As the release: a secret is never set from a value event, only by its own round trip.
    if (kindOf(el) === "secret") { console.warn("[pywry] a SecretInput's value cannot be set"); return false; }
    attrs = attrs || {};
    if (!again) keep(id, value, attrs);
    if (attrs.options && kindOf(el) === "select") setOptions(el, attrs.options);
    if (value === undefined && kindOf(el) === "range" && (attrs.start != null || attrs.end != null)) {
      value = { start: attrs.start, end: attrs.end };
    }
    if (value !== undefined) {
      var kind = kindOf(el);
      if (kind === "toggle" || kind === "checkbox") el.checked = !!value;
      else if (kind === "range") {
        if (value && typeof value === "object") {
          if (value.start != null) el.querySelector(".pywry-range-start").value = value.start;
          if (value.end != null) el.querySelector(".pywry-range-end").value = value.end;
        }
        showRange(el, null);
      } else if (kind === "radio" || kind === "multiselect") {
        var wanted = (Array.isArray(value) ? value : [value]).map(String);
        inputs(el).forEach(function (i) { i.checked = wanted.indexOf(i.value) >= 0; });
      } else if (kind === "tab") activateTab(el, value);
      else if (kind === "button" || kind === "div") el.textContent = String(value);
      else el.value = value == null ? "" : String(value);
      if (kind === "slider") showSlider(el);
    }
    var text = attrs.label !== undefined ? attrs.label : attrs.text;
    if (text !== undefined) {
      if (kindOf(el) === "button") el.textContent = String(text);
      else {
        var field = el.closest(".pywry-field");
        var span = field && field.querySelector("span");
        if (span) span.textContent = String(text);
      }
    }
    if (attrs.disabled !== undefined) {
      var off = !!attrs.disabled;
      el.disabled = off;
      el.querySelectorAll("input,button").forEach(function (i) { i.disabled = off; });
    }
    var tip = attrs.tooltip !== undefined ? attrs.tooltip : attrs.description;
    if (tip !== undefined) el.title = String(tip);
    ["placeholder", "min", "max", "step"].forEach(function (name) {
      if (attrs[name] !== undefined) el.setAttribute(name, String(attrs[name]));
    });
    if (typeof attrs.style === "string") el.style.cssText = attrs.style;
    else if (attrs.style && typeof attrs.style === "object") {
      for (var prop in attrs.style) el.style.setProperty(prop.replace(/[A-Z]/g, function (c) { return "-" + c.toLowerCase(); }), attrs.style[prop]);
    }
    if (attrs.variant !== undefined && kindOf(el) === "button") {
      el.className = el.className.replace(/\bpywry-btn-(primary|secondary|neutral|ghost|outline|danger|warning|icon)\b/g, "").trim();
      if (attrs.variant !== "primary") el.classList.add("pywry-btn-" + attrs.variant);
    }
    var cls = attrs.className;
    if (cls && typeof cls === "object") {
      (cls.add || []).forEach(function (c) { el.classList.add(c); });
      (cls.remove || []).forEach(function (c) { el.classList.remove(c); });
    }
    return true;
  }

  function getState(toolbarId) {
    var state = { toolbars: {}, components: {}, timestamp: Date.now() };
    var bars = toolbarId ? [byId(toolbarId)] : document.querySelectorAll(".pywry-toolbar");
    for (var i = 0; i < bars.length; i++) {
      var bar = bars[i];
      if (!bar) continue;
      var position = (bar.className.match(/\bpywry-toolbar-(header|footer|top|bottom|left|right|inside)\b/) || [])[1];
      var ids = [];
      var items = bar.querySelectorAll("[data-kind]");
      for (var j = 0; j < items.length; j++) {
        ids.push(items[j].id);
        state.components[items[j].id] = { type: kindOf(items[j]), value: valueOf(items[j]) };
      }
      state.toolbars[bar.id] = { position: position || "top", components: ids };
    }
    return state;
  }

  function answer(data) {
    data = data || {};
    var response;
    if (data.componentId) {
      var el = byId(data.componentId);
      response = { componentId: data.componentId, value: el ? valueOf(el) : null };
    } else {
      response = getState(data.toolbarId);
      if (data.toolbarId) response.toolbarId = data.toolbarId;
    }
    if (data.context !== undefined) response.context = data.context;
    return response;
  }

  api.on("toolbar:set-value", function (d) {
    if (!d) return;
    var attrs = {};
    for (var key in d) if (key !== "componentId" && key !== "value" && key !== "toolbarId") attrs[key] = d[key];
    setValue(d.componentId, d.value, attrs);
  });
  api.on("toolbar:set-values", function (d) {
    var values = (d && d.values) || {};
    for (var id in values) setValue(id, values[id]);
  });
  // As in the release, an emitted request is answered with an event...
  api.on("toolbar:request-state", function (d) { api.emit("toolbar:state-response", answer(d)); });
  // ...and handle.request("toolbar:request-state", ...) gets the same answer returned.
  api.handle("toolbar:request-state", answer);

  window.__PYWRY_TOOLBAR__ = {
    getState: getState,
    getValue: function (id) { var el = byId(id); return el ? valueOf(el) : null; },
    setValue: function (id, value, attrs) { return setValue(id, value, attrs); }
  };
})();
