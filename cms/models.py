"""Public site pages (Wagtail). Placeholder for the foundation skeleton; the
full page set lives here."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.documents.models import AbstractDocument, Document
from wagtail.models import Page


class Resource(AbstractDocument):
    """A document of the resource library, with the facets visitors filter on."""

    description = models.TextField(_("description"), blank=True)
    admin_form_fields = Document.admin_form_fields + ("description",)


class HomePage(Page):
    max_count_per_parent = 1
    parent_page_types = ["wagtailcore.Page"]
