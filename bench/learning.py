"""Courses and progress at scale (issue "Self-paced courses").

Data: one extra course of 200 lessons (10 modules of 20; each lesson a text
block and a quiz, plus one H5P activity), 10,000 learners enrolled in it,
and a cohort of 500 of them with uneven progress (about 100,000 block
completions). Cases, each against the empty Wagtail page of the same run:
a lesson page as an enrolled learner, the learner dashboard, the trainer's
progress grid for the 500-learner cohort; and xAPI statements stored per
second through the real endpoint (in-process and through daphne).
"""

from __future__ import annotations

import json
import time
import uuid

from bench.harness import measure, measure_interleaved, table

LEARNERS = 10_000
LESSONS = 200
MODULES = 10
COHORT = 500


def _quiz() -> dict:
    return {
        "title": "Check",
        "pass_mark_percent": 100,
        "attempts_allowed": 0,
        "required": True,
        "questions": [
            {
                "kind": "single",
                "prompt": "Is this an early sign?",
                "answers": [
                    {"text": "Yes", "correct": True, "feedback": ""},
                    {"text": "No", "correct": False, "feedback": ""},
                ],
            }
        ],
    }


def build() -> dict:
    from django.contrib.auth.hashers import make_password
    from django.db import transaction
    from wagtail.rich_text import RichText

    from accounts.models import User
    from courses.models import CourseIndexPage, CoursePage, LessonPage, ModulePage
    from demo.courses import BRIDGELINE_CHECK, _ensure_h5p_package
    from learning.models import BlockCompletion, Cohort, Enrollment
    from partners.models import Membership, Partner, Role

    partner = Partner.objects.get(country="BE")
    trainer = Membership.objects.filter(partner=partner, role=Role.TRAINER).select_related("user").first().user
    index = CourseIndexPage.objects.filter(locale__language_code="en").first()
    package = _ensure_h5p_package(BRIDGELINE_CHECK)

    with transaction.atomic():
        course = CoursePage(
            title="Bench course", slug="bench-course", summary="A large course for benchmarks.",
            partner=partner, is_public=True, estimated_hours=40, locale_id=index.locale_id,
        )
        index.add_child(instance=course)
        course.save_revision().publish()
        lessons: list[LessonPage] = []
        per_module = LESSONS // MODULES
        for m in range(MODULES):
            module = ModulePage(title=f"Module {m + 1}", slug=f"module-{m + 1}", locale_id=index.locale_id)
            course.add_child(instance=module)
            module.save_revision().publish()
            for lesson_number in range(per_module):
                body = [
                    ("text", {"text": RichText(f"<p>Lesson {len(lessons) + 1} text.</p>"), "required": True}),
                    ("quiz", _quiz()),
                ]
                if not lessons:
                    body.append(("h5p", {"package": package, "title": "Check", "pass_threshold": "0.5", "required": True}))
                lesson = LessonPage(
                    title=f"Lesson {len(lessons) + 1}", slug=f"lesson-{lesson_number + 1}", body=body,
                    estimated_minutes=5, locale_id=index.locale_id,
                )
                module.add_child(instance=lesson)
                lesson.save_revision().publish()
                lessons.append(LessonPage.objects.get(pk=lesson.pk))

    password = make_password("bench-password")
    users = User.objects.bulk_create(
        [User(email=f"bench{i:05d}@bench.example", password=password, full_name=f"Bench Learner {i}") for i in range(LEARNERS)],
        batch_size=2000,
    )
    cohort = Cohort.objects.create(course_key=course.translation_key, partner=partner, name="Bench cohort",
                                   starts_on="2027-01-01")
    cohort.trainers.add(trainer)
    Enrollment.objects.bulk_create(
        [Enrollment(learner=u, course_key=course.translation_key, cohort=cohort if i < COHORT else None)
         for i, u in enumerate(users)],
        batch_size=2000,
    )
    completions = []
    for i, user in enumerate(users[:COHORT]):
        for lesson in lessons[: i % LESSONS]:
            for child in lesson.body:
                if child.block_type in ("text", "quiz"):
                    completions.append(BlockCompletion(learner=user, course_key=course.translation_key,
                                                       lesson_key=lesson.translation_key, block_id=child.id,
                                                       kind=child.block_type))
    BlockCompletion.objects.bulk_create(completions, batch_size=5000)
    return {"course": course, "lessons": lessons, "learner": users[COHORT - 1], "trainer": trainer,
            "cohort": cohort, "completions": len(completions), "package": package}


