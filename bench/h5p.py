"""H5P content (issue #10): real packages from the content hub import, play
and count.

1. Import: each package of the real H5P set (tests.support.h5p_real) through
   `h5p_package_create` on the bench database, median of 3 runs, next to a
   plain `unzip -q -d tmpdir file` of the same file as a subprocess in the
   same run; `validate_h5p` alone too. Every package is deleted again (row and
   folder) and the content root is a temporary folder.

   Peak memory: each import again in a fresh Python process (Django set up,
   then one `h5p_package_create`), its peak RSS minus that of a process that
   only sets Django up (and opens its database connection); unzip's peak RSS
   the same way. Both are read with GNU time (`/usr/bin/time -f %M`), not
   with os.wait4 or RUSAGE_CHILDREN from this process: on Linux a child's
   ru_maxrss starts at the RSS of the process that spawned it (the kernel
   carries the pre-exec peak over, and Python spawns with vfork), so a child
   of a 100 MB bench process "peaks" at 100 MB even if it is /bin/true.
   GNU time forks from a 1 MB process, so that floor is about 1 MB.
   (RUSAGE_CHILDREN deltas would not work either: it is the largest child,
   not a sum.)

2. xAPI: statements accepted per second through ONE daphne process serving
   config.asgi, one client sequentially and 8 concurrent clients (threads,
   each its own learner, session and connection). Each statement is the
   top-level `answered` statement the real True/False package sends, built
   from that package's own h5p.json and content.json, with a fresh id and
   object.id = activity_iri(lesson, block) of an H5P block in a lesson where
   the learner is enrolled; each must be answered 201. Baseline in the same
   run: the same clients POSTing to the same endpoint with a text/plain
   body, which the view refuses with 415 right after CSRF (middleware) and
   the session + user look-up: everything but the statement's own work.

Run: `python -m bench --only-h5p`. Needs Debian's `unzip` and `time`.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
import zipfile
from pathlib import Path

from bench.harness import Result, percentile_ms

ROOT = Path(__file__).resolve().parent.parent
RUNS = 3
CLIENTS = 8
GNU_TIME = "/usr/bin/time"
MIB = 1024 * 1024


def run_all(repeat: int = 200) -> str:
    _require_tools()
    with _content_root() as root:
        parts = [imports(root), "", xapi(repeat)]
    return "\n".join(parts)


# --- tools and folders -------------------------------------------------------------


def _require_tools() -> None:
    missing = []
    if shutil.which("unzip") is None:
        missing.append("unzip")
    if not os.access(GNU_TIME, os.X_OK):
        missing.append("time")
    if missing:
        raise RuntimeError(f"the H5P bench needs the Debian packages: {' '.join(missing)}")


@contextlib.contextmanager
def _content_root():
    """A temporary H5P content root, for this process and its children."""
    from django.test import override_settings

    root = Path(tempfile.mkdtemp(prefix="bench-h5p-"))
    try:
        with override_settings(H5P_CONTENT_ROOT=str(root)):
            yield root
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _peak_rss_kib(command: list[str], *, env: dict | None = None) -> tuple[int, str]:
    """Run `command` under GNU time: (its peak RSS in KiB, its stdout)."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as report:
        completed = subprocess.run(
            [GNU_TIME, "-f", "%M", "-o", report.name, *command],
            cwd=ROOT, env=env, capture_output=True, text=True,
        )
        if completed.returncode:
            raise RuntimeError(f"{command[:4]} failed ({completed.returncode}): {completed.stderr[-2000:]}")
        return int(Path(report.name).read_text().split()[-1]), completed.stdout


def _seconds(call) -> float:
    start = time.perf_counter()
    call()
    return time.perf_counter() - start


def _unzip_seconds(path: Path) -> float:
    """Wall time of `unzip -q -d tmpdir file` (spawn included; removing the
    folder afterwards is not timed, as the import's deletion is not)."""
    target = tempfile.mkdtemp(prefix="bench-unzip-")
    try:
        return _seconds(lambda: subprocess.run(["unzip", "-q", "-d", target, str(path)], check=True))
    finally:
        shutil.rmtree(target, ignore_errors=True)


# --- 1. import ---------------------------------------------------------------------


