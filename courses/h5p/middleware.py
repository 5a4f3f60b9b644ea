"""Keep the H5P content origin apart from the site in one Django process.

Place right after SecurityMiddleware (which still applies HTTPS redirects,
HSTS and nosniff to the content origin) and before everything else. A
request for the content host is answered here, from `courses.h5p.urls`
only: WhiteNoise's /static/, the media folder, sessions, CSRF, locale
redirects, authentication, messages and Wagtail never see it. So the
content origin can reach nothing but H5P content, and nothing on it reads
or sets a cookie. On the site's host it refuses the one other way to
package files: MEDIA_URL, when the content root is inside MEDIA_ROOT.
"""

from __future__ import annotations

from django.core.exceptions import BadRequest, PermissionDenied, SuspiciousOperation
from django.http import Http404
from django.urls import Resolver404, get_resolver, set_urlconf

from . import serving, views

CONTENT_URLCONF = "courses.h5p.urls"


class H5PContentOriginMiddleware:
    def __init__(self, get_response):
        serving.check_origins()
        self.get_response = get_response

    def __call__(self, request):
        if not serving.is_content_request(request):
            if serving.is_package_media_path(request.path_info):
                # The site's /media/ (SERVE_MEDIA) must not hand out package
                # files when H5P_CONTENT_ROOT lies inside MEDIA_ROOT (the
                # default): a library's svg would run on the site's origin.
                return views.not_found(request)
            return self.get_response(request)
        # Django's exception handling (500 pages) looks the error views up
        # in the current URLconf: make it the content origin's.
        request.urlconf = CONTENT_URLCONF
        set_urlconf(CONTENT_URLCONF)
        try:
            match = get_resolver(CONTENT_URLCONF).resolve(request.path_info)
        except Resolver404:
            return views.not_found(request)
        request.resolver_match = match
        try:
            return match.func(request, *match.args, **match.kwargs)
        except Http404:
            return views.not_found(request)
        except PermissionDenied:
            return views.permission_denied(request)
        except (BadRequest, SuspiciousOperation):
            return views.bad_request(request)
