"""/<lang>/learning/trainer/...: the trainers' and coordinators' pages.
Every URL here is listed in tests/learning/test_trainer_permissions.py,
which proves that another partner's cohort is a 404."""

from django.urls import path

from . import trainer_views as views

urlpatterns = [
    path("trainer/cohorts/", views.cohort_list, name="trainer_cohort_list"),
    path("trainer/cohorts/new/", views.cohort_create, name="trainer_cohort_create"),
    path("trainer/cohorts/<int:cohort_id>/", views.cohort_detail, name="trainer_cohort_detail"),
    path("trainer/cohorts/<int:cohort_id>/export.csv", views.cohort_export, name="trainer_cohort_export"),
    path("trainer/cohorts/<int:cohort_id>/enrol/", views.cohort_enrol, name="trainer_cohort_enrol"),
    path(
        "trainer/cohorts/<int:cohort_id>/learners/<int:learner_id>/unenrol/",
        views.cohort_unenrol,
        name="trainer_cohort_unenrol",
    ),
    path(
        "trainer/cohorts/<int:cohort_id>/sessions/<uuid:lesson_key>/<str:block_id>/",
        views.session_attendance,
        name="trainer_session_attendance",
    ),
]
