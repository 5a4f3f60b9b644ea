"""List pages run a constant number of queries, however much content exists."""

import datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from cms.models import Audience, NewsIndexPage, NewsPage, PartnerIndexPage, PartnerPage, ResourceLibraryPage
from tests.cms.helpers import add_page, make_home, make_partner, make_resource

pytestmark = pytest.mark.django_db

# The whole response: site lookup, menu, footer, language switcher, page and
# its listing. A regression that queries per item breaks these at once.
MAX_QUERIES = 20


def _queries(url: str) -> int:
    client = Client()
    client.get(url)  # warm per-process caches (content types, site root paths)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


@pytest.fixture
def home():
    return make_home()


def test_resource_library_queries_do_not_grow(home, django_assert_max_num_queries):
    add_page(parent=home, page=ResourceLibraryPage(title="Library", slug="library"))
    for number in range(5):
        make_resource(language=["en", "fr", "nl"][number % 3], audience=Audience.TEACHERS)
    few = _queries("/en/library/?audience=teachers")
    for number in range(45):
        make_resource(language=["en", "fr", "nl"][number % 3], audience=Audience.TEACHERS)
    many = _queries("/en/library/?audience=teachers")
    assert many == few
    with django_assert_max_num_queries(MAX_QUERIES):
        Client().get("/en/library/")


def _add_news(index: NewsIndexPage, count: int) -> None:
    today = datetime.date(2025, 1, 1)
    for number in range(count):
        add_page(parent=index, page=NewsPage(title=f"Item {number}", date=today - datetime.timedelta(days=number),
                                             intro="Short"))


def test_news_index_queries_do_not_grow(home, django_assert_max_num_queries):
    index = add_page(parent=home, page=NewsIndexPage(title="News", slug="news"))
    _add_news(index, 5)
    few = _queries("/en/news/")
    _add_news(index, 45)
    many = _queries("/en/news/")
    assert many == few
    with django_assert_max_num_queries(MAX_QUERIES):
        Client().get("/en/news/?kind=event")


def test_partner_index_queries_do_not_grow(home):
    index = add_page(parent=home, page=PartnerIndexPage(title="Partners", slug="partners"))
    countries = ["GB", "FR", "BE", "NL"]
    for number in range(2):
        add_page(parent=index, page=PartnerPage(title=f"P{number}", partner=make_partner(country=countries[number])))
    few = _queries("/en/partners/")
    for number in range(2, 12):
        add_page(parent=index, page=PartnerPage(title=f"P{number}", partner=make_partner(country=countries[number % 4])))
    assert _queries("/en/partners/") == few <= MAX_QUERIES