def _child_env(root: Path) -> dict:
    return dict(os.environ, H5P_CONTENT_ROOT=str(root), LOG_LEVEL="WARNING")


def _child_run(mode: str, root: Path, path: Path | None = None) -> tuple[int, dict]:
    command = [sys.executable, "-m", "bench.h5p", "--child", mode]
    if path is not None:
        command.append(str(path))
    rss, stdout = _peak_rss_kib(command, env=_child_env(root))
    return rss, json.loads(stdout.strip().splitlines()[-1])


def _unzip_rss(path: Path) -> int:
    target = tempfile.mkdtemp(prefix="bench-unzip-")
    try:
        return _peak_rss_kib(["unzip", "-q", "-d", target, str(path)])[0]
    finally:
        shutil.rmtree(target, ignore_errors=True)


def imports(root: Path) -> str:
    from courses.h5p.models import H5PPackage
    from courses.h5p.services import h5p_package_create, h5p_package_delete
    from courses.h5p.validation import H5PValidationError, validate_h5p
    from tests.support.h5p_real import ALL, real_h5p

    def import_once(path: Path) -> tuple[float, dict]:
        start = time.perf_counter()
        package = h5p_package_create(uploaded_file=str(path))
        elapsed = time.perf_counter() - start
        facts = {"files": package.file_count, "bytes": package.size_bytes}
        h5p_package_delete(package=package)
        return elapsed, facts

    django_rss = statistics.median(_child_run("baseline", root)[0] for _ in range(RUNS))
    unzip_floor = statistics.median(_peak_rss_kib(["unzip", "-v"])[0] for _ in range(RUNS))

    timing_rows, memory_rows = [], []
    totals = [0.0, 0.0, 0.0]  # sums of the medians: validate, import, unzip
    for name in ALL:
        path = real_h5p(name)
        with zipfile.ZipFile(path) as archive:
            infos = [info for info in archive.infolist() if not info.is_dir()]
        entries, inflated = len(infos), sum(info.file_size for info in infos)
        size = f"{path.stat().st_size / MIB:.2f} MB"
        try:
            validate_h5p(str(path))  # warm-up: page cache, imports
            _, facts = import_once(path)
        except H5PValidationError as error:
            refused = f"refused: {error.code}"
            timing_rows.append(f"| {name} | {size} | {entries} | {refused} | | | | | |")
            memory_rows.append(f"| {name} | {refused} | | | |")
            continue
        _unzip_seconds(path)
        validate_s, import_s, unzip_s = [], [], []
        for _ in range(RUNS):  # interleaved, so all three see the same machine
            validate_s.append(_seconds(lambda: validate_h5p(str(path))))
            import_s.append(import_once(path)[0])
            unzip_s.append(_unzip_seconds(path))
        v, i, u = (statistics.median(s) * 1000 for s in (validate_s, import_s, unzip_s))
        totals = [totals[0] + v, totals[1] + i, totals[2] + u]
        timing_rows.append(
            f"| {name} | {size} | {entries} → {facts['files']} | {inflated / MIB:.1f} → {facts['bytes'] / MIB:.1f} MB "
            f"| {v:.1f} | {i:.1f} | {u:.1f} | {i / u:.2f}x | {v / u:.2f}x |"
        )

        child_rss, child_s = [], []
        for _ in range(RUNS):
            rss, result = _child_run("import", root, path)
            h5p_package_delete(package=H5PPackage.objects.get(pk=result["package"]))
            child_rss.append(rss)
            child_s.append(result["seconds"])
        unzip_rss = [_unzip_rss(path) for _ in range(RUNS)]
        import_peak = (statistics.median(child_rss) - django_rss) / 1024
        unzip_peak = statistics.median(unzip_rss) / 1024
        memory_rows.append(
            f"| {name} | {import_peak:+.1f} | {statistics.median(child_s) * 1000:.1f} "
            f"| {unzip_peak:.1f} ({(statistics.median(unzip_rss) - unzip_floor) / 1024:+.1f}) "
            f"| {import_peak / unzip_peak:.1f}x |"
        )

    timing = [
        f"### Importing the real H5P packages (median of {RUNS}, in-process, bench PostgreSQL)",
        "",
        "baseline: `unzip -q -d tmpdir file` of the same file as a subprocess (spawn included), same run. "
        "Import = `h5p_package_create(uploaded_file=path)`: validate, extract the files it keeps, "
        "SHA-256 them, save the row (the deletion afterwards is not timed).",
        "",
        "| package | .h5p | zip files → stored | inflated → stored | validate_h5p ms | import ms | unzip ms "
        "| import ÷ unzip | validate ÷ unzip |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
        *timing_rows,
    ]
    if totals[2]:
        v, i, u = totals
        timing.append(f"| all of the above (sums of the medians) | | | | {v:.1f} | {i:.1f} | {u:.1f} "
                      f"| {i / u:.2f}x | {v / u:.2f}x |")
    memory = [
        f"### Peak memory of one import in a fresh process (median of {RUNS}, GNU time %M)",
        "",
        f"baseline: a Python process that only sets Django up and opens its database connection, "
        f"peak RSS {django_rss / 1024:.1f} MiB; the import column is a process doing that plus one "
        f"`h5p_package_create`, minus that baseline. unzip: its whole peak RSS, and in brackets over "
        f"`unzip -v` ({unzip_floor / 1024:.1f} MiB, the binary and libc alone).",
        "",
        "| package | import: peak RSS over Django MiB | import ms in that fresh process "
        "| unzip peak RSS MiB (over `unzip -v`) | import extra ÷ unzip peak |",
        "|---|---:|---:|---:|---:|",
        *memory_rows,
    ]
    return "\n".join([*timing, "", *memory])


