from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CmsConfig(AppConfig):
    name = "cms"
    verbose_name = _("Site")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.db.models.signals import post_delete, post_save
        from wagtail.models import PageViewRestriction

        from .privacy import view_restrictions_changed

        # Whether any page is private (cms/privacy.py).
        post_save.connect(view_restrictions_changed, sender=PageViewRestriction, dispatch_uid="view-restrictions-save")
        post_delete.connect(view_restrictions_changed, sender=PageViewRestriction, dispatch_uid="view-restrictions-delete")
