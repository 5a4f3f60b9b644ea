"""What one request reads once: a memo that lives for one request.

A lesson request asks for its course's outline, the learner's progress,
their roles and the active locale several times (the access check, the
evidence write, the header, the footer, the blocks). None of it can change
within the request unless the request itself writes it, and the services
that write forget what they changed (`memo_discard`). `RequestMemoMiddleware`
opens a fresh memo for each request and drops it afterwards; outside a
request (tasks, shell, tests calling selectors directly) nothing is
memoised and every call reads the database.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TypeVar

_memo: ContextVar[dict | None] = ContextVar("request_memo", default=None)
T = TypeVar("T")


def memoised(key: tuple, compute: Callable[[], T]) -> T:
    """`compute()`, once per request for `key`."""
    memo = _memo.get()
    if memo is None:
        return compute()
    if key not in memo:
        memo[key] = compute()
    return memo[key]


def memo_get(key: tuple):
    """The value memoised under `key` in this request, or None."""
    memo = _memo.get()
    return None if memo is None else memo.get(key)


def memo_set(key: tuple, value) -> None:
    memo = _memo.get()
    if memo is not None:
        memo[key] = value


def memo_discard(prefix: tuple) -> None:
    """Forget what this request memoised under keys starting with `prefix`
    (a write changed it: the learner's progress after new evidence)."""
    memo = _memo.get()
    if memo:
        for key in [key for key in memo if key[: len(prefix)] == prefix]:
            del memo[key]


@contextmanager
def memo_scope() -> Iterator[None]:
    """A fresh memo for what runs inside (one request)."""
    token = _memo.set({})
    try:
        yield
    finally:
        _memo.reset(token)


class RequestMemoMiddleware:
    """Gives each request its own memo (see `memoised`)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with memo_scope():
            return self.get_response(request)
