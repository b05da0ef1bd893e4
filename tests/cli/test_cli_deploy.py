"""``pywry deploy TARGET`` (run in this process with a recorded deploy(); the real server
is served in tests/e2e/test_deploy_in_chromium.py)."""

from __future__ import annotations

import sys
import uuid

import pytest

from pywry.cli import main

# A PyWry whose deploy() only records how it was called: the real one is served in
# tests/e2e/test_deploy_in_chromium.py.
FAKE_APP = """
import os
from pywry import PyWry, PortInUseError

calls = []


class Recorded(PyWry):
    def deploy(self, *, host=None, port=None, workers=None, target=None):
        calls.append({"host": host, "port": port, "env": os.environ.get("PYWRY_DEPLOY_MODE")})
        if port == 1:
            raise PortInUseError("port 1 is in use by another program: pick another port")


app = Recorded()
hosted_at_import = app.hosted  # deploy mode was on before the module ran
count = 3


def make_app():
    return app


def make_nothing():
    return "nothing"
"""


@pytest.fixture
def target(tmp_path, monkeypatch):
    """Write a module into the current directory (tmp_path); its unique name. What
    ``pywry deploy`` changes in this process (sys.path, the env, sys.modules) is undone."""
    monkeypatch.setattr(sys, "path", list(sys.path))
    monkeypatch.setenv("PYWRY_DEPLOY_MODE", "0")  # restored (unset) afterwards
    before = set(sys.modules)
    made: list[str] = []

    def write(body: str = FAKE_APP) -> str:
        name = f"deploy_target_{uuid.uuid4().hex}"
        (tmp_path / f"{name}.py").write_text(body)
        made.append(name)
        return name

    yield write
    for name in set(sys.modules) - before:
        if name.startswith("deploy_target_"):
            del sys.modules[name]


def deploy_error(capsys, *argv: str) -> str:
    """Run ``pywry deploy argv`` expecting a usage error; its one line."""
    assert main(["deploy", *argv]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert err.count("\n") == 1, err
    assert err.startswith("pywry deploy: error: ")
    return err.strip()


def test_deploy_imports_the_module_in_deploy_mode_and_serves_its_app(target, capsys):
    name = target()
    assert main(["deploy", f"{name}:app", "--host", "0.0.0.0", "--port", "8123"]) == 0
    module = sys.modules[name]
    assert module.calls == [{"host": "0.0.0.0", "port": 8123, "env": "1"}]
    assert module.hosted_at_import is True
    assert capsys.readouterr().err == ""


def test_deploy_calls_a_factory_and_leaves_host_and_port_to_the_settings(target):
    name = target()
    assert main(["deploy", f"{name}:make_app()"]) == 0
    assert sys.modules[name].calls == [{"host": None, "port": None, "env": "1"}]


def test_deploy_takes_a_file_path_whose_folder_is_searched_for_its_imports(tmp_path, target):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "helper_for_deploy.py").write_text(FAKE_APP)
    (tmp_path / "sub" / "served.py").write_text("from helper_for_deploy import app, calls\n")
    try:
        assert main(["deploy", "sub/served.py:app", "--port", "9"]) == 0
        assert sys.modules["helper_for_deploy"].calls[0]["port"] == 9
    finally:
        sys.modules.pop("helper_for_deploy", None)
        sys.modules.pop("served", None)


@pytest.mark.parametrize(
    "bad", ["no_colon", "module:", ":app", "module:not-a-name", "module:make(1)", "a b:app"]
)
def test_deploy_a_malformed_target_is_a_usage_error(target, capsys, bad):
    assert "is not a" in deploy_error(capsys, bad)


