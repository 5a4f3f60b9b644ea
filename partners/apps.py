from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartnersConfig(AppConfig):
    name = "partners"
    verbose_name = _("Partners")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from .models import Membership
        from .selectors import roles_forget

        post_save.connect(roles_forget, sender=Membership, dispatch_uid="roles-forget-save")
        post_delete.connect(roles_forget, sender=Membership, dispatch_uid="roles-forget-delete")
