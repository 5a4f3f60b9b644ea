"""Language-neutral addresses: /certificates/<code>/pdf/ and
/certificates/verify/<code>.json (config/urls.py, outside i18n_patterns)."""

from django.urls import path, re_path

from . import views

app_name = "certificates_public"

urlpatterns = [
    path("<str:code>/pdf/", views.certificate_pdf, name="pdf"),
    # [^/]* rather than <str:>: an empty code still gets the JSON answer.
    re_path(r"^verify/(?P<code>[^/]*)\.json$", views.verify_json, name="verify_json"),
]
