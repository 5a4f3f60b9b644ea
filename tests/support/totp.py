"""RFC 6238 codes for tests that play the user's authenticator app.

allauth accepts only the code of the current 30-second step (its
MFA_TOTP_TOLERANCE defaults to 0), so a code computed just before a step
ends may be stale by the time the server checks it. `fresh_totp_code`
waits out the last seconds of a step instead: no assertion depends on time.
"""

from __future__ import annotations

import re
import time

from allauth.mfa import app_settings
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

SECRET = re.compile(r"\b[A-Z2-7]{32}\b")  # base32 of allauth's 20 random bytes
SAFETY_MARGIN_SECONDS = 3


def totp_code(secret: str, *, at: float | None = None) -> str:
    counter = int(time.time() if at is None else at) // app_settings.TOTP_PERIOD
    return format_hotp_value(hotp_value(secret, counter))


def fresh_totp_code(secret: str) -> str:
    remaining = app_settings.TOTP_PERIOD - time.time() % app_settings.TOTP_PERIOD
    if remaining < SAFETY_MARGIN_SECONDS:
        time.sleep(remaining + 0.1)
    return totp_code(secret)


def wrong_totp_code(secret: str) -> str:
    """A well-formed code that is valid neither now nor in the next step."""
    valid = {totp_code(secret, at=time.time() + offset) for offset in (-30, 0, 30, 60)}
    return next(code for code in ("000000", "111111", "222222", "333333", "444444") if code not in valid)


def find_secret(html: str) -> str:
    """The secret as the activation page shows it (text field, QR alt text)."""
    match = SECRET.search(html)
    if match is None:
        raise AssertionError("no TOTP secret on the activation page")
    return match.group(0)
