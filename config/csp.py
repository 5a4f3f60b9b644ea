"""The site's Content-Security-Policy (django-csp's middleware, two policies).

* Pages of the site: scripts, styles, fonts and media only from our origin;
  frames from our origin, the H5P content origin (the player) and the video
  hosts editors may embed (`CSP_EMBED_ORIGINS`); no plugins, no `<base>`
  elsewhere, forms post only to us, and no other site may frame us.
* The Wagtail and Django admins (`/admin/`, `/django-admin/`) still carry
  inline scripts and styles of their own, so their policy allows those but
  keeps everything else as strict, and lets the admin frame its own previews.

Views that need another policy set the header themselves and keep it: the
live room (a websocket to our host, camera media) and everything answered
on the H5P content origin, which never reaches this middleware.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase

from csp.constants import NONE, SELF, UNSAFE_INLINE
from csp.middleware import CSPMiddleware, PolicyParts

ADMIN_PREFIXES = ("/admin/", "/django-admin/")

SITE_DIRECTIVES: dict[str, list[str]] = {
    "default-src": [SELF],
    "script-src": [SELF],
    "style-src": [SELF],
    "img-src": [SELF, "data:"],
    "font-src": [SELF],
    "media-src": [SELF],
    "connect-src": [SELF],
    "frame-src": [SELF],
    "object-src": [NONE],
    "base-uri": [SELF],
    "form-action": [SELF],
    "frame-ancestors": [NONE],
}

ADMIN_DIRECTIVES: dict[str, list[str]] = {
    **SITE_DIRECTIVES,
    "script-src": [SELF, UNSAFE_INLINE],
    "style-src": [SELF, UNSAFE_INLINE],
    "img-src": [SELF, "data:", "blob:"],
    "font-src": [SELF, "data:"],
    "frame-ancestors": [SELF],
}


def frame_origins() -> list[str]:
    """What pages may frame: the H5P player's origin and the embed hosts."""
    from courses.h5p import serving

    origins = [serving.content_origin(), *getattr(settings, "CSP_EMBED_ORIGINS", [])]
    return [origin for origin in dict.fromkeys(origins) if origin]


def directives_for(path: str, *, preview: bool = False) -> dict[str, list[str]]:
    """`preview`: Wagtail renders a page preview by sending a dummy request
    for the page's own path through the middleware; the admin frames it."""
    base = ADMIN_DIRECTIVES if path.startswith(ADMIN_PREFIXES) else SITE_DIRECTIVES
    directives = {**base, "frame-src": [*base["frame-src"], *frame_origins()]}
    if preview:
        directives["frame-ancestors"] = [SELF]
    return directives


class SiteCSPMiddleware(CSPMiddleware):
    """django-csp's middleware with the policy chosen by path; a view's own
    `@csp`/`@csp_replace`/`@csp_update` decorators still apply on top."""

    def get_policy_parts(
        self, request: HttpRequest, response: HttpResponseBase, report_only: bool = False
    ) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only=report_only)
        if not report_only and parts.config is None:
            parts.config = directives_for(request.path_info, preview=getattr(request, "is_dummy", False))
        return parts
