"""pywry's wheel as a user gets it: built from this checkout, what it holds and declares,
and installed with its declared dependencies only in a fresh virtual environment, offline
(the wheels from ``make test``), where it imports, answers ``pywry --version`` and serves a
page with its own script."""

from __future__ import annotations

import json
import re
import textwrap
import tomllib
import zipfile
from email.parser import Parser
from pathlib import Path

import pytest

from fresh_venv import ROOT, build_wheel, fresh_venv, run

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
VERSION = re.search(
    r'__version__ = "([^"]+)"', (ROOT / "src" / "pywry" / "_version.py").read_text()
).group(1)  # type: ignore[union-attr]
# Every file the pages are served from: the page script's parts, the components' assets.
STATIC_DIR = ROOT / "src" / "pywry" / "adapters" / "http" / "static"
STATIC = sorted(
    p.relative_to(STATIC_DIR).as_posix()
    for p in STATIC_DIR.rglob("*")
    if p.suffix in (".js", ".css")
)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_wheel(tmp_path_factory.mktemp("dist"))


@pytest.fixture(scope="module")
def python(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtual environment with the wheel and what it declares, nothing else."""
    return fresh_venv(tmp_path_factory.mktemp("fresh") / "env", "pywry", find_links=wheel.parent)


def normalised(requirements: list[str]) -> list[str]:
    """Requirements with their version clauses in one order ("a>=1,<2" is "a<2,>=1")."""
    out = []
    for requirement in requirements:
        name, specifiers = re.match(r"([A-Za-z0-9_.-]+)(.*)", requirement).groups()  # type: ignore[union-attr]
        out.append(name.lower() + ",".join(sorted(specifiers.replace(" ", "").split(","))))
    return sorted(out)


def metadata(wheel: Path) -> tuple[list[str], dict[str, list[str]], str]:
    with zipfile.ZipFile(wheel) as zf:
        names = zf.namelist()
        info = f"pywry-{VERSION}.dist-info"
        meta = Parser().parsestr(zf.read(f"{info}/METADATA").decode())
        entry_points = zf.read(f"{info}/entry_points.txt").decode()
    fields = {key: meta.get_all(key) or [] for key in set(meta.keys())}
    return names, fields, entry_points


@pytest.mark.timeout(300)
def test_the_wheel_holds_the_package_its_types_marker_and_static_assets(wheel):
    assert wheel.name == f"pywry-{VERSION}-py3-none-any.whl"  # one version, from _version.py
    names, _, _ = metadata(wheel)
    assert "pywry/py.typed" in names
    assert "pywry/_version.py" in names
    assert len(STATIC) > 10  # the script's parts and the components' files
    for asset in STATIC:
        assert f"pywry/adapters/http/static/{asset}" in names
    sources = {p.relative_to(ROOT / "src").as_posix() for p in (ROOT / "src").rglob("*.py")}
    assert sources <= set(names), sources - set(names)
    # Only the package and its metadata: no tests, examples, benchmarks or caches.
    assert {n.split("/")[0] for n in names} == {"pywry", f"pywry-{VERSION}.dist-info"}
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]


@pytest.mark.timeout(300)
def test_the_wheel_declares_what_pyproject_says(wheel):
    _, fields, entry_points = metadata(wheel)
    assert fields["Version"] == [VERSION]
    assert fields["Requires-Python"] == [PYPROJECT["requires-python"]]
    assert fields["License-Expression"] == [PYPROJECT["license"]]
    required = [r for r in fields["Requires-Dist"] if "extra ==" not in r]
    assert normalised(required) == normalised(PYPROJECT["dependencies"])
    assert set(fields["Provides-Extra"]) >= {"fast", "redis", "dev"}
    assert fields["Classifier"] == PYPROJECT["classifiers"]
    assert "Typing :: Typed" in fields["Classifier"]
    assert "[console_scripts]\npywry = pywry.cli:main" in entry_points
    assert "[pytest11]\npywry = pywry.testing.plugin" in entry_points


@pytest.mark.timeout(300)
def test_it_installs_with_its_declared_dependencies_only_and_works(python):
    listed = run(python, "-m", "pip", "list", "--format=json")
    installed = {d["name"].lower() for d in json.loads(listed.stdout)}
    assert "pywry" in installed
    for extra_only in ("pytest", "redis", "playwright", "uvloop", "hatchling", "mypy"):
        assert extra_only not in installed, f"{extra_only} came without being declared"
    checked = run(python, "-m", "pip", "check")
    assert checked.returncode == 0, checked.stdout  # every declared requirement is met

    imported = run(
        python,
        "-c",
        "import pywry; from pywry import PyWry, WindowMode;"
        " print(pywry.__version__, pywry.__file__, WindowMode.BROWSER.value)",
    )
    assert imported.returncode == 0, imported.stderr
    version, where, mode = imported.stdout.split()
    assert version == VERSION
    assert str(ROOT) not in where  # the installed copy, not this checkout
    assert "site-packages" in where
    assert mode == "browser"

    cli = run(python.with_name("pywry"), "--version")
    assert cli.returncode == 0, cli.stderr
    assert cli.stdout.strip() == f"pywry {VERSION}"


@pytest.mark.timeout(300)
def test_the_installed_package_serves_a_page_with_its_own_script(python, tmp_path):
    script = tmp_path / "serve.py"
    script.write_text(
        textwrap.dedent(
            """
            import re
            import urllib.request

            from pywry import PyWry

            app = PyWry(settings={"server": {"port": 0}, "headless": True})
            handle = app.show("<h1>installed</h1>", open_browser=False)
            page = urllib.request.urlopen(handle.url, timeout=10).read().decode()
            src = re.search(r'<script src="([^"]+bridge[.]js[^"]*)"', page).group(1)
            base = handle.url.split("/widget/")[0]
            bridge = urllib.request.urlopen(base + src, timeout=10).read().decode()
            print("<h1>installed</h1>" in page, "window.pywry" in bridge, len(bridge))
            app.destroy()
            """
        )
    )
    served = run(python, script, cwd=tmp_path)
    assert served.returncode == 0, served.stderr[-3000:]
    has_content, has_bridge, size = served.stdout.split()
    assert (has_content, has_bridge) == ("True", "True")
    assert int(size) > 1000
