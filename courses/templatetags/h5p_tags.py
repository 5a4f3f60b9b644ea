"""What the lesson page needs to frame an H5P player (courses/h5p/serving.py)."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django import template
from django.urls import NoReverseMatch, reverse
from django.utils import translation

from courses.h5p import serving

register = template.Library()


@dataclass(frozen=True)
class PlayerFrame:
    src: str
    content_origin: str
    xapi_url: str


def xapi_endpoint_url() -> str:
    """The learning app's statement endpoint, or "" while it does not exist
    (the player still runs; statements are then only shown, not stored)."""
    try:
        return reverse("learning:xapi")
    except NoReverseMatch:
        return ""


@register.simple_tag(takes_context=True)
def h5p_player_frame(context, package, block_id) -> PlayerFrame | None:
    """The player for `package` as block `block_id` of the lesson being
    rendered, or None when it cannot be shown: no content origin configured,
    no lesson (a block preview), or a page served from an origin the player
    would refuse to be framed by (not in H5P_SITE_ORIGINS)."""
    request = context.get("request")
    page = context.get("page")
    lesson_key = getattr(page, "translation_key", None)
    if package is None or request is None or lesson_key is None or not block_id or not serving.player_enabled():
        return None
    parent_origin = serving.request_origin(request)
    if parent_origin not in serving.site_origins():
        return None
    src = serving.player_url(package=package, lesson_key=str(lesson_key), block_id=str(block_id), parent_origin=parent_origin)
    language = translation.get_language()
    if language:
        src += "&" + urlencode({"lang": language})
    return PlayerFrame(src=src, content_origin=serving.content_origin(), xapi_url=xapi_endpoint_url())
