"""axe-core on the pages every visitor meets, in each language: no
violation of impact "serious" or "critical"; and the keyboard path through
the page chrome (skip link, language switcher)."""

from __future__ import annotations

import json
import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.browser.conftest import LANGUAGES

pytestmark = pytest.mark.browser

BLOCKING_IMPACTS = {"serious", "critical"}
MAX_TABS = 60


def _about_url(language: str) -> str:
    from wagtail.models import Locale

    from cms.models import StandardPage

    about = StandardPage.objects.get(slug="about", locale__language_code="en")
    return about.get_translation(Locale.objects.get(language_code=language)).get_url()


def _describe(url: str, violations: list[dict]) -> str:
    lines = [f"{url}:"]
    for violation in violations:
        lines.append(f"  [{violation['impact']}] {violation['id']}: {violation['help']} ({violation['helpUrl']})")
        for node in violation["nodes"][:5]:
            lines.append(f"      {json.dumps(node['target'])} {node.get('failureSummary', '').splitlines()[-1:]}")
    return "\n".join(lines)


def test_no_serious_axe_violations_in_any_language(page, demo_site):
    # One test for all languages: building the demo site takes seconds, and
    # the failure message lists every page with a problem anyway.
    axe = Axe()
    problems = []
    for language, url in [
        (language, url)
        for language in LANGUAGES
        for url in (f"/{language}/", _about_url(language), f"/{language}/accounts/login/", f"/{language}/accounts/signup/")
    ]:
        response = page.goto(url)
        assert response is not None and response.status == 200, f"{url}: {response and response.status}"
        expect(page.locator("html")).to_have_attribute("lang", language)
        violations = [v for v in axe.run(page).response["violations"] if v["impact"] in BLOCKING_IMPACTS]
        if violations:
            problems.append(_describe(url, violations))
    assert not problems, "axe found serious or critical violations:\n" + "\n".join(problems)


def _focused(page) -> dict:
    return page.evaluate(
        """() => { const e = document.activeElement;
                  return {tag: e.tagName, id: e.id, cls: e.className, name: e.getAttribute('name'),
                          value: e.getAttribute('value'), text: (e.textContent || '').trim()}; }"""
    )


def test_keyboard_skip_link_then_language_switcher(page, demo_site):
    page.goto("/en/")
    # The skip link is the first tab stop, shows itself, and moves focus to main.
    page.keyboard.press("Tab")
    focused = _focused(page)
    assert "skip-link" in focused["cls"], focused
    expect(page.locator(".skip-link")).to_be_visible()
    page.keyboard.press("Enter")
    assert _focused(page)["id"] == "main"

    # The language switcher is reachable with Tab and works with Enter.
    page.goto("/en/")
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        focused = _focused(page)
        if focused["tag"] == "BUTTON" and focused["name"] == "language" and focused["value"] == "nl":
            break
    else:
        pytest.fail(f"the Dutch language button was not reached in {MAX_TABS} tab stops")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/nl/$"))
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    page.keyboard.press("Tab")
    assert "skip-link" in _focused(page)["cls"]
