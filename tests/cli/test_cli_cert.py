"""The ``pywry`` command: ``pywry cert``, ``pywry --version`` and the command as a whole."""

from __future__ import annotations

import stat
import subprocess
import sys
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
