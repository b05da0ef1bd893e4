"""The Python samples of the docs: where each is, and how the test treats it.

A sample is a ```` ```python ```` block of ``README.md`` or ``docs/*.md``. The last
non-blank line before it may hold a marker, an HTML comment readers of the rendered page do
not see:

- ``<!-- fragment -->`` (or ``<!-- fragment: why -->``): a piece of a larger program, such
  as a callback that needs a ``handle`` shown elsewhere; it must compile, and is not run;
- ``<!-- pytest -->``: a test file; pytest runs it, with pywry's fixtures.

Every other sample is a whole program, run as ``__main__`` by ``sample_runner.py``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MARKER = re.compile(r"^<!--\s*(fragment|pytest)\b[^>]*-->$")
# testing.md's samples make one project (a module and the tests that import it), which
# tests/testing/test_the_guides_examples.py builds and runs with pytest.
RUN_ELSEWHERE = frozenset({"docs/testing.md"})


@dataclass(frozen=True)
class Sample:
    path: str  # relative to the repository
    line: int  # of the opening fence
    code: str
    kind: str  # "run", "fragment" or "pytest"

    @property
    def name(self) -> str:
        return f"{self.path}:{self.line}"


def pages() -> list[Path]:
    return [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def samples_of(page: Path) -> list[Sample]:
    lines = page.read_text(encoding="utf-8").splitlines()
    found: list[Sample] = []
    i = 0
    while i < len(lines):
        if lines[i].strip() != "```python":
            i += 1
            continue
        end = lines.index("```", i + 1)  # ValueError: a block left open is a broken page
        before = next((lines[j].strip() for j in range(i - 1, -1, -1) if lines[j].strip()), "")
        marker = MARKER.match(before)
        found.append(
            Sample(
                path=page.relative_to(ROOT).as_posix(),
                line=i + 1,
                code="\n".join(lines[i + 1 : end]) + "\n",
                kind=marker.group(1) if marker else "run",
            )
        )
        i = end + 1
    return found


def all_samples() -> list[Sample]:
    return [sample for page in pages() for sample in samples_of(page)]


def dangling_markers(page: Path) -> list[int]:
    """Lines of markers that no ```python block follows: a marker meant for nothing."""
    lines = page.read_text(encoding="utf-8").splitlines()
    dangling = []
    for i, line in enumerate(lines):
        if MARKER.match(line.strip()):
            after = next((x.strip() for x in lines[i + 1 :] if x.strip()), "")
            if after != "```python":
                dangling.append(i + 1)
    return dangling
