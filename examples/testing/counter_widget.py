"""A widget written to be tested: a counter whose page asks Python and is told the count.

    python examples/testing/counter_widget.py          # see it in the browser
    python -m pytest examples/testing                  # its tests: no browser, no port

``show_counter(app)`` is what the tests beside it (``test_counter_widget.py``) drive with
pywry's pytest fixtures; run as a script, it shows the same widget in the browser. Close
the tab, or press Ctrl+C, to stop.
"""

from pywry import PyWry

PAGE = """
<h1>Counter</h1>
<p><button id="add" onclick="window.pywry.emit('app:click', {by: 1})">+1</button>
   <button id="add5" onclick="window.pywry.emit('app:click', {by: 5})">+5</button>
   <button id="reset" onclick="window.pywry.emit('app:reset', {})">Reset</button></p>
<p>Python counted <output id="count">0</output>.</p>
<script>
  window.pywry.on('app:count', (data) => {
    document.getElementById('count').textContent = data.n;
  });
  // Python asks the page what it shows (handle.request('app:shown')).
  window.pywry.handle('app:shown', () => Number(document.getElementById('count').textContent));
</script>
"""


def show_counter(app: PyWry, label: str = "counter"):
    """Show the counter on ``app``; its handle."""
    count = {"n": 0}

    def on_click(data):
        by = data.get("by", 1)
        if not isinstance(by, int) or isinstance(by, bool) or by < 1:
            handle.alert(f"cannot count by {by!r}: give a whole number of 1 or more", "error")
            return
        count["n"] += by
        handle.emit("app:count", {"n": count["n"]})

    def on_reset(data):
        count["n"] = 0
        handle.emit("app:count", {"n": 0})

    def on_total(data):
        return count["n"]  # what the page's `await pywry.call('app:total')` resolves with

    handle = app.show(
        PAGE,
        label=label,
        title="Counter",
        callbacks={"app:click": on_click, "app:reset": on_reset, "app:total": on_total},
    )
    return handle


if __name__ == "__main__":
    app = PyWry()
    counter = show_counter(app)
    print(f"pywry counter: {counter.url}", flush=True)
    app.block()
