"""The demo course: seeded once whatever the number of runs, and readable in
English, French and Dutch with the same block ids in every language."""

from __future__ import annotations

from decimal import Decimal

import pytest
from wagtail.documents import get_document_model
from wagtail.embeds.models import Embed
from wagtail.models import Page

from courses.models import CourseIndexPage, CoursePage, H5PPackage, LessonPage, ModulePage
from courses.selectors import course_outline
from demo.courses import HomeNotTranslated, seed_courses
from tests.courses.test_blocks import _ids
from tests.courses.test_pages import locale, make_home, make_partner, make_trainer, unlabelled_controls

pytestmark = pytest.mark.django_db


@pytest.fixture
def partners(settings, tmp_path):
    settings.H5P_CONTENT_ROOT = str(tmp_path / "h5p")
    home = make_home()
    for code in ("fr", "nl"):
        home.copy_for_translation(locale(code)).save_revision().publish()
    belgian = make_partner("BE")
    make_trainer(belgian, name="Lotte Janssens")
    return [make_partner("GB"), belgian]


def _counts() -> dict[str, int]:
    return {
        "pages": Page.objects.count(),
        "courses": CoursePage.objects.count(),
        "modules": ModulePage.objects.count(),
        "lessons": LessonPage.objects.count(),
        "packages": H5PPackage.objects.count(),
        "documents": get_document_model().objects.count(),
        "embeds": Embed.objects.count(),
    }


def test_seeding_twice_creates_nothing_twice(partners):
    course = seed_courses(partners=partners)
    first = _counts()
    again = seed_courses(partners=partners)

    assert again.pk == course.pk
    assert _counts() == first
    assert first["courses"] == 3  # en, fr, nl
    assert first["modules"] == 9 and first["lessons"] == 18
    assert first["packages"] == 3  # True/False, Multiple Choice, the project's own check
    assert course.partner.country == "BE"
    assert course.trainers.get().user.full_name == "Lotte Janssens"


def test_the_course_has_every_activity_the_demo_promises(partners):
    course = seed_courses(partners=partners)
    outline = course_outline(course=course)
    kinds = [ref.kind for module in outline for lesson in module.lessons for ref in lesson.required_blocks]

    assert len(outline) == 3 and all(len(module.lessons) == 2 for module in outline)
    for kind in ("video", "h5p", "quiz", "reflection", "session"):
        assert kind in kinds
    quiz = next(
        child for lesson in LessonPage.objects.filter(locale__language_code="en") for child in lesson.body
        if child.block_type == "quiz"
    )
    assert len(quiz.value["questions"]) == 3


def _h5p_blocks(language: str = "en") -> dict[str, dict]:
    """Lesson slug → the value of its H5P block, in course order."""
    return {
        lesson.slug: child.value
        for lesson in LessonPage.objects.filter(locale__language_code=language).order_by("path")
        for child in lesson.body
        if child.block_type == "h5p"
    }


def test_the_h5p_activities_include_real_content_types(partners):
    """Two real H5P content types (the official True/False and Multiple
    Choice libraries, with our content) beside the project's own check, all
    required, each stored as a validated package with its files."""
    seed_courses(partners=partners)
    blocks = _h5p_blocks()

    assert {slug: value["package"].main_library for slug, value in blocks.items()} == {
        "what-radicalisation-is": "H5P.TrueFalse",
        "early-signs-and-protective-factors": "H5P.BridgelineCheck",
        "when-and-how-to-refer": "H5P.MultiChoice",
    }
    assert {value["package"].main_library_version for value in blocks.values()} == {"1.6", "1.1", "1.14"}
    assert all(value["required"] for value in blocks.values())
    assert blocks["what-radicalisation-is"]["pass_threshold"] == Decimal("1")
    assert blocks["when-and-how-to-refer"]["pass_threshold"] == Decimal("0.8")
    for value in blocks.values():
        package = value["package"]
        assert package.language == "en"
        main = f"{package.main_library}-{package.main_library_version}"
        assert package.file_path("h5p.json").is_file()
        assert package.file_path("content/content.json").is_file()
        assert package.file_path(f"{main}/library.json").is_file()
        assert not any(path.name.startswith("H5PEditor.") for path in package.content_dir.iterdir())
    # The same packages in every language: the blocks are the English ones.
    for language in ("fr", "nl"):
        translated = _h5p_blocks(language)
        assert len(translated) == 3
        assert {v["package"].pk for v in translated.values()} == {v["package"].pk for v in blocks.values()}


