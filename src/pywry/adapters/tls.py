"""TLS material with ``cryptography``: check cert and key, decrypt keys, make dev certificates.

Granian aborts the whole process on an encrypted key, and OpenSSL prompts on the terminal for
a missing password, so every key is opened here first, always with an explicit password or
none, and an encrypted one is served from a private unencrypted copy that ``release`` deletes.
Every problem becomes a :class:`TlsError` that names the file, before anything is served.
"""

from __future__ import annotations

import atexit
import functools
import ipaddress
import os
import re
import shutil
import tempfile
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes, PublicKeyTypes
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from ..domain.errors import TlsError
from ..domain.ports import TlsFiles, TlsLoader, TlsMaterial

__all__ = ["CryptographyTlsLoader", "describe_certificate"]

_PEM_LABEL = re.compile(rb"-----BEGIN ([A-Z0-9 ]+)-----")
_CERT_HINT = "set ssl_certfile (PYWRY_SERVER__SSL_CERTFILE) to a PEM certificate"
_KEY_HINT = "set ssl_keyfile (PYWRY_SERVER__SSL_KEYFILE) to the certificate's PEM private key"
_DECRYPT_HINT = "ssl_keyfile_password (PYWRY_SERVER__SSL_KEYFILE_PASSWORD)"
_CA_HINT = "set ssl_ca_certs (PYWRY_SERVER__SSL_CA_CERTS) to a PEM file of CA certificates"
_DEV_NAMES = ("localhost", "127.0.0.1", "::1")
_DEV_LIFETIME = timedelta(days=365)
_DEV_MIN_REMAINING = timedelta(days=7)
_SanName = str | ipaddress.IPv4Address | ipaddress.IPv6Address


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _when(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S UTC")


def _read(path: Path, what: str, hint: str) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise TlsError(f"{what} {path} does not exist: {hint}") from None
    except OSError as exc:
        raise TlsError(f"{what} {path} cannot be read ({exc.strerror or exc}): {hint}") from None


def _labels(data: bytes, path: Path, what: str, hint: str) -> set[str]:
    labels = {label.decode() for label in _PEM_LABEL.findall(data)}
    if not labels:
        raise TlsError(f"{what} {path} is not a PEM file (no '-----BEGIN' line): {hint}")
    return labels


def _certificates(path: Path, what: str, hint: str) -> list[x509.Certificate]:
    data = _read(path, what, hint)
    labels = _labels(data, path, what, hint)
    if "CERTIFICATE" not in labels:
        found = ", ".join(sorted(labels))
        raise TlsError(f"{what} {path} holds no certificate (found {found}): {hint}")
    try:
        return x509.load_pem_x509_certificates(data)
    except ValueError:
        raise TlsError(f"{what} {path} holds a certificate that cannot be parsed: {hint}") from None


def _public_der(key: PublicKeyTypes) -> bytes:
    return key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def _pkcs8(key: PrivateKeyTypes) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def _san_names(cert: x509.Certificate) -> set[_SanName]:
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return set()
    names: set[_SanName] = {name.lower() for name in san.get_values_for_type(x509.DNSName)}
    for ip in san.get_values_for_type(x509.IPAddress):
        if isinstance(ip, ipaddress.IPv4Address | ipaddress.IPv6Address):
            names.add(ip)
    return names


def _wanted_names(hosts: list[str]) -> list[_SanName]:
    """The SANs a dev certificate needs: loopback names plus every bind host but wildcards."""
    names: list[_SanName] = []
    for raw in (*_DEV_NAMES, *hosts):
        host = raw.strip().strip("[]")
        name: _SanName
        try:
            name = ipaddress.ip_address(host)
        except ValueError:
            if host in ("", "*"):
                continue
            try:
                name = host.encode("idna").decode("ascii").lower()
            except UnicodeError:
                raise TlsError(f"host {raw!r} is not a valid DNS name for a certificate") from None
        else:
            if name.is_unspecified:  # 0.0.0.0 and :: are binds, not names a browser asks for
                continue
        if name not in names:
            names.append(name)
    return names


def _write_private(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically, readable by the owner only."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")  # mkstemp: 0600
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def describe_certificate(path: Path) -> str:
    """Subject, names, expiry and SHA-256 fingerprint of the first certificate in ``path``.

    Raises:
        TlsError: The file is missing or holds no readable certificate.
    """
    cert = _certificates(path, "certificate", "check the path")[0]
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        names = ", ".join(str(general.value) for general in san) or "(none)"
    except x509.ExtensionNotFound:
        names = "(none)"
    return (
        f"certificate {path}\n"
        f"  subject: {cert.subject.rfc4514_string()}\n"
        f"  names:   {names}\n"
        f"  expires: {_when(cert.not_valid_after_utc)}\n"
        f"  sha256:  {cert.fingerprint(hashes.SHA256()).hex(':').upper()}"
    )


class CryptographyTlsLoader(TlsLoader):
    """Checks TLS files with ``cryptography`` and hands the server an unencrypted key."""

    def __init__(self, *, now: Callable[[], datetime] = _utc_now) -> None:
        """Create a loader.

        Args:
            now: The clock for validity checks and new certificates (a fixed one in tests).
        """
        self._now = now
        self._lock = threading.Lock()
        self._dev_lock = threading.Lock()  # one writer of a dev pair per process at a time
        # Temporary key directory -> its cleanup, also registered with atexit so that a
        # script which exits without stopping the server leaves no decrypted key behind.
        self._temporary: dict[Path, Callable[[], None]] = {}

    def load(self, files: TlsFiles) -> TlsMaterial:
        """Check ``files`` and return material the server can read without a prompt."""
        leaf = _certificates(files.certfile, "TLS certificate", _CERT_HINT)[0]
        self._check_dates(leaf, files.certfile)
        key, encrypted = self._private_key(files)
        if _public_der(key.public_key()) != _public_der(leaf.public_key()):
            raise TlsError(
                f"TLS key {files.keyfile} does not belong to certificate {files.certfile} "
                f"(their public keys differ): {_KEY_HINT}"
            )
        if files.ca_certs is not None:
            _certificates(files.ca_certs, "CA certificates file", _CA_HINT)
        if not encrypted:
            return TlsMaterial(
                certfile=files.certfile, keyfile=files.keyfile, ca_certs=files.ca_certs
            )
        keyfile = self._decrypted_copy(key, files.keyfile)
        return TlsMaterial(
            certfile=files.certfile, keyfile=keyfile, ca_certs=files.ca_certs, temporary=True
        )

    def release(self, material: TlsMaterial) -> None:
        """Delete the decrypted key copy made for ``material``; idempotent."""
        if not material.temporary:
            return
        with self._lock:
            cleanup = self._temporary.pop(material.keyfile.parent, None)
        if cleanup is not None:
            atexit.unregister(cleanup)
            cleanup()

    def self_signed(self, hosts: list[str], directory: Path) -> TlsFiles:
        """A dev certificate for loopback and ``hosts`` in ``directory``, reused while good.

        Raises:
            TlsError: ``directory`` cannot be created or written, or a host is not a name.
        """
        names = _wanted_names(hosts)
        files = TlsFiles(certfile=directory / "dev-cert.pem", keyfile=directory / "dev-key.pem")
        with self._dev_lock:
            return self._dev_pair(files, names, directory)

    def _dev_pair(self, files: TlsFiles, names: list[_SanName], directory: Path) -> TlsFiles:
        try:
            if not directory.is_dir():
                directory.mkdir(mode=0o700, parents=True)
            if self._reusable(files, names):
                return files
            key = ec.generate_private_key(ec.SECP256R1())
            # Key first: a reader that races us sees a mismatch and makes its own pair.
            _write_private(files.keyfile, _pkcs8(key))
            _write_private(files.certfile, self._dev_certificate(key, names))
        except OSError as exc:
            raise TlsError(
                f"cannot keep the development certificate in {directory} "
                f"({exc.strerror or exc}): choose a writable directory"
            ) from None
        return files

    def _check_dates(self, cert: x509.Certificate, path: Path) -> None:
        now, start, end = self._now(), cert.not_valid_before_utc, cert.not_valid_after_utc
        if now > end:
            raise TlsError(
                f"TLS certificate {path} expired on {_when(end)} (it was valid from "
                f"{_when(start)}): renew it, or point ssl_certfile to a current certificate"
            )
        if now < start:
            raise TlsError(
                f"TLS certificate {path} is not valid until {_when(start)} (now is "
                f"{_when(now)}): check the system clock or the certificate's dates"
            )

    def _private_key(self, files: TlsFiles) -> tuple[PrivateKeyTypes, bool]:
        """The key in ``files.keyfile`` and whether it was encrypted; never prompts."""
        path = files.keyfile
        data = _read(path, "TLS key", _KEY_HINT)
        labels = _labels(data, path, "TLS key", _KEY_HINT)
        if not any(label.endswith("PRIVATE KEY") for label in labels):
            found = ", ".join(sorted(labels))
            raise TlsError(f"TLS key {path} holds no private key (found {found}): {_KEY_HINT}")
        encrypted = "ENCRYPTED PRIVATE KEY" in labels or b"Proc-Type: 4,ENCRYPTED" in data
        if encrypted and not files.password:
            raise TlsError(f"TLS key {path} is encrypted: set {_DECRYPT_HINT}")
        # Always an explicit password, or None for a plain key: OpenSSL never gets to prompt.
        password = files.password.encode() if encrypted and files.password else None
        try:
            key = serialization.load_pem_private_key(data, password)
        except ValueError as exc:
            if encrypted:
                # A wrong password is usually reported as such, but about one time in 200
                # the garbage it decrypts to ends in valid padding and fails to parse instead;
                # a damaged file fails the same way, so both are named.
                cause = (
                    "the password is wrong"
                    if "password" in str(exc).lower()
                    else "the password is wrong, or the file is damaged"
                )
                raise TlsError(
                    f"TLS key {path} cannot be decrypted: {cause}; check {_DECRYPT_HINT}"
                ) from None
            raise TlsError(
                f"TLS key {path} holds a key that cannot be parsed: {_KEY_HINT}"
            ) from None
        except (TypeError, UnsupportedAlgorithm) as exc:
            raise TlsError(f"TLS key {path} cannot be loaded ({exc}): {_KEY_HINT}") from None
        if not isinstance(
            key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey | ed25519.Ed25519PrivateKey
        ):
            raise TlsError(
                f"TLS key {path} is a {type(key).__name__}, which the server cannot use: "
                "use an RSA, EC or Ed25519 key"
            )
        return key, encrypted

    def _decrypted_copy(self, key: PrivateKeyTypes, source: Path) -> Path:
        directory = Path(tempfile.mkdtemp(prefix="pywry-tls-"))  # mkdtemp: mode 0700
        cleanup = functools.partial(shutil.rmtree, directory, ignore_errors=True)
        keyfile = directory / "key.pem"
        try:
            _write_private(keyfile, _pkcs8(key))
        except OSError as exc:
            cleanup()
            raise TlsError(
                f"cannot write a decrypted copy of TLS key {source} into {directory.parent} "
                f"({exc.strerror or exc}): free space there or set TMPDIR"
            ) from None
        atexit.register(cleanup)
        with self._lock:
            self._temporary[directory] = cleanup
        return keyfile

    def _reusable(self, files: TlsFiles, names: list[_SanName]) -> bool:
        try:
            cert = x509.load_pem_x509_certificate(files.certfile.read_bytes())
            key = serialization.load_pem_private_key(files.keyfile.read_bytes(), None)
        except (OSError, ValueError, TypeError, UnsupportedAlgorithm):
            return False  # missing, damaged or encrypted: make a fresh pair
        now = self._now()
        return (
            cert.not_valid_before_utc <= now
            and cert.not_valid_after_utc - now > _DEV_MIN_REMAINING
            and _public_der(key.public_key()) == _public_der(cert.public_key())
            and set(names) <= _san_names(cert)
        )

    def _dev_certificate(self, key: ec.EllipticCurvePrivateKey, names: list[_SanName]) -> bytes:
        subject = x509.Name(
            [
                x509.NameAttribute(NameOID.ORGANIZATION_NAME, "pywry development"),
                x509.NameAttribute(NameOID.COMMON_NAME, "localhost"),
            ]
        )
        sans = [x509.DNSName(n) if isinstance(n, str) else x509.IPAddress(n) for n in names]
        public, now = key.public_key(), self._now()
        # A leaf (CA:FALSE) with key usage and key identifiers: browsers reject a CA cert
        # used as a server cert, and strict X.509 verification wants the identifiers.
        usage = x509.KeyUsage(True, False, False, False, False, False, False, False, False)
        cert = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(subject)
            .public_key(public)
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(minutes=5))  # tolerate a little clock skew
            .not_valid_after(now + _DEV_LIFETIME)
            .add_extension(x509.SubjectAlternativeName(sans), critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(usage, critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), False)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(public), False)
            .sign(key, hashes.SHA256())
        )
        return cert.public_bytes(serialization.Encoding.PEM)
