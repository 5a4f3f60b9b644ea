"""The word list: terms that hold a chat message for review before anyone
but staff sees it (docs/live-protocol.md, "Safeguarding rules").

Terms are the default file of the session's language
(live/wordlists/<language>.txt) plus the active `WordListEntry` rows staff
added for that language. Matching ignores case and accents (NFKD, combining
marks dropped, casefold) and respects word boundaries, so "Numéro de
TELEPHONE" matches "numero de téléphone" but "bombastic" does not match
"bomb". A term of several words matches across any run of spaces or
punctuation between them.

The compiled pattern is cached per language in the process; saving or
deleting an entry bumps a version in the shared cache, which each process
reads at most every VERSION_CHECK_SECONDS, so another process recompiles
within that time (the process that saved recompiles at once). The receivers
are connected when this module is imported: live.apps imports it in
`ready()`.
"""

from __future__ import annotations

import re
import time
import unicodedata
import uuid
from functools import lru_cache
from pathlib import Path

from django.core.cache import cache
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .models import WordListEntry

WORDLISTS = Path(__file__).resolve().parent / "wordlists"
_VERSION_KEY = "live:wordlist:version"
VERSION_CHECK_SECONDS = 5.0
_seen_version: list = ["", -VERSION_CHECK_SECONDS]  # [version, when read]


def normalise(text: str) -> str:
    """Lower case without accents: the form both terms and messages are
    compared in. NFKD also folds compatibility forms (full-width letters,
    ligatures) into plain letters."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def default_terms(language: str) -> list[str]:
    path = WORDLISTS / f"{language}.txt"
    if not path.exists():
        return []
    lines = (line.strip() for line in path.read_text(encoding="utf-8").splitlines())
    return [line for line in lines if line and not line.startswith("#")]


def _term_pattern(term: str) -> str:
    words = re.findall(r"\w+", normalise(term))
    # Between the words of a term: any run of non-word characters
    # ("add-me", "add  me"); around it: no word character.
    return r"(?<!\w)" + r"\W+".join(re.escape(w) for w in words) + r"(?!\w)" if words else ""


def _key(text: str) -> str:
    return " ".join(re.findall(r"\w+", normalise(text)))


@lru_cache(maxsize=16)
def _compiled(language: str, version: str) -> tuple[re.Pattern | None, dict[str, str]]:
    """The pattern of all the language's terms, and each term as written
    keyed by its normalised words (to name the term a message matched)."""
    terms = default_terms(language) + list(
        WordListEntry.objects.filter(language=language, is_active=True).values_list("term", flat=True)
    )
    by_key = {_key(term): term for term in terms if _key(term)}
    patterns = sorted({_term_pattern(term) for term in by_key.values()}, key=len, reverse=True)
    if not patterns:
        return None, by_key
    return re.compile("|".join(patterns)), by_key


def _version() -> str:
    now = time.monotonic()
    if now - _seen_version[1] >= VERSION_CHECK_SECONDS:
        _seen_version[:] = [cache.get_or_set(_VERSION_KEY, uuid.uuid4().hex, timeout=None), now]
    return _seen_version[0]


def wordlist_match(text: str, *, language: str) -> str | None:
    """The first term (as written in the list) that `text` contains, or
    None."""
    pattern, by_key = _compiled(language, _version())
    if pattern is None:
        return None
    found = pattern.search(normalise(text))
    if found is None:
        return None
    return by_key.get(_key(found.group(0)), found.group(0))


def wordlist_changed() -> None:
    # A fresh random version, not a counter: a counter restarting after the
    # cache was emptied could meet a pattern compiled under the same number.
    cache.set(_VERSION_KEY, uuid.uuid4().hex, timeout=None)
    _seen_version[1] = -VERSION_CHECK_SECONDS  # this process: at once


@receiver(post_save, sender=WordListEntry, dispatch_uid="live_wordlist_saved")
@receiver(post_delete, sender=WordListEntry, dispatch_uid="live_wordlist_deleted")
def _entry_changed(sender, **kwargs) -> None:
    wordlist_changed()
