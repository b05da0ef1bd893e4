"""Helpers for tests that install pywry as a user does: a wheel built from this checkout,
installed into a fresh virtual environment, offline.

The wheels of pywry's dependencies, pytest and the build backend come from ``make test``
(``.venv/wheelhouse``), so nothing is downloaded.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
WHEELHOUSE = Path(sys.prefix) / "wheelhouse"
OFFLINE = ["--no-index", "--find-links", str(WHEELHOUSE)]

__all__ = ["OFFLINE", "ROOT", "WHEELHOUSE", "build_wheel", "fresh_venv", "run"]


def run(*args: str | Path, cwd: Path | None = None, **env: str) -> subprocess.CompletedProcess[str]:
    """Run a command apart from this test run (no PYTHONPATH, no PYTEST_ADDOPTS)."""
    clean = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTEST_ADDOPTS")}
    return subprocess.run(
        [str(a) for a in args],
        cwd=cwd,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=240,
    )


def build_wheel(dist: Path) -> Path:
    """pywry's wheel, built from this checkout into ``dist`` (the backend from the wheels)."""
    if not (WHEELHOUSE / ".done").exists():
        pytest.fail(f"no wheels at {WHEELHOUSE}: run `make test` (it makes them)")
    built = run(sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", *OFFLINE,
                "--wheel-dir", dist, ROOT)  # fmt: skip
    assert built.returncode == 0, built.stderr[-3000:]
    wheels = sorted(dist.glob("pywry-*.whl"))
    assert len(wheels) == 1, wheels
    return wheels[0]


def fresh_venv(where: Path, *requirements: str, find_links: Path) -> Path:
    """A new virtual environment at ``where`` with ``requirements`` installed from the
    wheels and ``find_links``, and what they declare they need; its interpreter."""
    made = run(sys.executable, "-m", "venv", where)
    assert made.returncode == 0, made.stderr[-3000:]
    python = where / "bin" / "python"
    installed = run(python, "-m", "pip", "install", "-q", *OFFLINE,
                    "--find-links", find_links, *requirements)  # fmt: skip
    assert installed.returncode == 0, installed.stderr[-3000:]
    return python
