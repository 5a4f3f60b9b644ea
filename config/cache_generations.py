"""Cache entries renewed by generation.

Entries derived from data that changes rarely (course outlines, whether any
page is private) are stored under a key that includes a generation number;
a change starts a new generation, and entries of older ones are never read
again (they expire on their own). A reader that computed an entry before
the change stores it under the old generation, where nobody reads it: no
stale value can outlive the change, whatever the interleaving.
"""

from __future__ import annotations

import time

from django.core.cache import cache


def generation(key: str) -> int:
    """The current generation stored under `key`."""
    current = cache.get(key)
    if current is None:
        # Never reuse an old number (an evicted key must not bring back
        # entries written before a change): a new one from the clock.
        cache.add(key, time.time_ns(), None)
        current = cache.get(key, 0)
    return current


def generation_bump(key: str) -> None:
    """Start a new generation: every entry of the old one is forgotten."""
    cache.set(key, time.time_ns(), None)
