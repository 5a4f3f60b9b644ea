"""Language-prefixed pages: /<lang>/certificates/... (config/urls.py, inside i18n_patterns).

The tracking pages carry the partner's slug, and every one of them is listed
in tests/certificates/test_tracking_permissions.py, which proves that
another partner's rows, CSVs and exports are a 404."""

from django.urls import path

from . import views, views_tracking

app_name = "certificates"

urlpatterns = [
    path("verify/", views.verify, name="verify_form"),
    path("verify/<str:code>/", views.verify, name="verify"),
    path("mine/", views.my_certificates, name="mine"),
    # Partner-country tracking (coordinators; staff see every partner).
    path("partners/", views_tracking.partner_list, name="partner_list"),
    path("overview/", views_tracking.staff_overview, name="staff_overview"),
    path("partners/<slug:slug>/", views_tracking.partner_dashboard, name="partner_dashboard"),
    path("partners/<slug:slug>/certificates.csv", views_tracking.partner_csv, name="partner_csv"),
    path("partners/<slug:slug>/exports/", views_tracking.export_request, name="export_request"),
    path("partners/<slug:slug>/exports/<uuid:export_id>/", views_tracking.export_detail, name="export_detail"),
    path(
        "partners/<slug:slug>/exports/<uuid:export_id>/status.json", views_tracking.export_status, name="export_status"
    ),
    path(
        "partners/<slug:slug>/exports/<uuid:export_id>/download/",
        views_tracking.export_download,
        name="export_download",
    ),
]
