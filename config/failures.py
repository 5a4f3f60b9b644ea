"""Per-key budgets of failed attempts (wrong certificate codes, wrong join
codes), counted in the Django cache so that every server process shares
them (Redis in production). Successful attempts spend nothing."""

from __future__ import annotations

from django.core.cache import cache


def failures_exhausted(key: str, *, limit: int) -> bool:
    return (cache.get(key) or 0) >= limit


def failure_record(key: str, *, window_seconds: int) -> None:
    """Count one failure; the window starts with the first one."""
    cache.add(key, 0, timeout=window_seconds)
    try:
        cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window_seconds)
