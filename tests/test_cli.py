"""The ``pywry`` command: ``pywry cert``, ``pywry deploy`` and ``pywry --version``."""

from __future__ import annotations

import stat
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from cryptography import x509

from pywry import __version__
from pywry.adapters.tls import CryptographyTlsLoader
from pywry.cli import main


def certs_dir(tmp_path: Path) -> Path:
    # The autouse fixture points XDG_CONFIG_HOME at tmp_path / "xdg".
    return tmp_path / "xdg" / "pywry" / "certs"


def names_in(path: Path) -> list[str]:
    cert = x509.load_pem_x509_certificate(path.read_bytes())
    san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    return [str(name.value) for name in san]


def test_version_prints_the_package_version(capsys):
    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0
    assert capsys.readouterr().out == f"pywry {__version__}\n"


def test_cert_makes_a_private_pair_in_the_user_config_dir_and_describes_it(tmp_path, capsys):
    assert main(["cert"]) == 0
    directory = certs_dir(tmp_path)
    out = capsys.readouterr().out
    assert out.startswith(f"made a new certificate {directory / 'dev-cert.pem'}\n")
    assert "names:   localhost, 127.0.0.1, ::1" in out
    assert "sha256:" in out
    assert f"key {directory / 'dev-key.pem'}" in out
    assert 'ssl = "self-signed"' in out
    assert stat.S_IMODE((directory / "dev-key.pem").stat().st_mode) == 0o600
    assert stat.S_IMODE(directory.stat().st_mode) == 0o700


def test_cert_reuses_a_good_pair_and_force_replaces_it(tmp_path, capsys):
    assert main(["cert"]) == 0
    first = (certs_dir(tmp_path) / "dev-cert.pem").read_bytes()
    capsys.readouterr()
    assert main(["cert"]) == 0
    assert capsys.readouterr().out.startswith("reusing the certificate ")
    assert (certs_dir(tmp_path) / "dev-cert.pem").read_bytes() == first
    assert main(["cert", "--force"]) == 0
    assert capsys.readouterr().out.startswith("made a new certificate ")
    assert (certs_dir(tmp_path) / "dev-cert.pem").read_bytes() != first


def test_cert_covers_the_configured_host_and_extra_hosts(tmp_path, monkeypatch):
    monkeypatch.setenv("PYWRY_SERVER__HOST", "devbox.example")
    assert main(["cert", "--host", "10.1.2.3", "--dir", str(tmp_path / "mine")]) == 0
    names = names_in(tmp_path / "mine" / "dev-cert.pem")
    assert names[:3] == ["localhost", "127.0.0.1", "::1"]
    assert "devbox.example" in names
    assert "10.1.2.3" in names


def test_the_server_reuses_the_pair_that_cert_made(tmp_path):
    assert main(["cert"]) == 0
    directory = certs_dir(tmp_path)
    before = (directory / "dev-cert.pem").read_bytes()
    # What `ssl = "self-signed"` asks for with the default host.
    CryptographyTlsLoader().self_signed(["127.0.0.1", "127.0.0.1"], directory)
    assert (directory / "dev-cert.pem").read_bytes() == before


def test_a_directory_that_cannot_be_made_is_a_clear_error_with_exit_code_1(tmp_path, capsys):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    assert main(["cert", "--dir", str(blocker / "certs")]) == 1
    err = capsys.readouterr().err
    assert err.startswith(
        f"pywry cert: error: cannot keep the development certificate in {blocker}"
    )
    assert "Traceback" not in err


def test_a_bad_setting_is_reported_with_exit_code_1(monkeypatch, capsys):
    monkeypatch.setenv("PYWRY_SERVER__HOST", "http://x/")
    assert main(["cert"]) == 1
    err = capsys.readouterr().err
    assert "pywry cert: error: server.host = 'http://x/'" in err
    assert "PYWRY_SERVER__HOST" in err


def test_no_command_prints_help_and_a_wrong_one_is_a_usage_error(capsys):
    assert main([]) == 2
    assert "cert" in capsys.readouterr().err
    with pytest.raises(SystemExit) as done:
        main(["bogus"])
    assert done.value.code == 2
    assert "invalid choice: 'bogus'" in capsys.readouterr().err


@pytest.mark.timeout(20)
def test_the_installed_command_answers_fast_without_loading_the_server_stack():
    probe = (
        "import sys, pywry.cli\n"
        "try:\n"
        "    pywry.cli.main(['--version'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "heavy = [m for m in ('litestar', 'granian', 'cryptography') if m in sys.modules]\n"
        "print('loaded:', heavy)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=15, check=True
    )
    assert done.stdout.splitlines() == [f"pywry {__version__}", "loaded: []"]
    module = subprocess.run(
        [sys.executable, "-m", "pywry.cli", "--version"],
        capture_output=True,
        text=True,
        timeout=15,
        check=False,
    )
    assert (module.returncode, module.stdout) == (0, f"pywry {__version__}\n")


# ------------------------------------------------------------------ pywry deploy
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
    assert deploy_error(capsys, f"{name}:make_app") == (
        f"pywry deploy: error: {name}:make_app is a function, not a PyWry app:"
        f" write {name}:make_app() to call it"
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
    assert "cli.py" not in err  # the user's frames only
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
