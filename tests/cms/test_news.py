"""News index: newest first, paginated, news/events filter."""

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from cms.models import NewsIndexPage, NewsPage
from tests.cms.helpers import add_page, make_home

pytestmark = pytest.mark.django_db


@pytest.fixture
def index():
    home = make_home()
    index = add_page(parent=home, page=NewsIndexPage(title="News", slug="news"))
    add_page(parent=index, page=NewsPage(title="Older news", date=datetime.date(2025, 1, 1)))
    add_page(parent=index, page=NewsPage(title="Newer news", date=datetime.date(2025, 3, 1)))
    add_page(parent=index, page=NewsPage(title="Spring webinar", date=datetime.date(2025, 2, 1),
                                         event_start=timezone.now(), is_online=True))
    add_page(parent=index, page=NewsPage(title="Unpublished", date=datetime.date(2025, 4, 1)), publish=False)
    return index


def test_lists_live_children_newest_first(index):
    html = Client().get("/en/news/").content.decode()
    assert html.index("Newer news") < html.index("Spring webinar") < html.index("Older news")
    assert "Unpublished" not in html


def test_filters_events(index):
    html = Client().get("/en/news/?kind=event").content.decode()
    assert "Spring webinar" in html and "Older news" not in html
    html = Client().get("/en/news/?kind=news").content.decode()
    assert "Spring webinar" not in html and "Older news" in html


def test_bad_filter_is_a_form_error(index):
    response = Client().get("/en/news/?kind=party")
    assert response.status_code == 200
    assert 'class="errorlist"' in response.content.decode()


def test_paginates(index):
    for number in range(12):
        add_page(parent=index, page=NewsPage(title=f"Bulk {number}", date=datetime.date(2024, 1, 1)))
    first = Client().get("/en/news/").content.decode()
    assert 'rel="next"' in first and "Page 1 of 2" in first
    assert Client().get("/en/news/?page=2").status_code == 200
