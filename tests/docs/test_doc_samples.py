"""Every Python sample of the docs runs (or, for a marked fragment, compiles).

Whole programs run in a process of their own (``sample_runner.py``): a real server on a free
port, a fake browser launcher, and ``block()`` returning once each widget's page is served.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from doc_samples import ROOT, RUN_ELSEWHERE, all_samples, dangling_markers, pages

pytestmark = pytest.mark.server

RUNNER = Path(__file__).with_name("sample_runner.py")
SAMPLES = all_samples()
RUN = [s for s in SAMPLES if s.kind == "run" and s.path not in RUN_ELSEWHERE]
TESTS = [s for s in SAMPLES if s.kind == "pytest" and s.path not in RUN_ELSEWHERE]


def env() -> dict[str, str]:
    src = str(ROOT / "src")
    return {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([src, os.environ.get("PYTHONPATH", "")]),
        "PYTHONUNBUFFERED": "1",
    }


def test_the_samples_are_found_and_every_marker_marks_one() -> None:
    assert len(RUN) >= 10, [s.name for s in RUN]
    assert {s.kind for s in SAMPLES} == {"run", "fragment", "pytest"}
    assert {p.name: dangling_markers(p) for p in pages() if dangling_markers(p)} == {}


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda s: s.name)
def test_every_sample_compiles(sample) -> None:
    compile(sample.code, sample.name, "exec")


@pytest.mark.timeout(30)
@pytest.mark.parametrize("sample", RUN, ids=lambda s: s.name)
def test_every_whole_sample_runs(sample, tmp_path) -> None:
    script = tmp_path / "sample.py"
    script.write_text(sample.code, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, str(RUNNER), str(script)],
        cwd=tmp_path,
        env=env(),
        capture_output=True,
        text=True,
        timeout=25,
    )
    assert done.returncode == 0, f"{sample.name} failed:\n{done.stdout}\n{done.stderr}"
    assert "sample ran:" in done.stdout, done.stdout
    assert "Traceback" not in done.stderr, done.stderr
    if ".block()" in sample.code:  # the runner's block() fetched every widget's page
        assert " 0 widget pages served" not in done.stdout, done.stdout


@pytest.mark.timeout(60)
@pytest.mark.parametrize("sample", TESTS, ids=lambda s: s.name)
def test_every_test_sample_passes(sample, tmp_path) -> None:
    (tmp_path / "test_sample.py").write_text(sample.code, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_sample.py"],
        cwd=tmp_path,
        env={**env(), "PYWRY_CONFIG_FILE": os.devnull},
        capture_output=True,
        text=True,
        timeout=55,
    )
    assert done.returncode == 0, f"{sample.name} failed:\n{done.stdout}\n{done.stderr}"
    assert " passed" in done.stdout, done.stdout
