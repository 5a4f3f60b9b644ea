"""Joining, the trainers' schedule, attendance reports and the safeguarding
queue (live/views.py). Every staff URL here is walked by
tests/live/test_permissions.py."""

from django.urls import path

from . import views

urlpatterns = [
    path("join/", views.join, name="join"),
    path("j/<str:code>/", views.join_link, name="join_link"),
    path("sessions/", views.session_list, name="session_list"),
    path("sessions/new/", views.session_create, name="session_create"),
    path("sessions/<int:session_id>/", views.session_detail, name="session_detail"),
    path("sessions/<int:session_id>/enter/", views.session_enter, name="session_enter"),
    path("sessions/<int:session_id>/edit/", views.session_edit, name="session_edit"),
    path("sessions/<int:session_id>/calendar.ics", views.session_calendar, name="session_calendar"),
    path("sessions/<int:session_id>/invite/", views.session_invite, name="session_invite"),
    path("sessions/<int:session_id>/attendance/", views.session_attendance, name="session_attendance"),
    path("sessions/<int:session_id>/attendance/correct/", views.attendance_correction, name="attendance_correction"),
    path("sessions/<int:session_id>/attendance.csv", views.session_attendance_csv, name="session_attendance_csv"),
    path("safeguarding/", views.safeguarding_queue, name="safeguarding_queue"),
    path("safeguarding/<int:report_id>/", views.safeguarding_report, name="safeguarding_report"),
]
