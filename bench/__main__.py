"""`make bench`: start a throwaway PostgreSQL, migrate, seed the demo data and
run every benchmark, printing medians, p95 and ratios to the baseline of the
same run. Results: copy the printed tables into bench/README.md."""

from __future__ import annotations

import argparse
import gc
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _http(http_layouts, learning, data: dict, seconds: int, rounds: int) -> str:
    """The four pages of issue #14 and the health check, logged in as the
    bench's enrolled learner where the page needs it."""
    from django.conf import settings
    from django.test import Client

    from learning.services import lesson_visit_record

    lesson = data["lessons"][learning.LESSONS // 2]
    lesson_visit_record(learner=data["learner"], lesson=lesson)
    client = Client()
    client.force_login(data["learner"])
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    pages = [
        ("home (en)", "/en/", None),
        ("course page", data["course"].get_url(), cookie),
        (f"lesson page ({learning.LESSONS} lessons, {learning.LEARNERS:,} learners)", lesson.get_url(), cookie),
        ("learner dashboard", "/en/learning/dashboard/", cookie),
        ("/healthz", "/healthz", None),
    ]
    # Statistics for the rows just built, as autovacuum would give them
    # later: the plans then do not change while a layout is measured.
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return http_layouts.run(pages, seconds=seconds, repeat=rounds)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=200, help="timed runs per case (after warm-up)")
    parser.add_argument("--only-foundation", action="store_true", help="skip the 10,000-learner course data")
    parser.add_argument("--only-certificates", action="store_true", help="run only the certificates bench")
    parser.add_argument("--only-live", action="store_true", help="run only the live chat fan-out bench")
    parser.add_argument("--only-h5p", action="store_true", help="run only the H5P content bench (import, xAPI)")
    parser.add_argument("--only-learning", action="store_true", help="run only the in-process learning pages bench")
    parser.add_argument("--only-http", action="store_true", help="run only the HTTP load bench of the server layouts")
    parser.add_argument("--http-seconds", type=int, default=8, help="seconds of load per page, layout and round")
    parser.add_argument("--http-rounds", type=int, default=3, help="rounds of load per page and layout (median)")
    args = parser.parse_args()

    from bench.harness import bench_database

    with bench_database():
        from django.core.management import call_command

        call_command("seed_demo", verbosity=0)

        from bench import certificates, h5p, http_layouts, learning, live_fanout, site_pages

        if args.only_live:
            print(live_fanout.run_all())
            return 0
        if args.only_h5p:
            print("\n".join(["## H5P content", "", h5p.run_all(args.repeat)]))
            return 0
        if args.only_learning:
            data = learning.build()
            gc.collect()
            gc.freeze()
            print("\n".join(["## Courses and progress", "", learning.pages(data, site_pages.baseline_page_url(), args.repeat)]))
            return 0
        if args.only_http:
            data = learning.build()
            print("\n".join(["## Server layouts under load", "", _http(http_layouts, learning, data, args.http_seconds, args.http_rounds)]))
            return 0
        if args.only_certificates:
            text = "\n".join(_certificates(certificates, site_pages, args.repeat))
            print(text)
            return 0
        output = [
            "## Foundation: page rendering",
            "",
            site_pages.in_process(args.repeat),
            "",
            site_pages.through_daphne(args.repeat),
        ]
        if not args.only_foundation:
            data = learning.build()
            # The bench process now holds ~10,000 users and 200 pages that a
            # server process never would; keep them out of the collector's
            # full passes so those pauses do not land in the measured requests.
            gc.collect()
            gc.freeze()
            with site_pages.running_daphne() as address:
                output += [
                    "",
                    "## Courses and progress",
                    "",
                    learning.pages(data, site_pages.baseline_page_url(), args.repeat),
                    "",
                    learning.xapi(data, args.repeat, address),
                ]
            output += ["", "## Server layouts under load", "", _http(http_layouts, learning, data, args.http_seconds, args.http_rounds)]
        if not args.only_foundation:
            output += ["", *_certificates(certificates, site_pages, args.repeat)]
        from bench import registrations as registrations_bench

        output += ["", "## Registrations", "", registrations_bench.run()]
        # Issue #13: a small live event, on PostgreSQL and on `make run`'s SQLite.
        output += ["", registrations_bench.event(), "", registrations_bench.event_on_sqlite()]
        output += ["", "## Live sessions", "", live_fanout.run_all()]
        output += ["", "## H5P content", "", h5p.run_all(args.repeat)]
        text = "\n".join(output)
        print(text)
        results = ROOT / "bench" / "results"
        results.mkdir(exist_ok=True)
        (results / "latest.md").write_text(text + "\n")
    return 0


def _certificates(certificates, site_pages, repeat: int) -> list[str]:
    """Issue to PDF, re-render on both cores, ZIP export, dashboards at 20,000."""
    data = certificates.build()
    gc.collect()
    gc.freeze()
    baseline_url = site_pages.baseline_page_url()
    try:
        return [
            "## Certificates",
            "",
            certificates.issue_to_pdf(data, baseline_url, repeat),
            "",
            certificates.rerender(data),
            "",
            certificates.zip_export(data, repeat),
            "",
            certificates.dashboard(data, baseline_url, repeat),
        ]
    finally:
        certificates.cleanup(data)


if __name__ == "__main__":
    sys.exit(main())