def _child(argv: list[str]) -> None:
    """In a fresh process: set Django up; with "import PATH", import one
    package (the parent deletes it). Prints one JSON line."""
    import django

    django.setup()
    from django.db import connection

    from courses.h5p.services import h5p_package_create

    connection.ensure_connection()
    result: dict = {}
    if argv[0] == "import":
        start = time.perf_counter()
        package = h5p_package_create(uploaded_file=argv[1])
        result["seconds"] = time.perf_counter() - start
        result["package"] = package.pk
    print(json.dumps(result))


# --- 2. xAPI ------------------------------------------------------------------------


def _xapi_data() -> dict:
    """A course with one lesson holding a text block and the real True/False
    package as an H5P block; 1 + CLIENTS learners enrolled, each logged in."""
    from django.contrib.auth.hashers import make_password
    from django.middleware.csrf import _get_new_csrf_string
    from django.test import Client
    from wagtail.rich_text import RichText

    from accounts.models import User
    from courses.h5p.serving import activity_iri
    from courses.h5p.services import h5p_package_create
    from courses.models import CourseIndexPage, CoursePage, LessonPage, ModulePage
    from learning.services import enrollment_create, lesson_visit_record
    from partners.models import Partner
    from tests.support.h5p_real import real_h5p

    path = real_h5p("H5P.TrueFalse")
    package = h5p_package_create(uploaded_file=str(path))
    index = CourseIndexPage.objects.filter(locale__language_code="en").first()
    course = CoursePage(
        title="H5P bench course", slug="bench-h5p-course", summary="Real H5P content for benchmarks.",
        partner=Partner.objects.get(country="BE"), is_public=True, estimated_hours=1, locale_id=index.locale_id,
    )
    index.add_child(instance=course)
    course.save_revision().publish()
    module = ModulePage(title="Module 1", slug="module-1", locale_id=index.locale_id)
    course.add_child(instance=module)
    module.save_revision().publish()
    lesson = LessonPage(
        title="Check your understanding", slug="check", estimated_minutes=5, locale_id=index.locale_id,
        body=[
            ("text", {"text": RichText("<p>Read, then answer.</p>"), "required": True}),
            ("h5p", {"package": package, "title": "True or false?", "pass_threshold": "0.8", "required": True}),
        ],
    )
    module.add_child(instance=lesson)
    lesson.save_revision().publish()
    lesson = LessonPage.objects.get(pk=lesson.pk)
    block = next(child for child in lesson.body if child.block_type == "h5p")

    password = make_password("bench-password")
    sessions = []
    for i in range(1 + CLIENTS):
        learner = User.objects.create(email=f"h5p-bench{i}@bench.example", password=password,
                                      full_name=f"H5P Bench Learner {i}")
        enrollment_create(learner=learner, course_key=course.translation_key)
        lesson_visit_record(learner=learner, lesson=lesson)  # what opening the lesson page records
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(learner)
        sessions.append((client.cookies["sessionid"].value, _get_new_csrf_string()))
    return {
        "lesson_key": str(lesson.translation_key),
        "block_id": block.id,
        "iri": activity_iri(lesson_key=str(lesson.translation_key), block_id=block.id),
        "package": _true_false_facts(path),
        "sessions": sessions,
    }


