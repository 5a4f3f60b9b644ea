"""Verification codes: the public handle of a certificate.

16 characters of Crockford's base32 (5 bits each, 80 bits in all) drawn from
`secrets`, so a code cannot be guessed or derived from another one. Stored
without separators; printed and shown as XXXX-XXXX-XXXX-XXXX. People read
codes off paper and type them back, so `code_normalise` forgives what
Crockford forgives: case, spaces, dashes, and the letters that look like
digits (O for 0, I and L for 1). Anything else is malformed (None), never
"close enough".
"""

from __future__ import annotations

import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32: no I, L, O, U
CODE_LENGTH = 16
BITS_PER_CHARACTER = 5  # len(ALPHABET) == 2**5
_ALLOWED = frozenset(ALPHABET)
_LOOK_ALIKES = str.maketrans({"O": "0", "I": "1", "L": "1"})
_SEPARATORS = str.maketrans("", "", " -\t")
# Far longer than any code with generous separators; longer input is refused
# before any work is done on it.
_MAX_INPUT = 64


def code_generate() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def code_normalise(text: str | None) -> str | None:
    """The stored form of a typed or scanned code, or None when `text` cannot
    be a code (wrong length, a character outside the alphabet)."""
    if not isinstance(text, str) or len(text) > _MAX_INPUT:
        return None
    candidate = text.translate(_SEPARATORS).upper().translate(_LOOK_ALIKES)
    if len(candidate) != CODE_LENGTH or not candidate.isascii() or not set(candidate) <= _ALLOWED:
        return None
    return candidate


def code_display(code: str) -> str:
    """XXXX-XXXX-XXXX-XXXX."""
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))
