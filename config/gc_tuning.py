"""Garbage collection in the long-running server processes.

A daphne or gunicorn process holds a few hundred thousand objects once
Django, Wagtail and the apps are loaded; they live as long as the process.
Python's full collections walk every one of them each time: measured in the
live chat bench (bench/README.md, "Live sessions"), full collections of
200–450 ms in each daphne process while a crowd joined a room, which made
the first chat messages after the joins take up to a second to arrive.
`gc.freeze()` right after start-up moves those objects out of the
collector's reach (they are never garbage), so later collections only walk
what the process allocated since: the sockets, requests and messages.
"""

from __future__ import annotations

import gc


def freeze_startup_objects() -> None:
    """Collect once, then keep everything alive now out of later collections.
    Call at the end of the server entry points (config/asgi.py, config/wsgi.py)."""
    gc.collect()
    gc.freeze()
