"""CryptographyTlsLoader: checking, decrypting and generating certificates and keys."""

from __future__ import annotations

import http.server
import ipaddress
import ssl
import stat
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from certs import NOW, write_cert, write_key
from pywry.adapters.tls import CryptographyTlsLoader, describe_certificate
from pywry.domain.errors import TlsError
from pywry.domain.ports import TlsFiles, TlsMaterial

PASSWORD = "correct horse battery staple"


@pytest.fixture(scope="module")
def rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="module")
def ec_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


@pytest.fixture
def loader() -> CryptographyTlsLoader:
    return CryptographyTlsLoader()


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def load_error(loader: CryptographyTlsLoader, files: TlsFiles) -> str:
    with pytest.raises(TlsError) as caught:
        loader.load(files)
    return str(caught.value)


def test_a_plain_rsa_pair_is_served_from_the_original_files(loader, rsa_key, tmp_path):
    files = TlsFiles(
        write_cert(tmp_path / "c.pem", rsa_key), write_key(tmp_path / "k.pem", rsa_key)
    )
    assert loader.load(files) == TlsMaterial(files.certfile, files.keyfile, None, False)


def test_a_plain_ec_pair_is_served_from_the_original_files(loader, ec_key, tmp_path):
    files = TlsFiles(write_cert(tmp_path / "c.pem", ec_key), write_key(tmp_path / "k.pem", ec_key))
    material = loader.load(files)
    assert (material.keyfile, material.temporary) == (files.keyfile, False)


def test_a_pkcs8_encrypted_key_is_served_from_a_private_decrypted_copy(loader, ec_key, tmp_path):
    keyfile = write_key(tmp_path / "k.pem", ec_key, password=PASSWORD)
    assert b"ENCRYPTED PRIVATE KEY" in keyfile.read_bytes()
    files = TlsFiles(write_cert(tmp_path / "c.pem", ec_key), keyfile, password=PASSWORD)
    material = loader.load(files)
    assert material.temporary
    assert material.certfile == files.certfile
    assert material.keyfile != keyfile
    assert mode(material.keyfile) == 0o600
    assert mode(material.keyfile.parent) == 0o700
    copy = serialization.load_pem_private_key(material.keyfile.read_bytes(), None)
    assert copy.private_numbers() == ec_key.private_numbers()  # type: ignore[union-attr]
    assert b"BEGIN PRIVATE KEY" in material.keyfile.read_bytes()
    loader.release(material)


def test_a_traditional_encrypted_rsa_key_is_decrypted(loader, rsa_key, tmp_path):
    keyfile = write_key(tmp_path / "k.pem", rsa_key, traditional=True, password=PASSWORD)
    assert b"Proc-Type: 4,ENCRYPTED" in keyfile.read_bytes()
    files = TlsFiles(write_cert(tmp_path / "c.pem", rsa_key), keyfile, password=PASSWORD)
    material = loader.load(files)
    assert material.temporary
    assert b"BEGIN PRIVATE KEY" in material.keyfile.read_bytes()
    loader.release(material)


def test_release_deletes_the_decrypted_copy_and_can_be_repeated(loader, ec_key, tmp_path):
    keyfile = write_key(tmp_path / "k.pem", ec_key, password=PASSWORD)
    files = TlsFiles(write_cert(tmp_path / "c.pem", ec_key), keyfile, password=PASSWORD)
    material = loader.load(files)
    loader.release(material)
    assert not material.keyfile.exists()
    assert not material.keyfile.parent.exists()
    loader.release(material)
    assert keyfile.exists()


def test_release_of_original_files_deletes_nothing(loader, ec_key, tmp_path):
    files = TlsFiles(write_cert(tmp_path / "c.pem", ec_key), write_key(tmp_path / "k.pem", ec_key))
    loader.release(loader.load(files))
    assert files.certfile.exists()
    assert files.keyfile.exists()


