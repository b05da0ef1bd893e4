// Marquees and ticker items follow Python's events: toolbar:marquee-set-content (a
// marquee's text or HTML, separator, speed, pause) and toolbar:marquee-set-item (every copy
// of one ticker item). Inlined after components.js into every page with components.
(function () {
  "use strict";
  var api = window.pywry;
  if (!api || api.__marquees) return; // a second copy (the page drawn again) adds nothing
  api.__marquees = true;
  function byId(id) { return id ? document.getElementById(String(id)) : null; }
  function kindOf(el) { return el && el.getAttribute("data-kind"); }

  function fill(el, d) {
    if (d.html != null) el.innerHTML = String(d.html);
    else if (d.text != null) el.textContent = String(d.text);
  }
  api.on("toolbar:marquee-set-content", function (d) {
    var el = d && byId(d.id);
    if (!el || kindOf(el) !== "marquee") return;
    var parts = el.querySelectorAll(".pywry-marquee-content");
    for (var i = 0; i < parts.length; i++) {
      var sep = parts[i].querySelector(".pywry-marquee-separator");
      if (d.separator != null) {
        if (!sep) { sep = document.createElement("span"); sep.className = "pywry-marquee-separator"; sep.setAttribute("aria-hidden", "true"); }
        sep.textContent = String(d.separator);
      }
      if (d.html != null || d.text != null) { fill(parts[i], d); if (sep) parts[i].appendChild(sep); }
      else if (sep && !sep.parentNode) parts[i].appendChild(sep);
    }
    if (d.text != null && el.hasAttribute("data-text")) el.setAttribute("data-text", String(d.text));
    if (d.speed != null) el.style.setProperty("--pywry-marquee-speed", Number(d.speed) + "s");
    if (d.paused != null) el.classList.toggle("pywry-marquee-paused", !!d.paused);
  });
  api.on("toolbar:marquee-set-item", function (d) {
    if (!d || d.ticker == null) return;
    // Every copy: a scrolling marquee shows its content twice.
    var all = document.querySelectorAll("[data-ticker]");
    function list(v) { return v == null ? [] : (Array.isArray(v) ? v : [v]); }
    for (var i = 0; i < all.length; i++) {
      var el = all[i];
      if (el.getAttribute("data-ticker") !== String(d.ticker)) continue;
      fill(el, d);
      for (var prop in (d.styles || {})) el.style.setProperty(prop.replace(/[A-Z]/g, function (c) { return "-" + c.toLowerCase(); }), d.styles[prop]);
      list(d.class_add).forEach(function (c) { el.classList.add(c); });
      list(d.class_remove).forEach(function (c) { el.classList.remove(c); });
    }
  });
})();
