"""Registration pages (under the language prefix, at /<lang>/trainings/)."""

from django.urls import path

from . import views, views_staff

app_name = "registrations"

urlpatterns = [
    path("", views.training_list, name="list"),
    path("mine/", views.my_registrations, name="mine"),
    path("mine/<int:registration_id>/cancel/", views.cancel, name="cancel"),
    path("cancel/<str:token>/", views.cancel_link, name="cancel_link"),
    path("<int:training_id>/", views.training_detail, name="detail"),
    path("<int:training_id>/calendar.ics", views.training_calendar, name="calendar"),
    path("<int:training_id>/register/", views.register, name="register"),
    path("<int:training_id>/registered/", views.registered, name="registered"),
    # The organisers' side.
    path("manage/", views_staff.manage_list, name="manage_list"),
    path("manage/<int:training_id>/", views_staff.manage_detail, name="manage_detail"),
    path("manage/<int:training_id>/export.csv", views_staff.manage_export, name="manage_export"),
    path("manage/<int:training_id>/attendance/", views_staff.manage_attendance, name="manage_attendance"),
    path("manage/<int:training_id>/registration/", views_staff.manage_status, name="manage_status"),
    path("manage/<int:training_id>/message/", views_staff.manage_message, name="manage_message"),
]
