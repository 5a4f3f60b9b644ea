"""The learner's pages and the xAPI endpoint the H5P player posts to."""

from django.urls import path

from . import views

urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("enroll/<uuid:course_key>/", views.enroll, name="enroll"),
    path("unenroll/<uuid:course_key>/", views.unenroll, name="unenroll"),
    path("quiz/<uuid:lesson_key>/<str:block_id>/", views.quiz_submit, name="quiz"),
    path("reflection/<uuid:lesson_key>/<str:block_id>/", views.reflection_submit, name="reflection"),
    path("xapi/", views.xapi, name="xapi"),
]
