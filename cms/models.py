"""Public site pages (Wagtail) and the documents of the resource library.

The page tree per language is: HomePage → StandardPage / NewsIndexPage →
NewsPage / ResourceLibraryPage / PartnerIndexPage → PartnerPage. Every page is
translatable (Wagtail's Page is a TranslatableMixin); wagtail-localize derives
the translatable fields from the field types (text and StreamField are
translated; dates, choices, URLs, e-mails and foreign keys to non-translatable
models are synchronised from the source language), so no page overrides that.

Listing logic lives in `get_context` and asks `selectors.py`, so the queries a
list page runs are in one place and their count is tested.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.documents.models import AbstractDocument, Document
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Orderable, Page, TranslatableMixin
from wagtail.search import index

from .blocks import BaseStreamBlock
from .privacy import CachedViewRestrictionsMixin

NEWS_PER_PAGE = 10
RESOURCES_PER_PAGE = 20


class Audience(models.TextChoices):
    """Who a resource is written for: the first-line professions the programme
    trains, plus the wider community. ALL marks material for everyone and is
    shown whatever audience a visitor filters on."""

    ALL = "all", _("Everyone")
    TEACHERS = "teachers", _("Teachers")
    YOUTH_WORKERS = "youth_workers", _("Youth workers")
    POLICE = "police", _("Police")
    SOCIAL_WORKERS = "social_workers", _("Social and welfare workers")
    PRISON_STAFF = "prison_staff", _("Prison and probation staff")
    COMMUNITY = "community", _("Community organisations")


class Resource(AbstractDocument):
    """A document of the resource library, with the facets visitors filter on.

    Documents are not translated objects: a French guide and its Dutch version
    are two resources, each tagged with the language it is written in.
    """

    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    audience = models.CharField(_("audience"), max_length=20, choices=Audience.choices, default=Audience.ALL)
    description = models.TextField(_("description"), blank=True)

    admin_form_fields = Document.admin_form_fields + ("language", "audience", "description")

    class Meta(AbstractDocument.Meta):
        verbose_name = _("resource")
        verbose_name_plural = _("resources")
        indexes = [models.Index(fields=["language", "audience"], name="cms_resource_lang_aud")]


# --- Pages ------------------------------------------------------------------


class HomePage(CachedViewRestrictionsMixin, Page):
    """The root of one language's site. Each locale has exactly one; the
    English one is the Wagtail Site root and the others are its translations."""

    hero_heading = models.CharField(_("hero heading"), max_length=200, blank=True)
    intro = RichTextField(_("introduction"), blank=True, features=["bold", "italic", "link"])
    body = StreamField(BaseStreamBlock(), verbose_name=_("body"), blank=True)

    content_panels = Page.content_panels + [
        FieldPanel("hero_heading"),
        FieldPanel("intro"),
        FieldPanel("body"),
        InlinePanel("featured_pages", label=_("Featured pages"), max_num=6),
    ]
    search_fields = Page.search_fields + [
        index.SearchField("hero_heading"),
        index.SearchField("intro"),
        index.SearchField("body"),
    ]

    parent_page_types = ["wagtailcore.Page"]
    # The course catalogue (courses app) hangs off the home page of each language too.
    subpage_types = [
        "cms.StandardPage",
        "cms.NewsIndexPage",
        "cms.ResourceLibraryPage",
        "cms.PartnerIndexPage",
        "courses.CourseIndexPage",
    ]

    class Meta:
        verbose_name = _("home page")
        verbose_name_plural = _("home pages")

    def route(self, request, path_components):
        """Finds the page a URL names in two queries instead of two per
        level (Wagtail walks the tree one child at a time: ten queries for a
        lesson). The page whose url_path is this home's plus the path, in
        this home's tree, routes itself with nothing left (its live check,
        or a routable page's index). Anything else (a routable page's
        sub-URL, no such page) takes Wagtail's walk. Valid while no page
        type between the home and its descendants routes its children
        itself (tests/cms/test_routing.py checks every page model)."""
        if path_components:
            url_path = self.url_path + "/".join(path_components) + "/"
            page = Page.objects.filter(path__startswith=self.path, url_path=url_path).specific().first()
            if page is not None:
                return page.route(request, [])
        return super().route(request, path_components)

    def get_context(self, request, *args, **kwargs):
        from .selectors import featured_pages_for, latest_news_for

        context = super().get_context(request, *args, **kwargs)
        context["featured_pages"] = featured_pages_for(home=self)
        context["latest_news"] = latest_news_for(home=self, limit=3)
        return context


class HomePageFeaturedPage(Orderable):
    """A page the home page points visitors to.

    Not translated: the chosen page is the same in every language and the
    template shows its translation in the visitor's language (`localized`).
    """

    home = ParentalKey(HomePage, on_delete=models.CASCADE, related_name="featured_pages")
    page = models.ForeignKey(
        "wagtailcore.Page", verbose_name=_("page"), on_delete=models.CASCADE, related_name="+"
    )

    panels = [FieldPanel("page")]

    class Meta(Orderable.Meta):
        verbose_name = _("featured page")
        verbose_name_plural = _("featured pages")


class StandardPage(CachedViewRestrictionsMixin, Page):
    """Any editorial page: about, the programme, contact, accessibility statement."""

    intro = models.TextField(_("introduction"), blank=True)
    body = StreamField(BaseStreamBlock(), verbose_name=_("body"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro"), FieldPanel("body")]
    search_fields = Page.search_fields + [index.SearchField("intro"), index.SearchField("body")]

    parent_page_types = ["cms.HomePage", "cms.StandardPage"]
    subpage_types = ["cms.StandardPage"]

    class Meta:
        verbose_name = _("standard page")
        verbose_name_plural = _("standard pages")


class NewsIndexPage(CachedViewRestrictionsMixin, Page):
    intro = models.TextField(_("introduction"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    search_fields = Page.search_fields + [index.SearchField("intro")]

    parent_page_types = ["cms.HomePage"]
    subpage_types = ["cms.NewsPage"]

    class Meta:
        verbose_name = _("news index page")
        verbose_name_plural = _("news index pages")

    def get_context(self, request, *args, **kwargs):
        from .forms import NewsFilterForm
        from .selectors import news_items_for

        context = super().get_context(request, *args, **kwargs)
        form = NewsFilterForm(request.GET or None)
        kind = form.cleaned_data.get("kind", "") if form.is_valid() else ""
        items = news_items_for(index=self, kind=kind)
        context["filter_form"] = form
        context["kind"] = kind
        context["items"] = Paginator(items, NEWS_PER_PAGE).get_page(request.GET.get("page"))
        return context


class NewsPage(CachedViewRestrictionsMixin, Page):
    """A news item; with a start time it is also an event.

    One type for both keeps a single "News and events" list that editors fill
    in one place; the event fields are optional.
    """

    date = models.DateField(_("date"), default=timezone.localdate)
    intro = models.TextField(_("introduction"), blank=True)
    body = StreamField(BaseStreamBlock(), verbose_name=_("body"), blank=True)
    event_start = models.DateTimeField(_("event starts"), null=True, blank=True)
    event_end = models.DateTimeField(_("event ends"), null=True, blank=True)
    location = models.CharField(_("location"), max_length=255, blank=True)
    is_online = models.BooleanField(_("online event"), default=False)

    content_panels = Page.content_panels + [
        FieldPanel("date"),
        FieldPanel("intro"),
        FieldPanel("body"),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("event_start"), FieldPanel("event_end")]),
                FieldPanel("location"),
                FieldPanel("is_online"),
            ],
            heading=_("Event (leave the start empty for a news item)"),
        ),
    ]
    search_fields = Page.search_fields + [
        index.SearchField("intro"),
        index.SearchField("body"),
        index.SearchField("location"),
        index.FilterField("date"),
    ]

    parent_page_types = ["cms.NewsIndexPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("news item or event")
        verbose_name_plural = _("news items and events")

    @property
    def is_event(self) -> bool:
        return self.event_start is not None

    def clean(self):
        super().clean()
        errors = {}
        if self.event_end and not self.event_start:
            errors["event_start"] = _("An event with an end time needs a start time.")
        elif self.event_end and self.event_start and self.event_end < self.event_start:
            errors["event_end"] = _("The event cannot end before it starts.")
        if (self.location or self.is_online) and not self.event_start:
            errors.setdefault("event_start", _("Location and online only apply to events: add a start time."))
        if errors:
            raise ValidationError(errors)


class ResourceLibraryPage(CachedViewRestrictionsMixin, Page):
    """Lists every `Resource` document, filtered by language and audience.

    Resources are not children of the page: the same library of documents is
    listed on the library page of every language, and the visitor chooses
    which language of material to see.
    """

    intro = models.TextField(_("introduction"), blank=True)
    body = StreamField(BaseStreamBlock(), verbose_name=_("body"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro"), FieldPanel("body")]
    search_fields = Page.search_fields + [index.SearchField("intro"), index.SearchField("body")]

    parent_page_types = ["cms.HomePage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("resource library page")
        verbose_name_plural = _("resource library pages")

    def get_context(self, request, *args, **kwargs):
        from .forms import ResourceFilterForm
        from .selectors import resources_filtered

        context = super().get_context(request, *args, **kwargs)
        form = ResourceFilterForm(request.GET or None)
        filters = form.cleaned_data if form.is_valid() else {}
        resources = resources_filtered(language=filters.get("language", ""), audience=filters.get("audience", ""))
        context["filter_form"] = form
        context["resources"] = Paginator(resources, RESOURCES_PER_PAGE).get_page(request.GET.get("page"))
        return context


class PartnerIndexPage(CachedViewRestrictionsMixin, Page):
    intro = models.TextField(_("introduction"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    search_fields = Page.search_fields + [index.SearchField("intro")]

    parent_page_types = ["cms.HomePage"]
    subpage_types = ["cms.PartnerPage"]

    class Meta:
        verbose_name = _("partner index page")
        verbose_name_plural = _("partner index pages")

    def get_context(self, request, *args, **kwargs):
        from .selectors import partner_pages_by_country

        context = super().get_context(request, *args, **kwargs)
        context["countries"] = partner_pages_by_country(index=self)
        return context


class PartnerPage(CachedViewRestrictionsMixin, Page):
    """The public page of one partner organisation.

    Contact details and the logo come from `partners.Partner` (one record,
    shown on the page of every language); only the body is written per page.
    """

    partner = models.ForeignKey(
        "partners.Partner", verbose_name=_("partner"), on_delete=models.PROTECT, related_name="+"
    )
    intro = models.TextField(_("introduction"), blank=True)
    body = StreamField(BaseStreamBlock(), verbose_name=_("body"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("partner"), FieldPanel("intro"), FieldPanel("body")]
    search_fields = Page.search_fields + [
        index.SearchField("intro"),
        index.SearchField("body"),
        index.RelatedFields("partner", [index.SearchField("name")]),
    ]

    parent_page_types = ["cms.PartnerIndexPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("partner page")
        verbose_name_plural = _("partner pages")


# --- Snippets ---------------------------------------------------------------


class FooterText(TranslatableMixin, models.Model):
    """The footer of the public site, one per language.

    The funding statement is a condition of the programme's grant: it must be
    on every page, so `{% site_footer %}` falls back to the default language
    and then to a built-in sentence when this is missing.
    """

    funding_statement = RichTextField(_("funding statement"), features=["bold", "italic", "link"])
    funder_logo = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("funder logo"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    funder_logo_alt = models.CharField(
        _("funder logo alternative text"),
        max_length=200,
        blank=True,
        help_text=_("For example the funder's name as written on the logo."),
    )
    contact_line = models.CharField(_("contact line"), max_length=255, blank=True)

    panels = [
        FieldPanel("funding_statement"),
        FieldPanel("funder_logo"),
        FieldPanel("funder_logo_alt"),
        FieldPanel("contact_line"),
    ]

    class Meta(TranslatableMixin.Meta):
        verbose_name = _("footer text")
        verbose_name_plural = _("footer texts")

    def __str__(self) -> str:
        return str(_("Footer ({language})").format(language=self.locale.get_display_name()))

    def clean(self):
        super().clean()
        if self.funder_logo_id and not self.funder_logo_alt:
            raise ValidationError({"funder_logo_alt": _("Describe the logo for people who cannot see it.")})
