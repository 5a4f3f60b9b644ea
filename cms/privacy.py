"""Private pages without a cost for the public ones.

Wagtail checks every page it serves for view restrictions (a password, a
login, groups) on the page and its ancestors: two queries per page, and one
more wherever a menu lists only public pages. Most sites of the programme
restrict nothing, so whether any restriction exists at all is kept in the
cache; while none does, no page asks the database. The flag is renewed by
generation (config/cache_generations.py), as course outlines are: a
restriction saved or deleted starts a new generation.
"""

from __future__ import annotations

from django.core.cache import cache
from wagtail.models import PageViewRestriction

from config.cache_generations import generation, generation_bump

GENERATION_KEY = "cms:view-restrictions:generation"


def any_view_restriction() -> bool:
    """Whether some page of the site has a view restriction (no query while
    the answer is cached)."""
    key = f"cms:view-restrictions:{generation(GENERATION_KEY)}:any"
    found = cache.get(key)
    if found is None:
        found = PageViewRestriction.objects.exists()
        cache.set(key, found, 24 * 60 * 60)
    return found


def view_restrictions_changed(**kwargs) -> None:
    """Signal receiver (any arguments): a restriction was saved or deleted."""
    generation_bump(GENERATION_KEY)


class CachedViewRestrictionsMixin:
    """For page models: Wagtail's restriction check asks no query while no
    page of the site is restricted, and reads them as Wagtail does otherwise."""

    def get_view_restrictions(self):
        if not any_view_restriction():
            return PageViewRestriction.objects.none()
        return super().get_view_restrictions()
