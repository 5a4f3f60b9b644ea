"""nginx serving deploy/nginx.conf for tests and benches: a self-signed
certificate for the site and H5P host names, the documented file with its
${NAMES} filled in, and a main configuration that keeps every file nginx
writes in one temporary folder."""

from __future__ import annotations

import datetime as dt
import os
import string
import subprocess
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

ROOT = Path(__file__).resolve().parent.parent.parent
NGINX = "/usr/sbin/nginx"


def self_signed(directory: Path, *names: str) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, names[0])])
    now = dt.datetime.now(dt.timezone.utc)
    certificate = (
        x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(name) for name in names]), critical=False)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "site.crt", directory / "site.key"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    return cert_path, key_path


def configuration(directory: Path, values: dict[str, str]) -> Path:
    """deploy/nginx.conf with `values` for its ${NAMES} (every one must be
    given), inside a main configuration writing only to `directory`."""
    site = string.Template((ROOT / "deploy" / "nginx.conf").read_text()).safe_substitute(values)
    leftover = [line for line in site.splitlines() if "${" in line and not line.lstrip().startswith("#")]
    if leftover:
        raise ValueError(f"deploy/nginx.conf names left without a value: {leftover}")
    (directory / "bridgeline.conf").write_text(site)
    for name in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (directory / name).mkdir(exist_ok=True)
    main = f"""
daemon off;
worker_processes 1;
pid {directory}/nginx.pid;
error_log {directory}/error.log warn;
{"user root;" if os.geteuid() == 0 else ""}
events {{ worker_connections 1024; }}
http {{
    access_log off;
    include /etc/nginx/mime.types;
    client_body_temp_path {directory}/body;
    proxy_temp_path {directory}/proxy;
    fastcgi_temp_path {directory}/fastcgi;
    uwsgi_temp_path {directory}/uwsgi;
    scgi_temp_path {directory}/scgi;
    include {directory}/bridgeline.conf;
}}
"""
    path = directory / "nginx.conf"
    path.write_text(main)
    return path


def command(directory: Path, conf: Path) -> list[str]:
    return [NGINX, "-p", str(directory), "-e", str(directory / "error.log"), "-c", str(conf)]


def start(directory: Path, conf: Path, **popen) -> subprocess.Popen:
    return subprocess.Popen(command(directory, conf), **popen)
