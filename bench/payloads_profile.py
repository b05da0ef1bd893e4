"""Where a payload trip's time goes in the server: an on-CPU sampler and its runner.

py-spy cannot attach to processes on every kernel (it fails to read the target's memory
on some), so the server samples itself: a thread reads every Python thread's stack with
``sys._current_frames()`` every few milliseconds and keeps the samples of threads the
kernel shows running (``R`` in ``/proc/self/task/<id>/stat``), so threads parked in a
wait do not count. The thread's CPU time, native ones included (Granian's Rust threads),
comes from ``schedstat`` (``profiles.thread_cpu``).

Run: ``python bench/payloads_profile.py [ours|floor] up-json,down-bin [trips]``; it prints
each thread's CPU and the functions seen most, inclusive, per thread.
"""

from __future__ import annotations

import sys
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

__all__ = ["Sampler"]


class Sampler:
    """Samples the stacks of this process's running Python threads until stopped."""

    def __init__(self, every_s: float = 0.002) -> None:
        self.every_s = every_s
        self.inclusive: dict[str, Counter[str]] = {}
        self.leaf: dict[str, Counter[str]] = {}
        self.samples: Counter[str] = Counter()
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._run, name="sampler", daemon=True)
        self.thread.start()

    def _running(self, native_id: int) -> bool:
        try:
            with open(f"/proc/self/task/{native_id}/stat") as f:
                return f.read().rsplit(")", 1)[1].split()[0] == "R"
        except OSError:
            return False

    def _run(self) -> None:
        me = threading.get_ident()
        while not self.done.wait(self.every_s):
            frames = sys._current_frames()
            for thread in threading.enumerate():
                ident, native = thread.ident, thread.native_id
                if ident == me or ident not in frames or native is None:
                    continue
                if not self._running(native):
                    continue
                name = thread.name.split("_")[0]
                self.samples[name] += 1
                seen = set()
                frame: Any = frames[ident]
                leaf = True
                while frame is not None:
                    code = frame.f_code
                    where = f"{Path(code.co_filename).name}:{code.co_name}"
                    if leaf:
                        self.leaf.setdefault(name, Counter())[where] += 1
                        leaf = False
                    if where not in seen:
                        seen.add(where)
                        self.inclusive.setdefault(name, Counter())[where] += 1
                    frame = frame.f_back

    def stop(self, top: int = 12) -> list[str]:
        self.done.set()
        self.thread.join()
        out = []
        for name, count in self.samples.most_common():
            out.append(f"thread {name}: {count} samples running")
            for where, n in self.inclusive[name].most_common(top):
                out.append(f"  incl {n / count:5.0%} {where}")
            for where, n in self.leaf[name].most_common(5):
                out.append(f"  self {n / count:5.0%} {where}")
        return out


def main() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from contenders import Contender, ServerProcess
    from payloads_measure import open_tab
    from payloads_server import BIN_BYTES
    from playwright.sync_api import sync_playwright
    from profiles import thread_cpu
    from run import CHROMIUM, CHROMIUM_ARGS

    name, kinds = sys.argv[1], sys.argv[2].split(",")
    trips = int(sys.argv[3]) if len(sys.argv) > 3 else 4
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        server = ServerProcess(Contender(name, sys.executable, name), script="payloads_server.py")
        try:
            line, _ = server.wait_for("URL ", 120)
            server.wait_for("READY", 60)
            context, _, _ = open_tab(browser, line.split(" ", 1)[1], BIN_BYTES)
            server.send("warm")
            server.wait_for("WARM ", 60)
            for kind in kinds:
                server.send(f"rt {kind} 1")
                server.wait_for(f"RT {kind} ", 300)
                before = thread_cpu(server.pid)
                server.send("sample on")
                t0 = time.monotonic()
                server.send(f"rt {kind} {trips}")
                got, _ = server.wait_for(f"RT {kind} ", 300)
                wall = time.monotonic() - t0
                server.send("sample off")
                report, _ = server.wait_for("SAMPLED ", 60)
                after = thread_cpu(server.pid)
                print(f"== {kind}: trips {got.split()[2:]}, {wall:.2f} s wall")
                for tid, (comm, cpu) in sorted(after.items(), key=lambda t: -t[1][1]):
                    used = cpu - before.get(tid, (comm, 0.0))[1]
                    if used > 0.01:
                        print(f"  cpu {comm:16s} {used:6.2f} s ({used / trips:.3f} s per trip)")
                print(report.split(" ", 1)[1].replace("\\n", "\n"))
            context.close()
        finally:
            server.stop()
            browser.close()


if __name__ == "__main__":
    main()
