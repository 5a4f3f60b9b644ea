"""Join codes: 8 characters of Crockford base32 (40 bits), shown as
XXXX-XXXX, valid only in the session's join window and rate limited, so a
code cannot be guessed in the time it works. Typing is forgiven the way
Crockford forgives it (case, spaces, dashes, O for 0, I/L for 1)."""

from __future__ import annotations

import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
LENGTH = 8
_TRANSLATE = str.maketrans({"O": "0", "I": "1", "L": "1", " ": None, "-": None})


def join_code_generate() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def join_code_normalise(text: object) -> str | None:
    """The stored form of a typed code, or None when it cannot be one."""
    if not isinstance(text, str) or len(text) > 32:
        return None
    code = text.upper().translate(_TRANSLATE)
    if len(code) != LENGTH or any(c not in ALPHABET for c in code):
        return None
    return code
