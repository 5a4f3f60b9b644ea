"""Questions the public site asks. List pages call these from `get_context`,
so every query a listing runs is here and its count stays flat as content
grows (asserted in tests/cms/test_queries.py)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import translation
from wagtail.coreutils import get_supported_content_language_variant
from wagtail.models import Locale, Page, Site

from config.request_memo import memoised
from partners.models import Country
from partners.selectors import active_partners

from .models import Audience, FooterText, HomePage, NewsIndexPage, NewsPage, PartnerIndexPage, PartnerPage, Resource
from .privacy import any_view_restriction


def resources_filtered(*, language: str = "", audience: str = "") -> QuerySet[Resource]:
    """Resources in `language` for `audience`; empty means no restriction.

    Material marked for everyone is part of every audience's list: a
    teacher filtering on "teachers" must still find the general guides.
    """
    resources = Resource.objects.order_by("-created_at", "title")
    if language:
        resources = resources.filter(language=language)
    if audience and audience != Audience.ALL:
        resources = resources.filter(Q(audience=audience) | Q(audience=Audience.ALL))
    elif audience == Audience.ALL:
        resources = resources.filter(audience=Audience.ALL)
    return resources


def news_items_for(*, index: NewsIndexPage, kind: str = "") -> QuerySet[NewsPage]:
    """Live children of `index`, newest first; kind "event" or "news" narrows."""
    items = NewsPage.objects.child_of(index).live().public().order_by("-date", "-first_published_at", "-pk")
    if kind == "event":
        items = items.filter(event_start__isnull=False)
    elif kind == "news":
        items = items.filter(event_start__isnull=True)
    return items


def latest_news_for(*, home: HomePage, limit: int = 3) -> list[NewsPage]:
    """The newest items of every news index under `home` (the home page teaser)."""
    return list(
        NewsPage.objects.descendant_of(home).live().public().order_by("-date", "-first_published_at")[:limit]
    )


def featured_pages_for(*, home: HomePage) -> list[Page]:
    """The home page's featured pages, each in the home page's language.

    Featured rows are synchronised between translations, so they point at the
    source-language pages; this swaps each for its live translation (in one
    query, not one per row) and drops rows whose page is not live.
    """
    rows = list(home.featured_pages.select_related("page").all())
    keys = [row.page.translation_key for row in rows]
    translated = {
        page.translation_key: page
        for page in Page.objects.filter(translation_key__in=keys, locale_id=home.locale_id).live().public()
    }
    pages = []
    for row in rows:
        page = translated.get(row.page.translation_key) or (row.page if row.page.live else None)
        if page is not None:
            pages.append(page)
    return pages


@dataclass
class CountryGroup:
    code: str
    label: str
    pages: list[PartnerPage] = field(default_factory=list)


def partner_pages_by_country(*, index: PartnerIndexPage) -> list[CountryGroup]:
    """Live partner pages under `index` for active partners, grouped by country
    in the programme's country order (Country choices), then by name."""
    pages = (
        PartnerPage.objects.child_of(index)
        .live()
        .public()
        .filter(partner__in=active_partners())
        .select_related("partner", "partner__logo")
        # The logo's renditions in the same round trip, not one query per card.
        .prefetch_related("partner__logo__renditions")
        .order_by("partner__name")
    )
    groups = {code: CountryGroup(code=code, label=label) for code, label in Country.choices}
    for page in pages:
        groups[page.partner.country].pages.append(page)
    return [group for group in groups.values() if group.pages]


def footer_text_for(*, locale: Locale | None) -> FooterText | None:
    """The footer of `locale`, else of the default locale, else None."""
    footers = (
        FooterText.objects.select_related("funder_logo").prefetch_related("funder_logo__renditions").order_by("pk")
    )
    candidates: list[Locale] = []
    for candidate in (locale, default_locale()):
        if candidate is not None and candidate not in candidates:
            candidates.append(candidate)
    for candidate in candidates:
        footer = footers.filter(locale=candidate).first()
        if footer is not None:
            return footer
    return None


def active_locale() -> Locale | None:
    """The locale of the active language (as `Locale.get_active`), or None
    when it has none; read once per request."""
    return _locale_for(translation.get_language() or settings.LANGUAGE_CODE)


def default_locale() -> Locale | None:
    """The locale of the site's default language (as `Locale.get_default`)."""
    return _locale_for(settings.LANGUAGE_CODE)


def _locale_for(language_code: str) -> Locale | None:
    try:
        code = get_supported_content_language_variant(language_code)
    except LookupError:
        return None
    return memoised(("locale", code), lambda: Locale.objects.filter(language_code=code).first())


def menu_items_for(*, request, locale: Locale) -> list[Page]:
    """The active language's home page children that editors put in menus.

    Starts from the site serving the request so a second Wagtail site never
    shows the first one's menu.
    """
    site = Site.find_for_request(request) if request is not None else None
    root: Page | None = None
    if site is not None:
        root = site.root_page
        if root.locale_id != locale.pk:
            root = root.get_translation_or_none(locale)
    if root is None:
        root = Page.objects.filter(depth=2, locale=locale).first()
    if root is None:
        return []
    children = root.get_children().live().in_menu().select_related("locale")
    if any_view_restriction():
        children = children.public()
    return list(children)


def live_pages_in(*, locale: Locale) -> QuerySet[Page]:
    return Page.objects.live().public().filter(locale=locale).exclude(depth=1)


def specific_pages(*, pages: Iterable[Page]) -> list[Page]:
    """`pages` as their specific types, in the same order, in one query per type."""
    pages = list(pages)
    by_pk = {page.pk: page for page in Page.objects.filter(pk__in=[p.pk for p in pages]).specific()}
    return [by_pk.get(page.pk, page) for page in pages]