@pytest.mark.timeout(10)
def test_an_encrypted_key_without_a_password_names_the_setting_and_never_prompts(
    loader, ec_key, tmp_path
):
    keyfile = write_key(tmp_path / "k.pem", ec_key, traditional=True, password=PASSWORD)
    message = load_error(loader, TlsFiles(write_cert(tmp_path / "c.pem", ec_key), keyfile))
    assert message == (
        f"TLS key {keyfile} is encrypted: "
        "set ssl_keyfile_password (PYWRY_SERVER__SSL_KEYFILE_PASSWORD)"
    )


def test_a_wrong_password_is_reported_without_echoing_any_password(loader, ec_key, tmp_path):
    keyfile = write_key(tmp_path / "k.pem", ec_key, password=PASSWORD)
    files = TlsFiles(write_cert(tmp_path / "c.pem", ec_key), keyfile, password="wrong-secret")
    message = load_error(loader, files)
    assert str(keyfile) in message
    assert "password is wrong" in message
    assert "wrong-secret" not in message
    assert PASSWORD not in message
    assert "wrong-secret" not in repr(files)


def test_a_wrong_password_that_decrypts_to_garbage_is_still_called_a_wrong_password(
    loader, ec_key, tmp_path
):
    # About one wrong password in 200 decrypts to garbage that ends in valid padding; the
    # parser then rejects it without a word about the password. Find such a file.
    for _ in range(20_000):
        pem = ec_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(PASSWORD.encode()),
        )
        try:
            serialization.load_pem_private_key(pem, b"wrong-secret")
        except ValueError as exc:
            if "password" not in str(exc).lower():
                break
    else:
        pytest.fail("no key file that a wrong password decrypts to garbage was found")
    keyfile = tmp_path / "k.pem"
    keyfile.write_bytes(pem)
    files = TlsFiles(write_cert(tmp_path / "c.pem", ec_key), keyfile, password="wrong-secret")
    assert "password is wrong" in load_error(loader, files)


def test_a_key_from_another_certificate_is_rejected(loader, ec_key, rsa_key, tmp_path):
    files = TlsFiles(write_cert(tmp_path / "c.pem", ec_key), write_key(tmp_path / "k.pem", rsa_key))
    message = load_error(loader, files)
    assert f"TLS key {files.keyfile} does not belong to certificate {files.certfile}" in message


def test_an_expired_certificate_says_when_it_expired(loader, ec_key, tmp_path):
    end = datetime(2020, 1, 2, 3, 4, 5, tzinfo=UTC)
    cert = write_cert(tmp_path / "c.pem", ec_key, not_before=end - timedelta(days=9), not_after=end)
    message = load_error(loader, TlsFiles(cert, write_key(tmp_path / "k.pem", ec_key)))
    assert f"TLS certificate {cert} expired on 2020-01-02 03:04:05 UTC" in message


def test_a_certificate_not_yet_valid_says_from_when(loader, ec_key, tmp_path):
    start = (NOW + timedelta(days=3)).replace(microsecond=0)
    cert = write_cert(
        tmp_path / "c.pem", ec_key, not_before=start, not_after=start + timedelta(days=9)
    )
    message = load_error(loader, TlsFiles(cert, write_key(tmp_path / "k.pem", ec_key)))
    assert f"is not valid until {start:%Y-%m-%d %H:%M:%S} UTC" in message


def test_missing_files_are_named(loader, ec_key, tmp_path):
    cert, key = write_cert(tmp_path / "c.pem", ec_key), write_key(tmp_path / "k.pem", ec_key)
    missing = tmp_path / "nope.pem"
    assert f"{missing} does not exist" in load_error(loader, TlsFiles(missing, key))
    assert f"{missing} does not exist" in load_error(loader, TlsFiles(cert, missing))


