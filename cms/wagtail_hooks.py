"""Admin wiring for the site's snippets. wagtail-localize adds the
"Translate" and "Sync translated" actions to every TranslatableMixin snippet
registered here, so the footer is translated like the pages are."""

from django.utils.translation import gettext_lazy as _
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .models import FooterText


class FooterTextViewSet(SnippetViewSet):
    model = FooterText
    icon = "list-ul"
    menu_label = _("Footer")
    menu_order = 300
    add_to_admin_menu = True
    list_display = ["__str__", "contact_line"]


register_snippet(FooterTextViewSet)
