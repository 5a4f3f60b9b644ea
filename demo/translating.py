"""Building demo pages and their French and Dutch copies, shared by
demo.cms and demo.courses.

Translations go through wagtail-localize's own records (TranslationSource →
Translation → StringTranslation → translated page), the ones the admin's
"Translate" action creates, so editors find them in wagtail-localize's editor
and StreamField block ids stay those of the English page.
"""

from __future__ import annotations

import html
from collections.abc import Mapping

from wagtail.models import Locale, Page
from wagtail_localize.models import StringSegment, StringTranslation, Translation, TranslationSource

TARGET_LANGUAGES = ("fr", "nl")


class MissingDemoTranslation(Exception):
    """A demo string has no French or Dutch text: add it to the module's TRANSLATIONS."""


def ensure_child(*, parent: Page, page: Page) -> Page:
    """`page` under `parent` (created and published once; an existing child
    with the same slug is returned as it is)."""
    existing = parent.get_children().filter(slug=page.slug).specific().first()
    if existing is not None:
        return existing
    page.locale_id = parent.locale_id
    parent.add_child(instance=page)
    page.save_revision().publish()
    return type(page).objects.get(pk=page.pk)


def ensure_translation(*, instance, locale: Locale, texts: Mapping[str, tuple[str, str]]) -> None:
    """Translate `instance` (a page or a translatable snippet) into `locale`
    once, with `texts`: English source string → (French, Dutch)."""
    if instance.get_translation_or_none(locale) is not None:
        return
    source, _created = TranslationSource.get_or_create_from_instance(instance)
    Translation.objects.get_or_create(source=source, target_locale=locale, defaults={"enabled": True})
    column = TARGET_LANGUAGES.index(locale.language_code)
    for segment in StringSegment.objects.filter(source=source).select_related("string", "context"):
        text = html.unescape(segment.string.data)
        known = texts.get(text)
        if known is None:
            raise MissingDemoTranslation(f"No {locale.language_code} text for {text!r}")
        StringTranslation.objects.update_or_create(
            translation_of=segment.string,
            locale=locale,
            context=segment.context,
            defaults={
                "data": html.escape(known[column], quote=False),
                "translation_type": StringTranslation.TRANSLATION_TYPE_MANUAL,
            },
        )
    # Not Translation.save_target(): it publishes in transaction.on_commit,
    # which never runs inside the caller's (or a test's) transaction. Without
    # fallback, a string missing above fails here instead of leaking English.
    is_page = isinstance(instance, Page)
    target, _created = source.create_or_update_translation(
        locale, user=None, publish=not is_page, copy_parent_pages=False, fallback=False
    )
    if is_page:
        target.get_latest_revision().publish()
