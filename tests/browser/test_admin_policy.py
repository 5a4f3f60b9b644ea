"""The Wagtail admin works under its Content-Security-Policy (config/csp.py):
an editor opens the dashboard, the page explorer and a page's edit form with
its live preview. The `page` fixture fails on any refusal Chromium reports."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def _log_in(context, live, user) -> None:
    from django.test import Client

    client = Client()
    client.force_login(user)
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live.url}])


@pytest.fixture
def editor(demo_site):
    from accounts.models import User

    return User.objects.create_superuser(email="csp-editor@example.org", password="correct-horse-battery-9")


def test_an_editor_uses_the_wagtail_admin_and_its_preview(page, context, asgi_live_server, editor):
    from cms.models import HomePage

    _log_in(context, asgi_live_server, editor)
    home = HomePage.objects.get(locale__language_code="en")

    page.goto("/admin/")
    expect(page.locator("#wagtail-sidebar, [data-side-panel], .sidebar").first).to_be_attached()
    page.goto(f"/admin/pages/{home.pk}/")
    expect(page.locator("main")).to_contain_text(home.title)

    page.goto(f"/admin/pages/{home.pk}/edit/")
    expect(page.locator("form#page-edit-form")).to_be_visible()
    # The preview side panel frames the page from the admin's own origin.
    page.locator("[data-side-panel-toggle='preview']").click()
    expect(page.locator("iframe#w-preview-iframe, [data-w-preview-target='iframe']").first).to_be_visible()
    page.wait_for_load_state("networkidle")

