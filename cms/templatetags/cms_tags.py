"""Site chrome: main menu, language switcher, footer."""

from django import template
from django.conf import settings
from django.urls import translate_url
from django.utils import translation
from wagtail.models import Locale, Page

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
    request = context.get("request")
    try:
        locale = Locale.get_active()
    except Locale.DoesNotExist:
        return {"items": []}
    root = Page.objects.filter(depth=2, locale=locale).first()
    items = []
    if root is not None:
        items = list(root.get_children().live().in_menu().specific().only("title", "url_path", "locale"))
    current = context.get("page")
    return {
        "request": request,
        "items": items,
        "current_path": getattr(current, "url_path", None),
    }


@register.inclusion_tag("includes/footer.html", takes_context=True)
def site_footer(context):
    return {"request": context.get("request"), "programme_name": settings.PROGRAMME_NAME}
