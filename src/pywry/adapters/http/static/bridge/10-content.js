  // ------------------------------------------------------------------ built-ins
  function target(data) {
    if (data.id) return document.getElementById(data.id);
    if (data.selector) return document.querySelector(data.selector);
    return null;
  }

  function injectedStyle(id) {
    // Only a <style> that inject-css made: never a page element that happens to share the id.
    var styles = document.querySelectorAll("style[data-pywry-css]");
    for (var i = 0; i < styles.length; i++) {
      if (styles[i].getAttribute("data-pywry-css") === id) return styles[i];
    }
    return null;
  }

  function injectCss(d) {
    var id = d.id ? String(d.id) : "pywry-css-" + Math.random().toString(36).slice(2);
    var style = injectedStyle(id);
    if (!style) {
      style = document.createElement("style");
      style.setAttribute("data-pywry-css", id);
      (document.head || document.documentElement).appendChild(style);
    }
    style.textContent = d.css == null ? "" : String(d.css);
    return id;
  }

  function removeCss(d) {
    var style = d.id && injectedStyle(String(d.id));
    if (style && style.parentNode) style.parentNode.removeChild(style);
  }

  function runScripts(root) {
    var scripts = root.querySelectorAll("script");
    for (var i = 0; i < scripts.length; i++) {
      var old = scripts[i];
      var fresh = document.createElement("script");
      for (var j = 0; j < old.attributes.length; j++) fresh.setAttribute(old.attributes[j].name, old.attributes[j].value);
      fresh.text = old.text;
      old.parentNode.replaceChild(fresh, old);
    }
  }

  function carriedSince(rendered, contentSeq) {
    // A reload for a whole new document carries the number of its update over, so the new
    // page gets what was emitted after the update, which this load rendered past. Never
    // from before the content it renders (a burst of updates reloads once, not per update).
    // Without sessionStorage, the page starts where the server rendered it.
    var carried = null;
    try {
      carried = sessionStorage.getItem(SINCE_KEY);
      sessionStorage.removeItem(SINCE_KEY);
    } catch (err) { /* storage off */ }
    if (carried === null || !/^\d+$/.test(carried)) return rendered;
    return Math.min(Math.max(parseInt(carried, 10), contentSeq), rendered);
  }

  function reloadAfterThisFrame() {
    // What follows this frame is for the new page: this one handles nothing more, and the
    // next load asks for it (so the frame that asked for the reload is not handled twice).
    reloading = true;
    try { sessionStorage.setItem(SINCE_KEY, String(currentSeq)); } catch (err) { /* see carriedSince */ }
    location.reload();
  }

  function updateHtml(data) {
    var root = document.getElementById("pywry-root");
    var html = data.html || "";
    if (!root || /^\s*(<!--[\s\S]*?-->\s*)*(<!doctype\b|<html\b)/i.test(html)) {
      // A whole document: the server already serves the new one.
      return reloadAfterThisFrame();
    }
    if (data.title) document.title = data.title;
    root.innerHTML = html;
    runScripts(root);
  }

  function kebab(name) {
    return name.replace(/[A-Z]/g, function (c) { return "-" + c.toLowerCase(); });
  }
