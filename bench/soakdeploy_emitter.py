"""The steady emitter of ``bench/soak_deploy.py``: events at a set rate, through HTTP.

One keep-alive connection per widget, so a widget's events come from one worker at a
time; a connection that breaks is opened again, to whichever worker the kernel picks.
Every request is recorded (widget, first counter, when, answered, by which worker) so
the verdicts can tell a lost event from one that died with a killed worker.
"""

from __future__ import annotations

import threading
import time

from httpconn import Http

__all__ = ["Emitter"]


class Emitter(threading.Thread):
    """``rate`` events per second to the widgets in turn, ``per_request`` per request."""

    def __init__(self, port: int, labels: list[str], rate: float, per_request: int) -> None:
        super().__init__(name="soak-emitter", daemon=True)
        self.port = port
        self.labels = labels
        self.interval = per_request / rate
        self.per_request = per_request
        self.stop_event = threading.Event()
        self.records: list[tuple[str, int, float, bool, int | None]] = []  # label, n, t, ok, pid
        self.next_n = dict.fromkeys(labels, 1)
        self.conns: dict[str, Http] = {}
        self.max_behind_s = 0.0
        self.failures = 0

    def run(self) -> None:
        t_next = time.monotonic()
        i = 0
        while not self.stop_event.is_set():
            label = self.labels[i % len(self.labels)]
            i += 1
            n = self.next_n[label]
            self.next_n[label] += self.per_request
            t = time.monotonic()
            ok, pid = self._request(label, n)
            self.records.append((label, n, t, ok, pid))
            t_next += self.interval
            behind = time.monotonic() - t_next
            self.max_behind_s = max(self.max_behind_s, behind)
            if behind < 0:
                self.stop_event.wait(-behind)
            elif behind > 1.0:
                t_next = time.monotonic()  # do not rush to catch up after a stall

    def _request(self, label: str, n: int) -> tuple[bool, int | None]:
        conn = self.conns.get(label)
        try:
            if conn is None:
                conn = self.conns[label] = Http(self.port, timeout=5)
            status, body = conn.get(f"/emit/{label}/{n}/{self.per_request}")
            if status != 200:
                raise ValueError(f"status {status}")
            return True, int(body)
        except (OSError, ValueError):
            self.failures += 1
            if conn is not None:
                conn.close()
            self.conns.pop(label, None)
            return False, None

    def stop(self) -> None:
        self.stop_event.set()
        self.join(10)
        for conn in self.conns.values():
            conn.close()
