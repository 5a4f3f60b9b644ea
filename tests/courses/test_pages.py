"""Course page types: where they may live, that they render, and that the
queries they run stay flat as courses grow.

The small builders at the top make the minimum tree a test needs (an English
home as the default site's root, one course index, a course with modules and
lessons); test_blocks.py and test_demo_course.py reuse them.
"""

from __future__ import annotations

import datetime
import itertools
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.documents import get_document_model
from wagtail.embeds.models import Embed
from wagtail.images import get_image_model
from wagtail.images.tests.utils import get_test_image_file
from wagtail.models import Locale, Page, Site
from wagtail.test.utils import WagtailPageTestCase

from accounts.models import User
from cms.models import HomePage
from courses.h5p.services import h5p_package_create
from courses.models import CourseIndexPage, CoursePage, CourseTrainer, H5PPackage, LessonPage, ModulePage
from courses.selectors import course_outline, required_blocks_for
from partners.models import Membership, Partner, Role
from tests.courses.h5p_builder import build_h5p

_counter = itertools.count(1)


# --- Builders -------------------------------------------------------------------


def locale(code: str) -> Locale:
    return Locale.objects.get_or_create(language_code=code)[0]


def publish(page: Page) -> Page:
    page.save_revision().publish()
    return type(page).objects.get(pk=page.pk)


def make_home() -> HomePage:
    """An English HomePage as the default Site's root; Wagtail's welcome page removed."""
    root = Page.get_first_root_node()
    home = HomePage(title="Home", slug=f"home-{next(_counter)}", locale=locale("en"))
    root.add_child(instance=home)
    home = publish(home)
    Site.objects.update_or_create(
        is_default_site=True, defaults={"hostname": "localhost", "port": 80, "root_page": home, "site_name": "Test"}
    )
    Page.objects.filter(depth=2).exclude(pk=home.pk).delete()
    return home


def add(parent: Page, page: Page) -> Page:
    page.locale_id = parent.locale_id
    if not page.slug:
        page.slug = f"page-{next(_counter)}"
    parent.add_child(instance=page)
    return publish(page)


def make_partner(country: str = "BE") -> Partner:
    number = next(_counter)
    return Partner.objects.create(name=f"Partner {number}", slug=f"partner-{number}", country=country)


def make_trainer(partner: Partner, name: str = "Anna Peeters") -> User:
    user = User.objects.create_user(email=f"trainer{next(_counter)}@example.org", password="x-9-long-enough", full_name=name)
    Membership.objects.create(user=user, partner=partner, role=Role.TRAINER)
    return user


def make_package(title: str = "Spot the signs") -> H5PPackage:
    import io

    return h5p_package_create(uploaded_file=io.BytesIO(build_h5p()), title=title)


def make_image():
    """An image with the rendition the lesson template asks for already made:
    generating one leaves a temporary file to the garbage collector in Wagtail
    (a ResourceWarning, an error under filterwarnings=error)."""
    image = get_image_model().objects.create(title="Workshop", file=get_test_image_file(size=(120, 80)))
    image.file.seek(0)
    data = image.file.read()
    image.file.close()
    image.get_rendition_model().objects.create(
        image=image,
        filter_spec="max-1200x800",
        focal_point_key="",
        width=120,
        height=80,
        file=ContentFile(data, name="workshop.max-1200x800.png"),
    )
    return image


def make_document(title: str = "Conversation guide"):
    document = get_document_model()(title=title)
    document.file.save(f"guide-{next(_counter)}.txt", ContentFile(b"Questions that open a conversation."), save=False)
    document._set_document_file_metadata()
    document.file.close()
    document.save()
    return document


def quiz_value(*, questions: int = 1) -> dict:
    return {
        "title": "Check your understanding",
        "pass_mark_percent": 70,
        "attempts_allowed": 3,
        "questions": [
            {
                "kind": "single" if n % 2 == 0 else "multiple",
                "prompt": f"Question {n + 1}: which of these is an early sign?",
                "answers": [
                    {"text": "Cutting ties with old friends", "correct": True, "feedback": "Yes."},
                    {"text": "Getting good marks", "correct": False, "feedback": "Not in itself."},
                    {"text": "Repeating slogans from one channel", "correct": n % 2 == 1, "feedback": ""},
                ],
            }
            for n in range(questions)
        ],
        "required": True,
    }


