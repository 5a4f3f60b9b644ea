from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.generic import RedirectView
from django.views.static import serve as serve_static
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from config.health import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("django-admin/", admin.site.urls),
    # Wagtail's own login checks only the password: send editors through
    # allauth so two-factor authentication and rate limits apply.
    path("admin/login/", RedirectView.as_view(pattern_name="account_login", query_string=True)),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("i18n/", include("django.conf.urls.i18n")),
    path("certificates/", include("certificates.urls_public")),
    path("certificates/", include("certificates.urls_credentials")),
]

if settings.SERVE_MEDIA:
    # Local default: media from disk through Django. Production serves media
    # from the reverse proxy or object storage (SERVE_MEDIA=false).
    urlpatterns += [
        re_path(r"^media/(?P<path>.*)$", serve_static, {"document_root": settings.MEDIA_ROOT}),
    ]

urlpatterns += i18n_patterns(
    path("accounts/", include("accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("learning/", include("learning.urls")),
    path("live/", include("live.urls")),
    path("trainings/", include("registrations.urls")),
    # Before certificates.urls: its verify/<code>/ would catch verify/credential/.
    path("certificates/", include("certificates.urls_credentials_i18n")),
    path("certificates/", include("certificates.urls")),
    path("", include("cms.urls")),
    # Wagtail's catch-all serves the page tree; it must stay last.
    path("", include(wagtail_urls)),
    prefix_default_language=True,
)
