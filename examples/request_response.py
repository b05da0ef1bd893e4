"""Calls both ways: the page awaits Python, and Python awaits the page.

    python examples/request_response.py

The page's "Add" button awaits ``pywry.call('app:sum', ...)``: Python's callback returns the
total. Its "Check" button emits ``app:check``: that callback asks the page for its current
selection with ``handle.request()`` and answers with a toast. Close the tab, or press
Ctrl+C, to stop.
"""

from pywry import PyWry

app = PyWry()


def add(data):
    return data["a"] + data["b"]  # what the page's call() resolves with


def check(data):
    # A plain callback runs on a worker thread, where waiting for the page is fine.
    chosen = handle.request("ui:selection", {"max": 3}, timeout=5)
    handle.alert(f"You chose: {', '.join(chosen) or 'nothing'}", alert_type="success")


handle = app.show(
    """
    <h1>Calls both ways</h1>
    <p><input id="a" type="number" value="1"> + <input id="b" type="number" value="2">
       <button id="add">Add</button> = <output id="total">?</output></p>
    <p><label><input type="checkbox" value="red" checked> red</label>
       <label><input type="checkbox" value="green"> green</label>
       <label><input type="checkbox" value="blue" checked> blue</label>
       <button id="check" onclick="window.pywry.emit('app:check', {})">Check</button></p>
    <script>
      document.getElementById('add').onclick = async () => {
        const total = await window.pywry.call('app:sum', {
          a: Number(document.getElementById('a').value),
          b: Number(document.getElementById('b').value),
        });
        document.getElementById('total').textContent = total;
      };
      // Answers Python's handle.request('ui:selection', ...).
      window.pywry.handle('ui:selection', (data) =>
        [...document.querySelectorAll('input[type=checkbox]:checked')]
          .map((box) => box.value).slice(0, data.max));
    </script>
    """,
    title="Calls both ways",
    callbacks={"app:sum": add, "app:check": check},
)
print(f"pywry request/response: {handle.url}", flush=True)
app.block()