def pages(data: dict, baseline_url: str, repeat: int) -> str:
    from django.test import Client

    from learning.services import lesson_visit_record

    learner, trainer = data["learner"], data["trainer"]
    lesson = data["lessons"][LESSONS // 2]
    learner_client = Client(HTTP_HOST="127.0.0.1")
    learner_client.force_login(learner)
    lesson_visit_record(learner=learner, lesson=lesson)
    trainer_client = Client(HTTP_HOST="127.0.0.1")
    trainer_client.force_login(trainer)

    def getter(client, url):
        def call():
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)

        return call

    cohort_url = f"/en/learning/trainer/cohorts/{data['cohort'].pk}/"
    baseline, *results = measure_interleaved(
        [
            ("empty Wagtail page", getter(Client(HTTP_HOST="127.0.0.1"), baseline_url), 1),
            (f"lesson page, enrolled learner ({LESSONS} lessons, {LEARNERS:,} learners)",
             getter(learner_client, lesson.get_url()), 1),
            ("course page with progress", getter(learner_client, data["course"].get_url()), 1),
            ("learner dashboard", getter(learner_client, "/en/learning/dashboard/"), 1),
            (f"trainer grid, {COHORT}-learner cohort", getter(trainer_client, cohort_url), 5),
            (f"cohort CSV export, {COHORT} learners", getter(trainer_client, cohort_url + "export.csv"), 5),
        ],
        rounds=repeat,
    )
    title = (f"Learning pages in-process ({data['completions']:,} block completions in the cohort)")
    return table(title, results, baseline)


def _statement(lesson_key: str, block_id: str) -> dict:
    from courses.h5p.serving import activity_iri

    return {
        "id": str(uuid.uuid4()),
        "actor": {"name": "anyone", "mbox": "mailto:anyone@example.org"},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/completed"},
        "object": {"id": activity_iri(lesson_key=lesson_key, block_id=block_id), "objectType": "Activity"},
        "result": {"score": {"raw": 1, "max": 1, "min": 0, "scaled": 1}, "completion": True, "success": True},
    }


def xapi(data: dict, repeat: int, daphne_url: tuple[str, int] | None) -> str:
    from django.middleware.csrf import _get_new_csrf_string
    from django.test import Client

    from learning.services import lesson_visit_record

    lesson = data["lessons"][0]
    block_id = next(child.id for child in lesson.body if child.block_type == "h5p")
    learner = data["learner"]
    lesson_visit_record(learner=learner, lesson=lesson)
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(learner)

    def body():
        return json.dumps({"block_id": block_id, "lesson_key": str(lesson.translation_key),
                           "statement": _statement(str(lesson.translation_key), block_id)})

    def post_in_process():
        response = client.post("/en/learning/xapi/", body(), content_type="application/json")
        assert response.status_code == 201, response.content

    lines = []
    started = time.perf_counter()
    in_process = measure("xAPI POST in-process", post_in_process, repeat=repeat, warmup=5)
    lines.append(("in-process", in_process, repeat + 5, time.perf_counter() - started))

    if daphne_url:
        import http.client

        host, port = daphne_url
        session = client.cookies["sessionid"].value
        token = _get_new_csrf_string()
        connection = http.client.HTTPConnection(host, port, timeout=30)
        headers = {"Content-Type": "application/json", "X-CSRFToken": token,
                   "Cookie": f"sessionid={session}; csrftoken={token}", "Host": f"{host}:{port}"}

        def post_daphne():
            connection.request("POST", "/en/learning/xapi/", body(), headers)
            response = connection.getresponse()
            payload = response.read()
            assert response.status == 201, (response.status, payload[:200])

        started = time.perf_counter()
        via_daphne = measure("xAPI POST via daphne", post_daphne, repeat=repeat, warmup=5)
        lines.append(("one daphne process, sequential", via_daphne, repeat + 5, time.perf_counter() - started))

    out = ["### xAPI statements stored through the real endpoint (POST /en/learning/xapi/)", "",
           "| path | statements | median ms | p95 ms | statements/s (sequential) |", "|---|---:|---:|---:|---:|"]
    for name, result, count, elapsed in lines:
        out.append(f"| {name} | {count} | {result.median_ms:.2f} | {result.p95_ms:.2f} | {count / elapsed:.0f} |")
    return "\n".join(out)
