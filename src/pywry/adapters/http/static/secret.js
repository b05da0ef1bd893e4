// SecretInput: the page holds a mask only. The eye and copy buttons ask Python for the
// secret with the release's "<event>:reveal" / "<event>:copy" {componentId}, as a call, so
// the answer {componentId, value: base64, encoded: true} reaches the asking page alone.
(function () {
  "use strict";
  var api = window.pywry;
  if (!api || api.__secrets) return;
  api.__secrets = true;
  var MASK = "\u2022\u2022\u2022\u2022\u2022\u2022\u2022\u2022\u2022\u2022\u2022\u2022";

  function decode(d) {
    var v = (d && d.value) || "";
    return d && d.encoded ? decodeURIComponent(escape(atob(v))) : String(v);
  }
  function masked(input) {
    input.type = "password";
    var has = input.getAttribute("data-has-value") === "true";
    input.value = has ? MASK : "";
    input.setAttribute("data-masked", has ? "true" : "false");
  }
  function ask(input, what) {
    return api.call(input.getAttribute("data-event") + ":" + what, { componentId: input.id });
  }

  function reveal(input, btn) {
    if (input.type !== "password") { masked(input); btn.title = "Show value"; return; }
    ask(input, "reveal").then(function (d) {
      input.value = decode(d);
      input.type = "text";
      input.setAttribute("data-masked", "false");
      btn.title = "Hide value";
    });
  }

  function copy(input, btn) {
    ask(input, "copy").then(function (d) {
      var text = decode(d);
      if (!text) return;
      if (navigator.clipboard) navigator.clipboard.writeText(text).catch(function () {});
      btn.classList.add("copied");
      btn.title = "Copied!";
      setTimeout(function () { btn.classList.remove("copied"); btn.title = "Copy to clipboard"; }, 1500);
    });
  }

  function edit(input, wrapper) {
    // As the release: a textarea in the input's place; blur or Ctrl+Enter sends, Escape not.
    if (wrapper.querySelector(".pywry-secret-textarea")) return;
    var area = document.createElement("textarea");
    area.className = "pywry-input pywry-secret-textarea";
    area.placeholder = input.placeholder;
    var actions = wrapper.querySelector(".pywry-secret-actions");
    var done = false;
    function finish(keep) {
      if (done) return;
      done = true;
      if (keep) {
        var value = area.value;
        var encoded = btoa(unescape(encodeURIComponent(value)));
        api.emit(input.getAttribute("data-event"), { value: encoded, encoded: true, componentId: input.id });
        input.setAttribute("data-has-value", value ? "true" : "false");
      }
      area.remove();
      input.style.display = "";
      if (actions) actions.style.display = "";
      masked(input);
    }
    area.addEventListener("blur", function () { finish(true); });
    area.addEventListener("keydown", function (e) {
      if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) { e.preventDefault(); finish(true); }
      else if (e.key === "Escape") { e.preventDefault(); e.stopPropagation(); finish(false); }
    });
    input.style.display = "none";
    if (actions) actions.style.display = "none";
    wrapper.insertBefore(area, input);
    area.focus();
  }

  document.addEventListener("click", function (e) {
    var btn = e.target instanceof Element ? e.target.closest("button[data-secret]") : null;
    if (!btn || btn.disabled) return;
    var wrapper = btn.closest(".pywry-secret-wrapper");
    var input = wrapper && wrapper.querySelector('input[data-kind="secret"]');
    if (!input) return;
    var what = btn.getAttribute("data-secret");
    if (what === "toggle") reveal(input, btn);
    else if (what === "copy") copy(input, btn);
    else if (what === "edit") edit(input, wrapper);
  });
})();