def test_an_unreadable_certificate_path_is_named(loader, ec_key, tmp_path):
    key = write_key(tmp_path / "k.pem", ec_key)
    message = load_error(loader, TlsFiles(tmp_path, key))  # a directory cannot be read
    assert f"TLS certificate {tmp_path} cannot be read" in message


def test_garbage_and_swapped_files_say_what_they_hold(loader, ec_key, tmp_path):
    cert, key = write_cert(tmp_path / "c.pem", ec_key), write_key(tmp_path / "k.pem", ec_key)
    garbage = tmp_path / "garbage.pem"
    garbage.write_bytes(b"\x00\x01 not a certificate at all")
    assert "is not a PEM file" in load_error(loader, TlsFiles(garbage, key))
    assert "is not a PEM file" in load_error(loader, TlsFiles(cert, garbage))
    assert "holds no certificate (found PRIVATE KEY)" in load_error(loader, TlsFiles(key, key))
    assert "holds no private key (found CERTIFICATE)" in load_error(loader, TlsFiles(cert, cert))


def test_a_damaged_pem_block_is_reported_as_unparseable(loader, ec_key, tmp_path):
    cert = write_cert(tmp_path / "c.pem", ec_key)
    broken = tmp_path / "broken.pem"
    broken.write_text("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n")
    assert "cannot be parsed" in load_error(loader, TlsFiles(cert, broken))


def test_ca_certs_are_checked_and_passed_on(loader, ec_key, rsa_key, tmp_path):
    cert, key = write_cert(tmp_path / "c.pem", ec_key), write_key(tmp_path / "k.pem", ec_key)
    ca = write_cert(tmp_path / "ca.pem", rsa_key)
    assert loader.load(TlsFiles(cert, key, ca_certs=ca)).ca_certs == ca
    missing = tmp_path / "no-ca.pem"
    message = load_error(loader, TlsFiles(cert, key, ca_certs=missing))
    assert f"CA certificates file {missing} does not exist" in message
    assert "PYWRY_SERVER__SSL_CA_CERTS" in message
    message = load_error(loader, TlsFiles(cert, key, ca_certs=key))
    assert f"CA certificates file {key} holds no certificate" in message


def sans_of(path: Path) -> list[object]:
    cert = x509.load_pem_x509_certificate(path.read_bytes())
    ext = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    return [general.value for general in ext]


def fingerprint(path: Path) -> bytes:
    return x509.load_pem_x509_certificate(path.read_bytes()).fingerprint(hashes.SHA256())


def test_self_signed_writes_a_private_pair_for_loopback_and_the_bind_hosts(loader, tmp_path):
    directory = tmp_path / "certs" / "dev"
    files = loader.self_signed(["0.0.0.0", "::", "Box.Example", "192.168.1.5"], directory)
    assert files == TlsFiles(directory / "dev-cert.pem", directory / "dev-key.pem")
    assert mode(directory) == 0o700
    assert mode(files.keyfile) == 0o600
    assert sans_of(files.certfile) == [
        "localhost",
        ipaddress.ip_address("127.0.0.1"),
        ipaddress.ip_address("::1"),
        "box.example",
        ipaddress.ip_address("192.168.1.5"),
    ]
    key = serialization.load_pem_private_key(files.keyfile.read_bytes(), None)
    assert isinstance(key, ec.EllipticCurvePrivateKey)
    assert key.curve.name == "secp256r1"
    cert = x509.load_pem_x509_certificate(files.certfile.read_bytes())
    lifetime = cert.not_valid_after_utc - cert.not_valid_before_utc
    assert timedelta(days=364) < lifetime < timedelta(days=366)
    assert loader.load(files).temporary is False
    assert sorted(p.name for p in directory.iterdir()) == ["dev-cert.pem", "dev-key.pem"]


def test_self_signed_reuses_a_valid_certificate(loader, tmp_path):
    first = loader.self_signed(["127.0.0.1"], tmp_path / "dev")
    before = fingerprint(first.certfile)
    second = loader.self_signed([], tmp_path / "dev")
    assert fingerprint(second.certfile) == before


