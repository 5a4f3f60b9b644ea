"""Foundation bench: render the public pages and the account pages in-process
and through a real daphne process, against an empty Wagtail page rendered in
the same run (the baseline every page bench in this project uses)."""

from __future__ import annotations

import contextlib
import http.client
import os
import subprocess
import sys
from pathlib import Path

from bench.harness import free_port, measure, table, wait_for_port

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"


def baseline_page_url() -> str:
    """An empty standard page under the English home: the cheapest Wagtail page."""
    from wagtail.models import Locale, Page

    from cms.models import StandardPage

    home = Page.objects.get(depth=2, locale=Locale.objects.get(language_code="en")).specific
    page = StandardPage.objects.filter(slug="bench-empty", locale=home.locale).first()
    if page is None:
        page = StandardPage(title="Bench empty page", slug="bench-empty", show_in_menus=False)
        home.add_child(instance=page)
        page.save_revision().publish()
    return page.get_url()


def _page_urls() -> list[tuple[str, str]]:
    from wagtail.models import Locale, Page

    urls = [("home (en)", "/en/"), ("home (nl)", "/nl/")]
    locale = Locale.objects.get(language_code="en")
    home = Page.objects.get(depth=2, locale=locale)
    for child in home.get_children().live().specific():
        if child.slug != "bench-empty":
            urls.append((f"{child._meta.verbose_name} (en)", child.get_url()))
    urls += [("login (en)", "/en/accounts/login/"), ("search 'training' (en)", "/en/search/?q=training")]
    return urls


def in_process(repeat: int) -> str:
    from django.test import Client

    client = Client(HTTP_HOST=HOST)
    baseline_url = baseline_page_url()

    def getter(url):
        def call():
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)

        return call

    baseline = measure("empty Wagtail page", getter(baseline_url), repeat=repeat)
    results = [measure(name, getter(url), repeat=repeat) for name, url in _page_urls()]
    return table("Pages rendered in-process (Django test client, PostgreSQL)", results, baseline)


@contextlib.contextmanager
def running_daphne():
    """A real daphne process serving config.asgi with this run's settings."""
    port = free_port(HOST)
    process = subprocess.Popen(
        [sys.executable, "-m", "daphne", "-b", HOST, "-p", str(port), "config.asgi:application"],
        cwd=ROOT, env=dict(os.environ), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_port(port, host=HOST)
        yield HOST, port
    finally:
        process.terminate()
        process.wait(timeout=10)


def through_daphne(repeat: int) -> str:
    """The same pages through a real daphne process over HTTP/1.1 keep-alive."""
    with running_daphne() as (host, port):
        connection = http.client.HTTPConnection(host, port, timeout=30)

        def getter(url):
            def call():
                connection.request("GET", url)
                response = connection.getresponse()
                response.read()
                assert response.status == 200, (url, response.status)

            return call

        baseline = measure("empty Wagtail page via daphne", getter(baseline_page_url()), repeat=repeat)
        results = [
            measure("healthz via daphne", getter("/healthz"), repeat=repeat),
            measure("home (en) via daphne", getter("/en/"), repeat=repeat),
            measure("login (en) via daphne", getter("/en/accounts/login/"), repeat=repeat),
        ]
        return table("The same requests through one daphne process (sequential, keep-alive)", results, baseline)
