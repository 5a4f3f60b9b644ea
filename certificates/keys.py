"""The platform's Ed25519 signing key for Open Badges credentials.

Where the key comes from:

* Production: `settings.CERTIFICATE_SIGNING_KEY` (environment variable of the
  same name), either a PEM "PRIVATE KEY" block (literal newlines or "\\n") or
  the base64 of the 32-byte raw private key. Production settings require it,
  so a server never signs with a throwaway key.
* Development and tests: without that setting, a key is generated on first
  use and kept in `settings.CERTIFICATE_SIGNING_KEY_FILE` (default
  BASE_DIR/.certificate_signing_key, chmod 600, ignored by git), so
  credentials signed on a laptop keep verifying after a restart.

A key is named by its JWK thumbprint (RFC 7638). Signed credentials carry
the URL of that key's JWK as their `kid` (certificates.credentials.key_url;
credentials signed before that carry the bare thumbprint). After a rotation, the public keys of retired signing keys stay
published (`settings.CERTIFICATE_RETIRED_PUBLIC_KEYS`, PEM or base64 raw
public keys) so that credentials handed out earlier still verify.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
from functools import lru_cache
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _raw_public(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def private_key_from_text(text: str) -> Ed25519PrivateKey:
    """A private key from a PEM block or the base64 of its 32 raw bytes."""
    text = text.strip().replace("\\n", "\n")
    try:
        if text.startswith("-----BEGIN"):
            key = serialization.load_pem_private_key(text.encode("ascii"), password=None)
        else:
            raw = base64.b64decode(text, validate=True)
            key = Ed25519PrivateKey.from_private_bytes(raw) if len(raw) == 32 else serialization.load_der_private_key(raw, password=None)
    except (ValueError, TypeError, binascii.Error) as exc:
        raise ImproperlyConfigured(f"CERTIFICATE_SIGNING_KEY is not a readable Ed25519 private key: {exc}") from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise ImproperlyConfigured("CERTIFICATE_SIGNING_KEY must be an Ed25519 key.")
    return key


def public_key_from_text(text: str) -> Ed25519PublicKey:
    text = text.strip().replace("\\n", "\n")
    try:
        if text.startswith("-----BEGIN"):
            key = serialization.load_pem_public_key(text.encode("ascii"))
        else:
            key = Ed25519PublicKey.from_public_bytes(base64.b64decode(text, validate=True))
    except (ValueError, TypeError, binascii.Error) as exc:
        raise ImproperlyConfigured(f"A retired certificate public key is not readable: {exc}") from exc
    if not isinstance(key, Ed25519PublicKey):
        raise ImproperlyConfigured("Retired certificate public keys must be Ed25519 keys.")
    return key


def private_key_to_pem(key: Ed25519PrivateKey) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode("ascii")


@lru_cache(maxsize=4)
def _key_from_setting(text: str) -> Ed25519PrivateKey:
    return private_key_from_text(text)


@lru_cache(maxsize=4)
def _key_from_file(path: str) -> Ed25519PrivateKey:
    file = Path(path)
    if file.exists():
        return private_key_from_text(file.read_text())
    key = Ed25519PrivateKey.generate()
    # Created with 0600 from the start: the key is never readable by others,
    # not even for the moment between writing and chmod.
    descriptor = os.open(file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(private_key_to_pem(key))
    return key


def signing_key() -> Ed25519PrivateKey:
    configured = getattr(settings, "CERTIFICATE_SIGNING_KEY", "") or ""
    if configured:
        return _key_from_setting(configured)
    path = getattr(settings, "CERTIFICATE_SIGNING_KEY_FILE", None) or Path(settings.BASE_DIR) / ".certificate_signing_key"
    return _key_from_file(str(path))


def public_jwk(key: Ed25519PublicKey | None = None) -> dict:
    """The public key as a JWK (RFC 8037 OKP), with its `kid`."""
    key = key or signing_key().public_key()
    jwk = {"crv": "Ed25519", "kty": "OKP", "x": b64url(_raw_public(key))}
    return {**jwk, "kid": thumbprint(jwk), "alg": "EdDSA", "use": "sig"}


def thumbprint(jwk: dict) -> str:
    """RFC 7638: SHA-256 over the required members, sorted, no whitespace."""
    required = {name: jwk[name] for name in ("crv", "kty", "x")}
    canonical = json.dumps(required, sort_keys=True, separators=(",", ":")).encode("utf-8")
    return b64url(hashlib.sha256(canonical).digest())


def key_id() -> str:
    return public_jwk()["kid"]


def published_public_keys() -> dict[str, Ed25519PublicKey]:
    """kid -> public key: the current signing key, then retired ones."""
    keys = [signing_key().public_key()]
    keys += [public_key_from_text(text) for text in getattr(settings, "CERTIFICATE_RETIRED_PUBLIC_KEYS", []) or []]
    return {public_jwk(key)["kid"]: key for key in keys}


def published_jwks() -> dict:
    return {"keys": [public_jwk(key) for key in published_public_keys().values()]}


def public_key_from_jwk(jwk: dict) -> Ed25519PublicKey:
    if jwk.get("kty") != "OKP" or jwk.get("crv") != "Ed25519" or not isinstance(jwk.get("x"), str):
        raise ValueError("not an Ed25519 public JWK")
    try:
        return Ed25519PublicKey.from_public_bytes(b64url_decode(jwk["x"]))
    except (binascii.Error, ValueError) as exc:
        raise ValueError("not an Ed25519 public JWK") from exc


def public_keys_from_jwks(data: dict) -> dict[str, Ed25519PublicKey]:
    """kid -> key from a JWKS ({"keys": [...]}) or a single JWK. The kid is
    recomputed from the key itself, never trusted from the file."""
    jwks = data.get("keys") if isinstance(data, dict) and "keys" in data else [data]
    if not isinstance(jwks, list):
        raise ValueError("not a JWK set")
    keys = {}
    for jwk in jwks:
        if isinstance(jwk, dict):
            key = public_key_from_jwk(jwk)
            keys[public_jwk(key)["kid"]] = key
    if not keys:
        raise ValueError("no Ed25519 key in the JWK set")
    return keys
