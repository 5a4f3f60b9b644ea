"""Public, language-independent credential URLs (included under
/certificates/ outside i18n_patterns): signed credentials point at the
issuer profile and keys, so these paths must never change."""

from django.urls import path, re_path

from . import views_credentials as views

app_name = "certificate_credentials"

urlpatterns = [
    path("issuer.json", views.issuer_profile, name="issuer"),
    path("jwks.json", views.jwks, name="jwks"),
    re_path(r"^keys/(?P<kid>[A-Za-z0-9_-]{43})\.json$", views.public_key, name="key"),
    path("<str:code>/credential.json", views.credential_download, name="download"),
]
