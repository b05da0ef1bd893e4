"""The layers' one rule, checked on the source: imports point inward."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "pywry"
STDLIB = sys.stdlib_module_names
THIRD_PARTY_SERVER_STACK = ("litestar", "granian", "dependency_injector", "cryptography", "redis")


def imports_of(path: Path, *, typing_only: bool = True) -> list[str]:
    """Absolute names of every module imported by ``path`` (relative imports resolved);
    with ``typing_only=False``, not those under ``if TYPE_CHECKING:`` (names for types)."""
    package = ".".join(path.relative_to(SRC.parent).with_suffix("").parts[:-1])
    names: list[str] = []
    tree = ast.parse(path.read_text())
    if not typing_only:
        for node in ast.walk(tree):
            if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING":
                node.body = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            names.append(module)
            names.extend(f"{module}.{alias.name}" for alias in node.names)
    return names


def modules(layer: str) -> list[Path]:
    return sorted((SRC / layer).rglob("*.py"))


@pytest.mark.parametrize("path", modules("domain"), ids=lambda p: p.name)
def test_the_domain_uses_only_the_standard_library(path):
    for name in imports_of(path):
        top = name.split(".")[0]
        assert top in STDLIB or name.startswith("pywry.domain"), f"{path.name} imports {name}"


@pytest.mark.parametrize("path", modules("app"), ids=lambda p: p.name)
def test_only_the_container_wires_adapters(path):
    if path.name == "container.py":
        return
    for name in imports_of(path):
        assert not name.startswith("pywry.adapters"), f"app/{path.name} imports {name}"
    # The server stack's names may appear in type hints (``get_server_app() -> Litestar``).
    for name in imports_of(path, typing_only=False):
        assert name.split(".")[0] not in THIRD_PARTY_SERVER_STACK, f"app/{path.name} imports {name}"


@pytest.mark.parametrize("path", modules("adapters"), ids=lambda p: p.name)
def test_adapters_never_import_the_facade_or_the_container(path):
    for name in imports_of(path):
        assert not name.startswith(("pywry.app.facade", "pywry.app.container")), name


def test_importing_pywry_does_not_load_the_server_stack():
    code = (
        "import sys, pywry\n"
        f"loaded = [m for m in {THIRD_PARTY_SERVER_STACK!r} if m in sys.modules]\n"
        "print(','.join(loaded))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=30
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""


def test_py_typed_ships():
    assert (SRC / "py.typed").exists()
