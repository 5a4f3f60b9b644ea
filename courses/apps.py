from django.apps import AppConfig


class CoursesConfig(AppConfig):
    """The content: course page types and H5P packages (see DESIGN.md)."""

    name = "courses"
    verbose_name = "Courses"
    default_auto_field = "django.db.models.BigAutoField"
