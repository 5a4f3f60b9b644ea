"""Site chrome: main menu, language switcher, footer."""

from django import template
from django.conf import settings
from django.urls import translate_url
from django.utils import translation
from django.utils.html import strip_tags
from django.utils.text import Truncator
from html import unescape
from wagtail.models import Page

from cms.selectors import active_locale, footer_text_for, menu_items_for

register = template.Library()


def _language_targets(request, page) -> list[dict]:
    """For each language, where the switcher should take the visitor.

    A CMS page goes to its own translation when there is one (slugs differ per
    language), otherwise to that language's home page; any other page goes to
    the same URL under the other language prefix.
    """
    current = translation.get_language()
    path = request.get_full_path() if request else "/"
    translations = {}
    if isinstance(page, Page):
        for translated in page.get_translations(inclusive=True).live().select_related("locale"):
            translations[translated.locale.language_code] = translated
    targets = []
    for code, name in settings.LANGUAGES:
        if code in translations:
            url = translations[code].get_url(request=request)
        elif isinstance(page, Page):
            url = f"/{code}/"
        else:
            url = translate_url(path, code)
        with translation.override(code):
            native = translation.gettext(name)
        targets.append({"code": code, "name": native, "url": url, "current": code == current})
    return targets


@register.inclusion_tag("includes/language_switcher.html", takes_context=True)
def language_switcher(context):
    request = context.get("request")
    return {
        "request": request,
        "languages": _language_targets(request, context.get("page")),
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("includes/main_menu.html", takes_context=True)
def main_menu(context):
    """The active language's top-level pages; the current section is marked
    so assistive technology announces where the visitor is."""
    request = context.get("request")
    locale = active_locale()
    items = menu_items_for(request=request, locale=locale) if locale is not None else []
    current = context.get("page")
    current_path = getattr(current, "url_path", None) or ""
    entries = []
    for item in items:
        if item.url_path == current_path:
            state = "page"
        elif current_path.startswith(item.url_path):
            state = "true"
        else:
            state = ""
        entries.append({"page": item, "aria_current": state})
    return {"request": request, "items": entries}


@register.inclusion_tag("includes/footer.html", takes_context=True)
def site_footer(context):
    """The funding statement of the active language (see selectors.footer_text_for
    for the fallbacks); the template has a built-in sentence for the last resort."""
    return {
        "request": context.get("request"),
        "programme_name": settings.PROGRAMME_NAME,
        "footer": footer_text_for(locale=active_locale()),
    }


@register.filter
def search_snippet(page, words: int = 30) -> str:
    """A short plain-text summary of a search result: the editor's search
    description when there is one, else the page's introduction."""
    text = getattr(page, "search_description", "") or ""
    if not text:
        intro = getattr(page, "intro", "") or ""
        text = strip_tags(str(intro))
    return Truncator(unescape(text)).words(words)