def _true_false_facts(path: Path) -> dict:
    """What the True/False package puts into its statements: its title,
    library version, question and correct answer (from its own files)."""
    import html
    import re

    with zipfile.ZipFile(path) as archive:
        h5p = json.loads(archive.read("h5p.json"))
        content = json.loads(archive.read("content/content.json"))
    main = h5p["mainLibrary"]
    version = next(f"{d['majorVersion']}.{d['minorVersion']}" for d in h5p["preloadedDependencies"]
                   if d["machineName"] == main)
    return {
        "title": h5p["title"],
        "library": f"{main}-{version}",
        "question": html.unescape(re.sub(r"<[^>]+>", "", content["question"])),
        "correct": "true" if content["correct"] == "true" else "false",
    }


def _answered(data: dict, *, site: str, content_id: str, user_uuid: str) -> dict:
    """The top-level statement H5P.TrueFalse 1.6 sends when answered
    correctly (H5P core's createXAPIEventTemplate + setScoredResult under
    h5p-standalone: anonymous account actor, object id = xAPIObjectIRI), with
    a fresh statement id."""
    facts = data["package"]
    return {
        "id": str(uuid.uuid4()),
        "actor": {"account": {"name": user_uuid, "homePage": site}, "objectType": "Agent"},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/answered", "display": {"en-US": "answered"}},
        "object": {
            "id": data["iri"],
            "objectType": "Activity",
            "definition": {
                "extensions": {"http://h5p.org/x-api/h5p-local-content-id": content_id},
                "name": {"en-US": facts["title"]},
                "description": {"en-US": facts["question"]},
                "type": "http://adlnet.gov/expapi/activities/cmi.interaction",
                "interactionType": "true-false",
                "correctResponsesPattern": [facts["correct"]],
            },
        },
        "context": {
            "contextActivities": {
                "category": [{"id": f"http://h5p.org/libraries/{facts['library']}", "objectType": "Activity"}]
            }
        },
        "result": {
            "score": {"min": 0, "max": 1, "raw": 1, "scaled": 1},
            "completion": True,
            "success": True,
            "duration": "PT3.42S",
            "response": facts["correct"],
        },
    }


class _Poster:
    """One learner's keep-alive connection to the daphne process."""

    def __init__(self, data: dict, address: tuple[str, int], session: tuple[str, str]):
        host, port = address
        session_id, token = session
        self.data = data
        self.site = f"http://{host}:{port}"
        self.connection = http.client.HTTPConnection(host, port, timeout=60)
        self.cookie = f"sessionid={session_id}; csrftoken={token}"
        self.token = token
        self.host = f"{host}:{port}"
        self.content_id = uuid.uuid4().hex[:7]
        self.user_uuid = str(uuid.uuid4())

    def post(self, content_type: str, body: str) -> tuple[int, bytes]:
        headers = {"Content-Type": content_type, "X-CSRFToken": self.token, "Cookie": self.cookie, "Host": self.host}
        self.connection.request("POST", "/en/learning/xapi/", body.encode(), headers)
        response = self.connection.getresponse()
        return response.status, response.read()

    def statement(self) -> tuple[int, bytes]:
        statement = _answered(self.data, site=self.site, content_id=self.content_id, user_uuid=self.user_uuid)
        body = json.dumps({"block_id": self.data["block_id"], "lesson_key": self.data["lesson_key"],
                           "statement": statement})
        return self.post("application/json", body)

    def edge(self) -> tuple[int, bytes]:
        return self.post("text/plain", "")


STATEMENT, EDGE = ("statement", 201), ("edge", 415)