def test_the_new_activity_titles_are_translated(client, partners):
    seed_courses(partners=partners)
    titles = {
        ("en", "what-radicalisation-is"): "True or false? Religious practice and radicalisation",
        ("fr", "ce-qu-est-la-radicalisation"): "Vrai ou faux ? Pratique religieuse et radicalisation",
        ("nl", "wat-radicalisering-is"): "Waar of niet waar? Geloofsbeleving en radicalisering",
        ("en", "when-and-how-to-refer"): "After a referral, what do you do next?",
        ("fr", "quand-et-comment-passer-le-relais"): "Après avoir passé le relais, que faites-vous ensuite ?",
        ("nl", "wanneer-en-hoe-doorverwijzen"): "Wat doet u na een doorverwijzing?",
    }
    for (language, slug), title in titles.items():
        lesson = LessonPage.objects.get(locale__language_code=language, slug=slug)
        assert f"<h2>{title}</h2>" in client.get(lesson.url).content.decode(), (language, slug)


@pytest.mark.parametrize(
    ("language", "course_text", "lesson_text"),
    [
        ("en", "a train-the-trainer course", "Which of these is, on its own, a sign of radicalisation?"),
        ("fr", "une formation de formateurs", "Lequel de ces éléments est, à lui seul, un signe de radicalisation ?"),
        ("nl", "een train-de-trainer-opleiding", "Welke van deze elementen is op zichzelf een teken van radicalisering?"),
    ],
)
def test_the_course_renders_in_each_language(client, partners, language, course_text, lesson_text):
    english = seed_courses(partners=partners)
    course = english.get_translation(locale(language))
    lesson = LessonPage.objects.get(
        translation_key=LessonPage.objects.get(locale__language_code="en", slug="early-signs-and-protective-factors").translation_key,
        locale=locale(language),
    )
    index = CourseIndexPage.objects.get(locale=locale(language))

    for page in (index, course, lesson):
        assert page.live
        assert page.url.startswith(f"/{language}/")
    # The main menu of every page leads to the course index in that language.
    assert f'href="{index.url}"' in client.get(course.url).content.decode().split("</nav>")[0]
    course_html = client.get(course.url).content.decode()
    lesson_html = client.get(lesson.url).content.decode()

    assert course_text in course_html
    assert lesson_text in lesson_html
    assert "Interactive activity" in lesson_html or language != "en"
    assert unlabelled_controls(lesson_html) == []
    if language != "en":
        assert "Which of these is, on its own" not in lesson_html  # no English left behind
        assert _ids(lesson) == _ids(LessonPage.objects.get(translation_key=lesson.translation_key, locale__language_code="en"))


def test_video_lesson_renders_offline_with_a_link_and_transcript(client, partners):
    seed_courses(partners=partners)
    lesson = LessonPage.objects.get(locale__language_code="fr", slug="ce-qu-est-la-radicalisation")

    html = client.get(lesson.url).content.decode()

    assert 'href="https://www.youtube.com/watch?v=bridgeline1"' in html
    assert "<details" in html and "Quand Samir m’a montré" in html


def test_refuses_to_run_before_the_site_is_translated():
    make_home()
    with pytest.raises(HomeNotTranslated):
        seed_courses(partners=[make_partner("BE")])