def every_kind_body(*, package: H5PPackage, image=None, document=None, video_url: str = "") -> list:
    """One block of every kind (video only when a URL is given)."""
    body = [
        ("text", {"text": "<p>Radicalisation is a process, not an event.</p>", "required": False}),
        ("h5p", {"title": "Spot the signs", "package": package, "pass_threshold": Decimal("0.8"), "required": True}),
        ("quiz", quiz_value(questions=2)),
        ("reflection", {"prompt": "What would help a young person talk to you?", "required": True}),
        (
            "session",
            {
                "title": "Practising conversations",
                "starts_at": datetime.datetime(2026, 3, 12, 9, 30, tzinfo=datetime.UTC),
                "duration_minutes": 180,
                "place": "Maison des associations, Lille",
                "trainer_name": "Claire Dubois",
                "trainer_email": "claire@example.org",
                "required": True,
            },
        ),
    ]
    if image is not None:
        body.append(("image", {"image": image, "alt_text": "Trainers in a circle", "decorative": False, "caption": "", "required": True}))
    if document is not None:
        body.append(("resource", {"document": document, "label": "", "description": "A checklist.", "required": True}))
    if video_url:
        body.append(("video", {"embed": video_url, "title": "A first conversation", "transcript": "<p>He asked what I thought.</p>", "required": True}))
    return body


def make_course(
    *, home: HomePage | None = None, partner: Partner | None = None, modules: int = 1, lessons: int = 1, body=None
) -> CoursePage:
    """A published course with `modules` modules of `lessons` lessons each."""
    home = home or make_home()
    index = CourseIndexPage.objects.child_of(home).first() or add(home, CourseIndexPage(title="Courses", slug="courses"))
    course = add(
        index,
        CoursePage(
            title="Recognising radicalisation",
            summary="A course for first-line workers.",
            audience=["teachers", "youth_workers"],
            learning_outcomes=[("outcome", "Recognise early signs"), ("outcome", "Open a conversation")],
            estimated_hours=Decimal("6.5"),
            partner=partner or make_partner(),
        ),
    )
    for m in range(modules):
        module = add(course, ModulePage(title=f"Module {m + 1}", intro="What this module covers."))
        for n in range(lessons):
            add(
                module,
                LessonPage(title=f"Lesson {m + 1}.{n + 1}", intro="In this lesson.", estimated_minutes=20, body=body or []),
            )
    return course


def lessons_of(course: CoursePage) -> list[LessonPage]:
    return list(LessonPage.objects.descendant_of(course).order_by("path"))


def count_queries(client, url: str) -> int:
    """Queries of a second GET (the first fills caches and creates renditions)."""
    assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


class _Inputs(HTMLParser):
    """Collects form controls and the ids that labels point at."""

    def __init__(self):
        super().__init__()
        self.controls: list[dict] = []
        self.label_for: set[str] = set()
        self.ids: set[str] = set()
        self.duplicate_ids: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id"):
            if attrs["id"] in self.ids:
                self.duplicate_ids.append(attrs["id"])
            self.ids.add(attrs["id"])
        if tag == "label" and attrs.get("for"):
            self.label_for.add(attrs["for"])
        if tag in {"input", "textarea", "select"} and attrs.get("type") not in {"hidden", "submit", "button"}:
            self.controls.append(attrs)


def unlabelled_controls(html: str) -> list[dict]:
    parser = _Inputs()
    parser.feed(html)
    assert not parser.duplicate_ids, parser.duplicate_ids
    return [
        control
        for control in parser.controls
        if not (control.get("aria-label") or control.get("aria-labelledby") or control.get("id") in parser.label_for)
    ]


# --- Where pages may live ------------------------------------------------------------


