"""The verify page's credential upload (included under /<lang>/certificates/
inside i18n_patterns, before the verify page's <code> pattern)."""

from django.urls import path

from . import views_credentials as views

app_name = "certificate_credential_upload"

urlpatterns = [
    path("verify/credential/", views.credential_verify_upload, name="verify"),
]
