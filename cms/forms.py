"""GET filter forms of the list pages. They only validate what the visitor
asked for; an invalid value shows an error next to the control and the list
falls back to unfiltered, never a server error."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .models import Audience


class ResourceFilterForm(forms.Form):
    language = forms.ChoiceField(
        label=_("Language of the resource"),
        required=False,
        choices=[("", _("All languages")), *settings.LANGUAGES],
    )
    audience = forms.ChoiceField(
        label=_("Audience"),
        required=False,
        choices=[("", _("All audiences")), *Audience.choices],
    )


class NewsFilterForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Show"),
        required=False,
        choices=[("", _("News and events")), ("news", _("News only")), ("event", _("Events only"))],
    )