class TestPageTypeRules(WagtailPageTestCase):
    def test_parents(self):
        # Wagtail checks both sides: cms.HomePage.subpage_types lists the index too.
        self.assertAllowedParentPageTypes(CourseIndexPage, {HomePage})
        self.assertAllowedParentPageTypes(CoursePage, {CourseIndexPage})
        self.assertAllowedParentPageTypes(ModulePage, {CoursePage})
        self.assertAllowedParentPageTypes(LessonPage, {ModulePage})

    def test_children(self):
        self.assertAllowedSubpageTypes(CourseIndexPage, {CoursePage})
        self.assertAllowedSubpageTypes(CoursePage, {ModulePage})
        self.assertAllowedSubpageTypes(ModulePage, {LessonPage})
        self.assertAllowedSubpageTypes(LessonPage, set())

    def test_creatable_inside_a_course(self):
        self.assertCanCreateAt(CourseIndexPage, CoursePage)
        self.assertCanCreateAt(CoursePage, ModulePage)
        self.assertCanCreateAt(ModulePage, LessonPage)
        self.assertCanNotCreateAt(CoursePage, LessonPage)
        self.assertCanNotCreateAt(CourseIndexPage, ModulePage)
        self.assertCanNotCreateAt(LessonPage, LessonPage)

    def test_course_index_creatable_under_home(self):
        self.assertCanCreateAt(HomePage, CourseIndexPage)


class TestPagesRender(WagtailPageTestCase):
    def test_every_course_page_type_renders(self):
        course = make_course(modules=1, lessons=1, body=every_kind_body(package=make_package()))
        module = ModulePage.objects.child_of(course).get()
        lesson = LessonPage.objects.child_of(module).get()
        index = course.get_parent().specific
        for page in (index, course, module, lesson):
            self.assertPageIsRenderable(page)
        # Preview posts the edit form as scraped from its HTML, which cannot
        # carry StreamField values (the editor builds them in JavaScript), so
        # only the pages without one are previewed here.
        for page in (index, module):
            self.assertPageIsPreviewable(page)


# --- What the pages show ------------------------------------------------------------------


@pytest.mark.django_db
def test_course_page_shows_facts_trainers_and_outline(client):
    partner = make_partner()
    course = make_course(partner=partner, modules=2, lessons=2)
    trainer = make_trainer(partner, name="Anna Peeters")
    CourseTrainer.objects.create(course=course, user=trainer, sort_order=0)

    html = client.get(course.url).content.decode()

    assert html.count("<h1") == 1
    assert "A course for first-line workers." in html
    assert "Teachers" in html and "Youth workers" in html
    assert "Recognise early signs" in html
    assert "6.5" in html
    assert partner.name in html
    assert "Anna Peeters" in html
    assert html.index("Module 1") < html.index("Lesson 1.2") < html.index("Module 2") < html.index("Lesson 2.1")
    assert 'href="/static/courses/courses.css"' in html or "courses/courses.css" in html


@pytest.mark.django_db
def test_index_lists_live_courses_only(client):
    course = make_course()
    index = course.get_parent().specific
    draft = CoursePage(title="Draft course", slug="draft", summary="Not yet.", partner=course.partner, live=False)
    index.add_child(instance=draft)

    html = client.get(index.url).content.decode()

    assert course.title in html
    assert "Draft course" not in html


@pytest.mark.django_db
def test_module_page_lists_its_lessons_in_tree_order(client):
    course = make_course(modules=1, lessons=3)
    module = ModulePage.objects.child_of(course).get()

    html = client.get(module.url).content.decode()

    assert html.count("<h1") == 1
    assert html.index("Lesson 1.1") < html.index("Lesson 1.2") < html.index("Lesson 1.3")
    assert course.title in html  # breadcrumb


@pytest.mark.django_db
def test_lesson_page_renders_every_block_kind_accessibly(client):
    document = make_document()
    course = make_course(body=every_kind_body(package=make_package("Spot the signs"), image=make_image(), document=document))
    lesson = lessons_of(course)[0]

    response = client.get(lesson.url)
    html = response.content.decode()

    assert response.status_code == 200
    assert html.count("<h1") == 1
    assert "<main" in html and "<nav" in html
    assert unlabelled_controls(html) == []
    # The quiz is a form with a fieldset per question, no action, and no answers given away.
    assert 'data-quiz-block="' in html and "<fieldset" in html and "<legend>" in html
    assert 'type="radio"' in html and 'type="checkbox"' in html
    assert "action=" not in html.split('data-quiz-block="')[1].split(">")[0]
    assert "Not in itself." not in html  # feedback stays on the server
    assert "checked" not in html and "correct" not in html
    # H5P: a placeholder naming the package.
    assert "Interactive activity" in html and "Spot the signs" in html
    # Session, reflection, resource.
    assert "Maison des associations, Lille" in html and "Claire Dubois" in html
    assert "What would help a young person talk to you?" in html
    assert document.url in html
    # Every block carries its id for the learning app.
    for ref in required_blocks_for(lesson):
        assert f'data-block-id="{ref.id}"' in html
    # The text block is not required, and says nothing about it.
    assert len(required_blocks_for(lesson)) == len(lesson.body) - 1


