from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoursesConfig(AppConfig):
    """The content: course page types and H5P packages (docs/h5p.md)."""

    name = "courses"
    verbose_name = _("Courses")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.db.models.signals import post_delete, post_save
        from wagtail.signals import page_published, page_unpublished, post_page_move

        from .pages import CoursePage, LessonPage, ModulePage
        from .selectors import outline_cache_clear

        # Anything that can change a course's outline (courses/selectors.py).
        for model in (CoursePage, ModulePage, LessonPage):
            post_save.connect(outline_cache_clear, sender=model, dispatch_uid=f"outline-save-{model.__name__}")
            post_delete.connect(outline_cache_clear, sender=model, dispatch_uid=f"outline-delete-{model.__name__}")
            page_published.connect(outline_cache_clear, sender=model, dispatch_uid=f"outline-publish-{model.__name__}")
            page_unpublished.connect(outline_cache_clear, sender=model, dispatch_uid=f"outline-unpublish-{model.__name__}")
        # A move is sent for the page moved only; its subtree moves with it.
        post_page_move.connect(outline_cache_clear, dispatch_uid="outline-move")
