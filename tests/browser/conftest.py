"""Playwright against the real ASGI server (`asgi_live_server`).

* Debian's Chromium (/usr/bin/chromium): Playwright's own browser download
  does not work on these machines (shared/REFERENCE.md). The flags keep it
  from reaching outside hosts, which otherwise stalls it.
* One browser for the browser tests, a fresh context (cookies, storage) per test.
* A failing test leaves a screenshot in test-artifacts/ (ignored by git).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parent.parent.parent / "test-artifacts"
LANGUAGES = ("en", "fr", "nl")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture(scope="package")
def playwright():
    """Sync Playwright drives the browser from an asyncio event loop that it
    keeps *running* in this thread (in a greenlet) for as long as it lives.
    Django sees that loop and refuses ORM calls from the test ("You cannot
    call this from an async context") although the test code itself is plain
    synchronous code; DJANGO_ALLOW_ASYNC_UNSAFE lifts that check. It is set
    only while Playwright runs (this package), so the rest of the suite keeps
    Django's check, and the forked server drops it (tests/support/live_server.py).
    """
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    manager = sync_playwright().start()
    try:
        yield manager
    finally:
        # Connections opened while Playwright ran live in its context-local
        # storage; close them here, or they would outlive the session's
        # test database teardown.
        from django.db import connections

        connections.close_all()
        manager.stop()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="package")
def browser(playwright, _asgi_server):
    # _asgi_server first: the server is forked before Chromium starts, so the
    # child inherits no browser pipes.
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"{CHROMIUM} is missing: run `make test-deps` (installs Debian's chromium)")
    browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture
def context(browser, asgi_live_server):
    context = browser.new_context(base_url=asgi_live_server.url, locale="en-GB")
    context.set_default_timeout(15_000)
    yield context
    context.close()


# Refused on purpose: package code inside the H5P player may load nothing
# from outside the content origin (a real hub Course Presentation asks for
# Twitter's script; tests/browser/test_h5p_real.py lists it per package).
CSP_REFUSED_ON_PURPOSE = ("Loading the script 'https://platform.twitter.com/widgets.js'",)


def _is_csp_violation(text: str) -> bool:
    return "Content Security Policy" in text and not text.startswith(CSP_REFUSED_ON_PURPOSE)


@pytest.fixture
def csp_violations():
    """Every Content-Security-Policy refusal Chromium reported during the test
    (pages and their frames); `page` fails the test on any."""
    return []


@pytest.fixture
def page(context, request, csp_violations):
    page = context.new_page()
    page.on("console", lambda message: _is_csp_violation(message.text) and csp_violations.append(message.text))
    yield page
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.nodeid)
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        print(f"screenshot: {path}")
    elif csp_violations:
        pytest.fail("the browser refused content under the Content-Security-Policy:\n" + "\n".join(csp_violations))


@pytest.fixture
def demo_people(asgi_live_server):
    """The demo partners and people (seed_demo's first half), committed so
    that the server sees them."""
    from demo.people import seed_people

    return seed_people()


@pytest.fixture
def demo_site(demo_people):
    """The demo people and the public site in three languages, as
    `seed_demo` builds them."""
    from demo.cms import seed_cms  # an ImportError here means the cms seed is missing: fail, never skip

    return seed_cms(partners=demo_people)
