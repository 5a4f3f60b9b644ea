"""Private pages (Wagtail view restrictions) with the cached "is anything
restricted?" flag of cms/privacy.py: a restriction added in the admin takes
effect on the next request, in the page itself, its children and the menu;
removing it opens them again; public pages ask no restriction query."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.models import PageViewRestriction

from cms.models import StandardPage
from tests.cms.helpers import add_page, make_home

pytestmark = pytest.mark.django_db


@pytest.fixture
def pages():
    home = make_home()
    section = add_page(parent=home, page=StandardPage(title="Staff room", show_in_menus=True))
    child = add_page(parent=section, page=StandardPage(title="Safeguarding contacts"))
    other = add_page(parent=home, page=StandardPage(title="About", show_in_menus=True))
    return home, section, child, other


def _menu(client, url) -> str:
    html = client.get(url).content.decode()
    return html[html.index("<nav"):html.index("</nav>")]


def test_public_pages_ask_no_restriction_query_while_none_exists(client, pages):
    _, section, _, _ = pages
    assert client.get(section.url).status_code == 200
    with CaptureQueriesContext(connection) as queries:
        assert client.get(section.url).status_code == 200
    assert not [q for q in queries.captured_queries if "wagtailcore_pageviewrestriction" in q["sql"]]


def test_a_restriction_takes_effect_at_once_and_its_removal_too(client, pages):
    home, section, child, other = pages
    assert client.get(child.url).status_code == 200
    assert "Staff room" in _menu(client, other.url)

    restriction = PageViewRestriction.objects.create(page=section, restriction_type=PageViewRestriction.LOGIN)

    for page in (section, child):
        response = client.get(page.url)
        assert response.status_code == 302 and "login" in response["Location"]
    assert client.get(other.url).status_code == 200
    assert "Staff room" not in _menu(client, other.url)
    assert "About" in _menu(client, other.url)

    restriction.delete()

    assert client.get(child.url).status_code == 200
    assert "Staff room" in _menu(client, other.url)


def test_a_password_restriction_asks_for_the_password(client, pages):
    _, section, _, _ = pages
    PageViewRestriction.objects.create(page=section, restriction_type=PageViewRestriction.PASSWORD, password="s3cret-words")
    response = client.get(section.url)
    assert response.status_code == 200
    assert 'name="password"' in response.content.decode()
