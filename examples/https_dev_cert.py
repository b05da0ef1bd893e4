"""HTTPS on your own machine: pywry's development certificate serves the page and its socket.

    pywry cert                           # optional: make the certificate now, see its fingerprint
    python examples/https_dev_cert.py

``ssl = "self-signed"`` (here in the settings; in pywry.toml it is ``[server] ssl =
"self-signed"``, or ``PYWRY_SERVER__SSL=self-signed``) makes a certificate for localhost,
127.0.0.1 and ::1 the first time, keeps it in pywry's user config folder and reuses it. The
widget's URL is ``https://`` and the page connects with ``wss://``. Browsers warn about the
certificate until you trust it: ``pywry cert`` prints where it is and its SHA-256
fingerprint. The page says how it is connected; its button asks Python over the encrypted
socket. Close the tab, or press Ctrl+C, to stop.
"""

from pywry import PyWry

app = PyWry(settings={"server": {"ssl": "self-signed"}})


def ping(data):
    return {"echo": data["sent"], "message": "Python answered over wss://"}


handle = app.show(
    """
    <h1>HTTPS with the development certificate</h1>
    <p>This page came over <strong id="page-protocol">?</strong>
       and its socket is <strong id="socket">connecting...</strong></p>
    <button id="ping">Ask Python</button> <span id="answer"></span>
    <script>
      document.getElementById('page-protocol').textContent = location.protocol;
      window.pywry.on('pywry:ready', () => {
        document.getElementById('socket').textContent =
          (location.protocol === 'https:' ? 'wss:' : 'ws:') + ' (connected)';
      });
      document.getElementById('ping').onclick = async () => {
        const sent = performance.now();
        const reply = await window.pywry.call('app:ping', {sent});
        const took = (performance.now() - reply.echo).toFixed(1);
        document.getElementById('answer').textContent = `${reply.message} in ${took} ms`;
      };
    </script>
    """,
    title="pywry over HTTPS",
    callbacks={"app:ping": ping},
)
print(f"pywry https: {handle.url}", flush=True)
app.block()
