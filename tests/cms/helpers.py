"""Small builders for the cms tests: the minimum page tree each test needs,
without the demo content."""

from __future__ import annotations

import itertools

from django.core.files.base import ContentFile
from wagtail.models import Locale, Page, Site

from cms.models import Audience, HomePage, Resource
from partners.models import Partner

_counter = itertools.count(1)


def locales() -> dict[str, Locale]:
    return {code: Locale.objects.get_or_create(language_code=code)[0] for code in ("en", "fr", "nl")}


def make_home(*, title: str = "Home", **fields) -> HomePage:
    """An English HomePage as the default Site's root (Wagtail's welcome page removed)."""
    en = locales()["en"]
    root = Page.get_first_root_node()
    home = HomePage(title=title, slug=f"home-{next(_counter)}", locale=en, **fields)
    root.add_child(instance=home)
    home.save_revision().publish()
    Site.objects.update_or_create(
        is_default_site=True, defaults={"hostname": "localhost", "port": 80, "root_page": home, "site_name": "Test"}
    )
    Page.objects.filter(depth=2).exclude(pk=home.pk).exclude(locale__language_code__in=["fr", "nl"]).delete()
    return home


def add_page(*, parent: Page, page: Page, publish: bool = True) -> Page:
    page.locale = parent.locale
    if not page.slug:
        page.slug = f"page-{next(_counter)}"
    # Page.live defaults to True; a draft must say so before it is saved.
    page.live = publish
    parent.add_child(instance=page)
    if publish:
        page.save_revision().publish()
    return page


def translate(*, page: Page, language: str, **fields) -> Page:
    """A published translation of `page` (parents copied when missing), with
    `fields` set on it: enough for routing and rendering tests."""
    locale = locales()[language]
    translated = page.copy_for_translation(locale, copy_parents=True, alias=False)
    for name, value in fields.items():
        setattr(translated, name, value)
    translated.save_revision().publish()
    return translated.specific


def make_partner(*, country: str = "BE", name: str | None = None, **fields) -> Partner:
    number = next(_counter)
    partner = Partner(
        name=name or f"Partner {number}",
        slug=f"partner-{number}",
        country=country,
        **fields,
    )
    partner.full_clean()
    partner.save()
    return partner


def make_resource(*, title: str | None = None, language: str = "en", audience: str = Audience.ALL) -> Resource:
    number = next(_counter)
    resource = Resource(title=title or f"Resource {number}", language=language, audience=audience)
    resource.file.save(f"resource-{number}.txt", ContentFile(b"hello"), save=False)
    resource._set_document_file_metadata()
    resource.file.close()
    resource.save()
    return resource


def make_image(*, title: str = "Logo"):
    from wagtail.images import get_image_model
    from wagtail.images.tests.utils import get_test_image_file

    return get_image_model().objects.create(title=title, file=get_test_image_file(size=(120, 60)))
