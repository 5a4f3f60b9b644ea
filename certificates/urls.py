"""Language-prefixed pages: /<lang>/certificates/... (config/urls.py, inside i18n_patterns)."""

from django.urls import path

from . import views

app_name = "certificates"

urlpatterns = [
    path("verify/", views.verify, name="verify_form"),
    path("verify/<str:code>/", views.verify, name="verify"),
    path("mine/", views.my_certificates, name="mine"),
]