def test_self_signed_regenerates_when_a_new_host_is_needed(loader, tmp_path):
    files = loader.self_signed([], tmp_path / "dev")
    before = fingerprint(files.certfile)
    loader.self_signed(["devbox"], tmp_path / "dev")
    assert fingerprint(files.certfile) != before
    assert "devbox" in sans_of(files.certfile)


def test_self_signed_regenerates_a_week_before_expiry(tmp_path):
    CryptographyTlsLoader().self_signed([], tmp_path / "dev")
    before = fingerprint(tmp_path / "dev" / "dev-cert.pem")
    late = CryptographyTlsLoader(now=lambda: datetime.now(UTC) + timedelta(days=360))
    still_fresh = CryptographyTlsLoader(now=lambda: datetime.now(UTC) + timedelta(days=350))
    still_fresh.self_signed([], tmp_path / "dev")
    assert fingerprint(tmp_path / "dev" / "dev-cert.pem") == before
    late.self_signed([], tmp_path / "dev")
    assert fingerprint(tmp_path / "dev" / "dev-cert.pem") != before


def test_self_signed_replaces_a_damaged_pair(loader, tmp_path):
    files = loader.self_signed([], tmp_path / "dev")
    files.keyfile.write_text("damaged")
    loader.self_signed([], tmp_path / "dev")
    assert loader.load(files).keyfile == files.keyfile


def test_self_signed_names_a_directory_it_cannot_create(loader, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    with pytest.raises(TlsError, match=str(blocker / "dev")):
        loader.self_signed([], blocker / "dev")


def test_describe_certificate_shows_subject_names_expiry_and_fingerprint(loader, tmp_path):
    files = loader.self_signed([], tmp_path / "dev")
    text = describe_certificate(files.certfile)
    cert = x509.load_pem_x509_certificate(files.certfile.read_bytes())
    assert "subject: CN=localhost,O=pywry development" in text
    assert "names:   localhost, 127.0.0.1, ::1" in text
    assert f"expires: {cert.not_valid_after_utc:%Y-%m-%d %H:%M:%S} UTC" in text
    assert cert.fingerprint(hashes.SHA256()).hex(":").upper() in text


def test_describe_certificate_of_a_missing_file_is_a_tls_error(tmp_path):
    with pytest.raises(TlsError, match="does not exist"):
        describe_certificate(tmp_path / "none.pem")


class Hello(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = b"hello over tls"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


def fetch_over_https(material: TlsMaterial, trust: ssl.SSLContext) -> httpx.Response:
    server_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_ctx.load_cert_chain(material.certfile, material.keyfile)  # no password: no prompt
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Hello)
    server.socket = server_ctx.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        port = server.server_address[1]
        return httpx.get(f"https://127.0.0.1:{port}/", verify=trust, timeout=5)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


@pytest.mark.timeout(20)
def test_the_decrypted_copy_serves_https_that_a_client_trusts(loader, ec_key, tmp_path):
    cert = write_cert(tmp_path / "c.pem", ec_key)
    keyfile = write_key(tmp_path / "k.pem", ec_key, traditional=True, password=PASSWORD)
    material = loader.load(TlsFiles(cert, keyfile, password=PASSWORD))
    try:
        response = fetch_over_https(material, ssl.create_default_context(cafile=str(cert)))
    finally:
        loader.release(material)
    assert (response.status_code, response.text) == (200, "hello over tls")


@pytest.mark.timeout(20)
def test_the_self_signed_certificate_is_trusted_for_127_0_0_1_over_https(loader, tmp_path):
    files = loader.self_signed([], tmp_path / "dev")
    trust = ssl.create_default_context(cafile=str(files.certfile))
    trust.verify_flags |= ssl.VERIFY_X509_STRICT
    response = fetch_over_https(loader.load(files), trust)
    assert response.text == "hello over tls"