@pytest.mark.django_db
def test_video_shows_the_player_when_the_embed_is_known(client):
    url = "https://www.youtube.com/watch?v=bridgeline1"
    from wagtail.embeds.embeds import get_embed_hash

    Embed.objects.create(
        hash=get_embed_hash(url),
        url=url,
        type="video",
        html='<iframe title="A first conversation" src="https://www.youtube-nocookie.com/embed/bridgeline1"></iframe>',
        provider_name="YouTube",
    )
    course = make_course(body=every_kind_body(package=make_package(), video_url=url))

    html = client.get(lessons_of(course)[0].url).content.decode()

    assert "youtube-nocookie.com/embed/bridgeline1" in html
    assert "<details" in html and "He asked what I thought." in html


@pytest.mark.django_db
def test_video_falls_back_to_a_link_when_the_provider_cannot_be_reached(client, monkeypatch):
    from wagtail.embeds import embeds
    from wagtail.embeds.exceptions import EmbedNotFoundException

    def offline(*args, **kwargs):
        raise EmbedNotFoundException("offline")

    monkeypatch.setattr(embeds, "get_finder_for_embed", offline)
    url = "https://www.youtube.com/watch?v=bridgeline1"
    course = make_course(body=every_kind_body(package=make_package(), video_url=url))

    response = client.get(lessons_of(course)[0].url)
    html = response.content.decode()

    assert response.status_code == 200
    assert f'<a href="{url}">' in html
    assert "<iframe" not in html
    assert "He asked what I thought." in html


# --- Queries stay flat ------------------------------------------------------------------


@pytest.mark.django_db
def test_course_outline_is_two_queries_for_any_size(django_assert_max_num_queries):
    small = make_course(modules=1, lessons=2, body=[("quiz", quiz_value())])
    large = make_course(home=small.get_parent().get_parent().specific, partner=small.partner, modules=4, lessons=5, body=[("quiz", quiz_value())])

    with django_assert_max_num_queries(2):
        small_outline = course_outline(course=small)
    with django_assert_max_num_queries(2):
        large_outline = course_outline(course=large)

    assert sum(len(m.lessons) for m in small_outline) == 2
    assert sum(len(m.lessons) for m in large_outline) == 20
    assert [m.title for m in large_outline] == ["Module 1", "Module 2", "Module 3", "Module 4"]
    assert all(len(lesson.required_blocks) == 1 for m in large_outline for lesson in m.lessons)
    assert large_outline[0].lessons[0].required_blocks[0].kind == "quiz"


@pytest.mark.django_db
def test_course_outline_leaves_out_drafts():
    course = make_course(modules=2, lessons=2)
    module = ModulePage.objects.child_of(course).first()
    module.unpublish()
    lesson = LessonPage.objects.descendant_of(course).last()
    lesson.unpublish()

    outline = course_outline(course=course)

    assert [m.title for m in outline] == ["Module 2"]
    assert [lesson.title for lesson in outline[0].lessons] == ["Lesson 2.1"]


@pytest.mark.django_db
def test_course_page_queries_do_not_grow_with_lessons(client):
    small = make_course(modules=1, lessons=2)
    large = make_course(home=small.get_parent().get_parent().specific, partner=small.partner, modules=4, lessons=5)

    assert count_queries(client, small.url) == count_queries(client, large.url)


@pytest.mark.django_db
def test_lesson_page_queries_do_not_grow_with_blocks(client):
    package, image, document = make_package(), make_image(), make_document()
    mix = every_kind_body(package=package, image=image, document=document)  # 7 blocks

    def lesson_with(blocks: int) -> LessonPage:
        body = [mix[n % len(mix)] for n in range(blocks)]
        course = make_course(home=home, partner=partner, modules=1, lessons=3, body=body)
        return lessons_of(course)[1]

    home, partner = make_home(), make_partner()
    ten, two_hundred = lesson_with(10), lesson_with(200)

    assert len(two_hundred.body) == 200
    assert count_queries(client, ten.url) == count_queries(client, two_hundred.url)