def _sequential(poster: _Poster, case: tuple[str, int], repeat: int, warmup: int = 10) -> dict:
    method, expected = case
    call = getattr(poster, method)
    for _ in range(warmup):
        status, body = call()
        if status != expected:
            raise RuntimeError(f"{method}: expected {expected}, got {status}: {body[:500]!r}")
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        status, body = call()
        samples.append(time.perf_counter() - start)
        if status != expected:
            raise RuntimeError(f"{method}: expected {expected}, got {status}: {body[:500]!r}")
    return {"samples": samples, "ok": repeat, "other": {}, "elapsed": sum(samples)}


def _concurrent(posters: list[_Poster], case: tuple[str, int], per_client: int) -> dict:
    method, expected = case
    barrier = threading.Barrier(len(posters) + 1)
    samples: list[list[float]] = [[] for _ in posters]
    statuses: list[list[int]] = [[] for _ in posters]
    errors: list[bytes] = []

    def work(i: int) -> None:
        call = getattr(posters[i], method)
        call()  # warm this connection and session
        barrier.wait()
        for _ in range(per_client):
            start = time.perf_counter()
            status, body = call()
            samples[i].append(time.perf_counter() - start)
            statuses[i].append(status)
            if status != expected and len(errors) < 3:
                errors.append(body[:500])

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(posters))]
    for thread in threads:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    flat = [status for per in statuses for status in per]
    other: dict[int, int] = {}
    for status in flat:
        if status != expected:
            other[status] = other.get(status, 0) + 1
    for body in errors:
        print(f"xAPI bench: {method} answered other than {expected}: {body!r}", file=sys.stderr)
    return {"samples": [s for per in samples for s in per], "ok": flat.count(expected), "other": other,
            "elapsed": elapsed}


def xapi(repeat: int) -> str:
    from bench.site_pages import running_daphne

    data = _xapi_data()
    per_client = max(10, repeat // 4)
    with running_daphne() as address:
        posters = [_Poster(data, address, session) for session in data["sessions"]]
        status, body = posters[0].statement()
        if status != 201:
            message = (f"xAPI bench: the first statement was answered {status}, not 201: {body[:1000]!r} "
                       f"(object.id {data['iri']}, lesson {data['lesson_key']}, block {data['block_id']})")
            print(message, file=sys.stderr)
            return f"### xAPI statements through one daphne process\n\nNot measured: {message}"
        one, many = posters[0], posters[1:]
        runs = [
            ("empty authenticated POST, text/plain → 415 (baseline)", 1, _sequential(one, EDGE, repeat)),
            ("True/False `answered` statement → 201", 1, _sequential(one, STATEMENT, repeat)),
            ("empty authenticated POST, text/plain → 415 (baseline)", CLIENTS, _concurrent(many, EDGE, per_client)),
            ("True/False `answered` statement → 201", CLIENTS, _concurrent(many, STATEMENT, per_client)),
        ]
        for poster in posters:
            poster.connection.close()

    lines = [
        "### xAPI statements through one daphne process (POST /en/learning/xapi/)",
        "",
        "baseline (same run, same clients, same URL): a POST with a text/plain body, refused with 415 after "
        "CSRF and the session + user look-up, i.e. without the statement's own work. "
        f"Sequential: one client, {repeat} requests after 10 warm-up. Concurrent: {CLIENTS} threads, "
        f"each its own learner, session and keep-alive connection, {per_client} requests each, released together.",
        "",
        "| case | clients | requests | answered as expected | median ms | p95 ms | requests/s "
        "| ratio to baseline (median ms) | ratio to baseline (requests/s) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    baselines: dict[int, tuple[float, float]] = {}
    for name, clients, run in runs:
        result = Result(name, run["samples"])
        rate = len(run["samples"]) / run["elapsed"]
        if clients not in baselines:
            baselines[clients] = (result.median_ms, rate)
        base_ms, base_rate = baselines[clients]
        other = ", ".join(f"{count}× {status}" for status, count in sorted(run["other"].items()))
        lines.append(
            f"| {name} | {clients} | {len(run['samples'])} | {run['ok']}{f' ({other})' if other else ''} "
            f"| {result.median_ms:.2f} | {percentile_ms(run['samples'], 0.95):.2f} | {rate:.0f} "
            f"| {result.median_ms / base_ms:.2f}x | {rate / base_rate:.2f}x |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        sys.path.insert(0, str(ROOT))
        _child(sys.argv[2:])
    else:
        sys.exit("run the H5P bench with: python -m bench --only-h5p")
