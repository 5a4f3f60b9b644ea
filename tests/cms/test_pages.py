"""Each page type declares where it may live and renders with minimal content."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from wagtail.models import Page
from wagtail.test.utils import WagtailPageTestCase

from cms.models import (
    HomePage,
    NewsIndexPage,
    NewsPage,
    PartnerIndexPage,
    PartnerPage,
    ResourceLibraryPage,
    StandardPage,
)
from courses.models import CourseIndexPage
from tests.cms.helpers import add_page, make_home, make_partner


class PageTreeTests(WagtailPageTestCase):
    @classmethod
    def setUpTestData(cls):
        cls.home = make_home(hero_heading="Prevention together")
        cls.standard = add_page(parent=cls.home, page=StandardPage(title="About", intro="Who we are"))
        cls.news_index = add_page(parent=cls.home, page=NewsIndexPage(title="News"))
        cls.news = add_page(parent=cls.news_index, page=NewsPage(title="Launch", intro="We started"))
        cls.library = add_page(parent=cls.home, page=ResourceLibraryPage(title="Library"))
        cls.partner_index = add_page(parent=cls.home, page=PartnerIndexPage(title="Partners"))
        cls.partner_page = add_page(
            parent=cls.partner_index,
            page=PartnerPage(title="Brugge Vormt", partner=make_partner(country="BE", contact_email="info@example.org")),
        )

    def test_parent_page_types(self):
        self.assertAllowedParentPageTypes(HomePage, {Page})
        self.assertAllowedParentPageTypes(StandardPage, {HomePage, StandardPage})
        self.assertAllowedParentPageTypes(NewsIndexPage, {HomePage})
        self.assertAllowedParentPageTypes(NewsPage, {NewsIndexPage})
        self.assertAllowedParentPageTypes(ResourceLibraryPage, {HomePage})
        self.assertAllowedParentPageTypes(PartnerIndexPage, {HomePage})
        self.assertAllowedParentPageTypes(PartnerPage, {PartnerIndexPage})

    def test_subpage_types(self):
        self.assertAllowedSubpageTypes(
            HomePage, {StandardPage, NewsIndexPage, ResourceLibraryPage, PartnerIndexPage, CourseIndexPage}
        )
        self.assertAllowedSubpageTypes(StandardPage, {StandardPage})
        self.assertAllowedSubpageTypes(NewsIndexPage, {NewsPage})
        self.assertAllowedSubpageTypes(NewsPage, set())
        self.assertAllowedSubpageTypes(ResourceLibraryPage, set())
        self.assertAllowedSubpageTypes(PartnerIndexPage, {PartnerPage})
        self.assertAllowedSubpageTypes(PartnerPage, set())

    def test_editors_can_create_each_type_where_it_belongs(self):
        self.assertCanCreateAt(HomePage, StandardPage)
        self.assertCanCreateAt(HomePage, NewsIndexPage)
        self.assertCanCreateAt(NewsIndexPage, NewsPage)
        self.assertCanCreateAt(HomePage, ResourceLibraryPage)
        self.assertCanCreateAt(PartnerIndexPage, PartnerPage)
        self.assertCanNotCreateAt(HomePage, NewsPage)
        self.assertCanNotCreateAt(StandardPage, PartnerPage)

    def test_every_page_renders(self):
        for page in [self.home, self.standard, self.news_index, self.news, self.library, self.partner_index,
                     self.partner_page]:
            self.assertPageIsRenderable(page)

    def test_pages_render_one_h1_and_their_content(self):
        cases = {
            self.home: "Prevention together",
            self.standard: "Who we are",
            self.news: "We started",
            self.partner_page: "info@example.org",
        }
        for page, text in cases.items():
            html = self.client.get(page.url).content.decode()
            assert html.count("<h1") == 1, page
            assert text in html, page

    def test_partner_page_shows_country_and_contact(self):
        html = self.client.get(self.partner_page.url).content.decode()
        assert "Belgium (Flanders)" in html
        assert 'href="mailto:info@example.org"' in html

    def test_every_page_type_is_searchable_beyond_the_title(self):
        for model in [HomePage, StandardPage, NewsIndexPage, NewsPage, ResourceLibraryPage, PartnerIndexPage,
                      PartnerPage]:
            names = {getattr(field, "field_name", None) for field in model.search_fields}
            assert "title" in names and "intro" in names, model


# Instantiating a page may look up the default Locale (Wagtail caches it
# only once some earlier test has), so this needs the database.
@pytest.mark.django_db
def test_news_event_dates_are_validated():
    start = timezone.now()
    page = NewsPage(title="Webinar", slug="webinar", event_start=start, event_end=start - datetime.timedelta(hours=1))
    try:
        page.clean()
    except ValidationError as error:
        assert "event_end" in error.message_dict
    else:
        raise AssertionError("an event ending before it starts must not validate")
    assert NewsPage(title="x", slug="x", event_start=start).is_event
    assert not NewsPage(title="x", slug="x").is_event