def test_deploy_a_missing_module_or_file_is_a_usage_error(target, tmp_path, capsys):
    assert deploy_error(capsys, "no_such_module_here:app") == (
        f"pywry deploy: error: no module named 'no_such_module_here' (looked in {tmp_path}"
        " and the installed packages)"
    )
    assert "no module named 'no_such_pkg'" in deploy_error(capsys, "no_such_pkg.sub:app")
    assert deploy_error(capsys, "missing/app.py:app") == (
        "pywry deploy: error: no file missing/app.py"
    )


def test_deploy_a_missing_attribute_is_a_usage_error(target, capsys):
    name = target()
    err = deploy_error(capsys, f"{name}:widgets")
    assert err == f"pywry deploy: error: {name} has no attribute 'widgets'"
    err = deploy_error(capsys, f"{name}:app.nope")
    assert err == f"pywry deploy: error: {name}:app has no attribute 'nope'"


def test_deploy_an_attribute_that_is_not_a_pywry_app_is_a_usage_error(target, capsys):
    name = target()
    assert deploy_error(capsys, f"{name}:count") == (
        f"pywry deploy: error: {name}:count is an int, not a PyWry app"
    )
    assert deploy_error(capsys, f"{name}:make_nothing()") == (
        f"pywry deploy: error: {name}:make_nothing() returned a str, not a PyWry app"
    )
    assert deploy_error(capsys, f"{name}:app()").endswith(
        f"{name}:app is a Recorded, not a function returning a PyWry app"
    )
    assert sys.modules[name].calls == []


def test_deploy_a_module_that_fails_to_import_shows_its_traceback_and_exits_1(target, capsys):
    name = target("import os\n\nraise RuntimeError('the config is broken')\n")
    assert main(["deploy", f"{name}:app"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("Traceback (most recent call last):\n")
    assert f'{name}.py", line 3, in <module>' in err
    assert "pywry/cli/" not in err  # the user's frames only
    assert err.endswith(
        f"pywry deploy: error: importing {name} raised RuntimeError: the config is broken\n"
    )


def test_deploy_a_pywry_error_while_serving_is_one_line_with_exit_code_1(target, capsys):
    name = target()
    assert main(["deploy", f"{name}:app", "--port", "1"]) == 1
    assert capsys.readouterr().err == (
        "pywry deploy: error: port 1 is in use by another program: pick another port\n"
    )


def test_deploy_a_bad_port_is_a_usage_error(target, capsys):
    with pytest.raises(SystemExit) as done:
        main(["deploy", "mod:app", "--port", "70000"])
    assert done.value.code == 2
    assert "argument --port: '70000' is not a port number" in capsys.readouterr().err


def test_deploy_help_describes_the_targets_and_the_command_is_listed(capsys):
    with pytest.raises(SystemExit) as done:
        main(["deploy", "--help"])
    assert done.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith(
        "usage: pywry deploy [-h] [--host HOST] [--port PORT] [--workers N] TARGET"
    )
    for text in ("module:app", "module:make_app()", "script.py:app", "SIGTERM", "PYWRY_"):
        assert text in out
    with pytest.raises(SystemExit):
        main(["--help"])
    assert "deploy" in capsys.readouterr().out


def test_deploy_refuses_a_worker_count_below_one(capsys):
    with pytest.raises(SystemExit) as done:
        main(["deploy", "m:app", "--workers", "0"])
    assert done.value.code == 2
    assert "'0' is not a whole number of 1 or more" in capsys.readouterr().err


def test_deploy_calls_a_function_named_without_brackets_too(target):
    name = target()
    assert main(["deploy", f"{name}:make_app"]) == 0
    assert sys.modules[name].calls == [{"host": None, "port": None, "env": "1"}]


def test_deploy_a_function_that_needs_arguments_is_a_usage_error(target, capsys):
    name = target(FAKE_APP + "\n\ndef needs(a, *, b):\n    return app\n")
    assert deploy_error(capsys, f"{name}:needs") == (
        f"pywry deploy: error: {name}:needs takes arguments (a, b); pywry calls it with none:"
        " name a function without arguments, or the PyWry app itself"
    )
