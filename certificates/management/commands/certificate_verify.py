"""Check a downloaded credential file, offline if need be.

    python manage.py certificate_verify FILE.json [--jwks URL_OR_FILE]
        [--status-url URL | --status-from-db | --offline]

Signature: against the platform's own key by default, or the published keys
(`--jwks`, a JWKS or single JWK as a file or https URL) for a checker that
does not run the platform. Status (revoked, superseded): from `--status-url`,
from this platform's database (`--status-from-db`), or by default from the
credential's own credentialStatus URL with a short timeout; when that cannot
be reached the result says "status unknown (offline)" and signature and
dates still count.

Prints one line. Exit status: 0 valid, 1 not valid (tampered, wrong key,
revoked, expired, ...), 2 the file cannot be read as a credential.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from urllib.error import URLError
from urllib.request import Request, urlopen

from django.core.management.base import BaseCommand

from certificates import keys
from certificates.credentials import (
    Outcome,
    code_from_credential,
    credential_verify,
    status_from_database,
)

MAX_BYTES = 64 * 1024
TIMEOUT_SECONDS = 5
# The platform's JSON verify answer says "expired" from its own clock; the
# signed dates decide expiry here, so that answer counts as not withdrawn.
_STATUS_FROM_JSON = {"valid": "valid", "expired": "valid", "revoked": "revoked", "superseded": "superseded", "unknown": None}


class StatusUnreachable(Exception):
    pass


def fetch(url: str) -> bytes:
    if not url.startswith(("https://", "http://")):
        raise StatusUnreachable(url)
    request = Request(url, headers={"Accept": "application/json"})
    try:
        with urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310 (scheme checked above)
            return response.read(MAX_BYTES + 1)
    except (URLError, OSError, ValueError) as exc:
        raise StatusUnreachable(url) from exc


def status_from_url(url: str):
    def check(code: str) -> str | None:
        try:
            data = json.loads(fetch(url))
        except ValueError as exc:
            raise StatusUnreachable(url) from exc
        status = data.get("status") if isinstance(data, dict) else None
        if status not in _STATUS_FROM_JSON:
            raise StatusUnreachable(url)
        return _STATUS_FROM_JSON[status]

    return check


class Command(BaseCommand):
    help = "Check a signed certificate credential (Open Badges 3.0 VC-JWT): signature, changes, dates, status."

    def add_arguments(self, parser):
        parser.add_argument("file", help="credential file (.json as downloaded, or a bare JWT)")
        parser.add_argument("--jwks", help="published keys: a JWKS or JWK, as a file path or URL (default: this platform's key)")
        status = parser.add_mutually_exclusive_group()
        status.add_argument("--status-url", help="JSON status URL to ask instead of the credential's own")
        status.add_argument("--status-from-db", action="store_true", help="read the status from this platform's database")
        status.add_argument("--offline", action="store_true", help="do not check the status")

    def _fail(self, message: str, code: int):
        self.stdout.write(message)
        sys.exit(code)

    def handle(self, *args, file: str, jwks: str | None, status_url: str | None, status_from_db: bool, offline: bool, **options):
        path = Path(file)
        try:
            if path.stat().st_size > MAX_BYTES:
                self._fail(f"unreadable: {file} is larger than 64 KiB, not a credential", 2)
            data = path.read_bytes()
            text = data.decode("utf-8")
            if text.strip()[:1] == "{":
                json.loads(text)
        except OSError as exc:
            self._fail(f"unreadable: {exc.strerror or exc}: {file}", 2)
        except ValueError:
            self._fail(f"unreadable: {file} is not JSON or a JWT", 2)

        public_keys = None
        if jwks:
            try:
                raw = fetch(jwks) if jwks.startswith(("https://", "http://")) else Path(jwks).read_bytes()
                public_keys = keys.public_keys_from_jwks(json.loads(raw))
            except (OSError, ValueError, StatusUnreachable):
                self._fail(f"unreadable: no Ed25519 key could be read from {jwks}", 2)

        # Signature, tampering and dates first, without any status look-up.
        result = credential_verify(text, public_keys=public_keys)
        if result.outcome is Outcome.MALFORMED:
            self._fail(f"invalid: {result.message}", 2 if result.credential is None else 1)
        if result.outcome not in (Outcome.VALID, Outcome.EXPIRED, Outcome.NOT_YET_VALID):
            self._fail(f"invalid: {result.message}", 1)

        status_note = ""
        check = None
        if status_from_db:
            check = status_from_database
        elif not offline:
            url = status_url or ((result.credential or {}).get("credentialStatus") or {}).get("id")
            check = status_from_url(url) if url else None
        if check is not None:
            try:
                result = credential_verify(text, public_keys=public_keys, check_status=check)
            except StatusUnreachable:
                status_note = "; status unknown (offline)"
        else:
            status_note = "; status not checked"

        code = code_from_credential(result.credential or {}) or "?"
        if result.ok:
            self.stdout.write(f"valid: certificate {code}{status_note}")
            return
        self._fail(f"{result.outcome.value.replace('_', ' ')}: certificate {code}: {result.message}{status_note}", 1)
