"""Certificates and keys made on the spot for the TLS tests (nothing is downloaded)."""

from __future__ import annotations

import ipaddress
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.types import CertificateIssuerPrivateKeyTypes
from cryptography.x509.oid import NameOID

NOW = datetime.now(UTC)


def write_cert(
    path: Path,
    key: CertificateIssuerPrivateKeyTypes,
    *,
    not_before: datetime | None = None,
    not_after: datetime | None = None,
    ca: bool = False,
) -> Path:
    """A self-signed certificate for localhost and 127.0.0.1, written as PEM."""
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    sans = [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
    builder = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before or NOW - timedelta(days=1))
        .not_valid_after(not_after or NOW + timedelta(days=30))
        .add_extension(x509.SubjectAlternativeName(sans), critical=False)
    )
    if ca:
        # Lets a client trust this one certificate as its own authority.
        builder = builder.add_extension(
            x509.BasicConstraints(ca=True, path_length=None), critical=True
        )
    cert = builder.sign(key, hashes.SHA256())
    path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return path


def write_key(
    path: Path,
    key: CertificateIssuerPrivateKeyTypes,
    *,
    traditional: bool = False,
    password: str | None = None,
) -> Path:
    """The key as PEM: PKCS#8 or traditional OpenSSL, encrypted when a password is given."""
    fmt = (
        serialization.PrivateFormat.TraditionalOpenSSL
        if traditional
        else serialization.PrivateFormat.PKCS8
    )
    encryption: serialization.KeySerializationEncryption = (
        serialization.BestAvailableEncryption(password.encode())
        if password
        else serialization.NoEncryption()
    )
    path.write_bytes(key.private_bytes(serialization.Encoding.PEM, fmt, encryption))
    return path


def write_pair(
    directory: Path,
    *,
    password: str | None = None,
    traditional: bool = False,
    not_after: datetime | None = None,
    ca: bool = False,
) -> tuple[Path, Path]:
    """``cert.pem`` and ``key.pem`` (EC P-256) in ``directory``."""
    key = ec.generate_private_key(ec.SECP256R1())
    not_before = not_after - timedelta(days=60) if not_after else None
    certfile = write_cert(
        directory / "cert.pem", key, not_before=not_before, not_after=not_after, ca=ca
    )
    keyfile = write_key(directory / "key.pem", key, traditional=traditional, password=password)
    return certfile, keyfile
