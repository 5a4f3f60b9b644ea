"""Lesson blocks: previews render, quiz questions are validated, and block
ids (the learning app's evidence keys) survive translation."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from wagtail_localize.models import TranslationSource

from courses.blocks import LessonStreamBlock, QuestionBlock, QuizBlock
from courses.models import LessonPage
from courses.selectors import lesson_block, required_blocks_for
from tests.courses.test_pages import every_kind_body, lessons_of, locale, make_course, make_package, quiz_value

KINDS = ["text", "image", "video", "resource", "h5p", "quiz", "reflection", "session"]


def test_lesson_kinds_are_the_documented_ones():
    assert list(LessonStreamBlock.base_blocks) == KINDS


@pytest.mark.parametrize("kind", KINDS)
def test_every_block_has_icon_template_preview_and_required_default(kind):
    block = LessonStreamBlock().child_blocks[kind]
    assert block.meta.icon
    assert block.meta.template.startswith("courses/blocks/")
    assert block.get_preview_value()
    assert block.child_blocks["required"].get_default() is True


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["text", "video", "resource", "h5p", "quiz", "reflection", "session"])
def test_previews_render(kind, monkeypatch):
    from wagtail.embeds import embeds
    from wagtail.embeds.exceptions import EmbedNotFoundException

    def offline(*args, **kwargs):
        raise EmbedNotFoundException("offline")

    monkeypatch.setattr(embeds, "get_finder_for_embed", offline)
    block = LessonStreamBlock().child_blocks[kind]
    html = block.render(block.normalize(block.get_preview_value()), context={"block_id": "preview"})
    assert "<h1" not in html
    if kind not in {"resource"}:  # a resource without a document renders nothing
        assert html.strip()


def _question(*, kind="single", answers):
    return {"kind": kind, "prompt": "Which is an early sign?", "answers": answers}


def _clean(value):
    block = QuestionBlock()
    return block.clean(block.normalize(value))


def _answers_error(error: ValidationError) -> str:
    return " ".join(error.block_errors["answers"].non_block_errors.as_data()[0].messages)


def test_question_without_answers_is_refused():
    with pytest.raises(ValidationError) as error:
        _clean(_question(answers=[]))
    assert "at least one answer" in _answers_error(error.value)


def test_question_without_a_correct_answer_is_refused():
    with pytest.raises(ValidationError) as error:
        _clean(_question(answers=[{"text": "A", "correct": False, "feedback": ""}, {"text": "B", "correct": False, "feedback": ""}]))
    assert "as correct" in _answers_error(error.value)


def test_single_choice_with_two_correct_answers_is_refused():
    with pytest.raises(ValidationError) as error:
        _clean(_question(answers=[{"text": "A", "correct": True, "feedback": ""}, {"text": "B", "correct": True, "feedback": ""}]))
    assert "only one correct answer" in _answers_error(error.value)


def test_multiple_choice_may_have_several_correct_answers():
    value = _clean(
        _question(kind="multiple", answers=[{"text": "A", "correct": True, "feedback": ""}, {"text": "B", "correct": True, "feedback": ""}])
    )
    assert len(value["answers"]) == 2


def test_quiz_reports_a_bad_question_at_its_position():
    block = QuizBlock()
    value = quiz_value(questions=2)
    for answer in value["questions"][1]["answers"]:
        answer["correct"] = False
    with pytest.raises(ValidationError) as error:
        block.clean(block.normalize(value))
    assert "questions" in error.value.block_errors
    assert list(error.value.block_errors["questions"].block_errors) == [1]


def test_quiz_pass_mark_is_a_percentage():
    block = QuizBlock()
    value = quiz_value()
    value["pass_mark_percent"] = 120
    with pytest.raises(ValidationError):
        block.clean(block.normalize(value))


# --- Identity through translation ------------------------------------------------------


def _ids(lesson: LessonPage) -> list:
    """Block ids, with the quiz's question and answer item ids."""
    ids = []
    for child in lesson.body:
        ids.append((child.block_type, child.id))
        if child.block_type == "quiz":
            for question in child.value["questions"].bound_blocks:
                ids.append(("question", question.id))
                ids.extend(("answer", answer.id) for answer in question.value["answers"].bound_blocks)
    return ids


@pytest.mark.django_db
def test_block_ids_survive_copy_for_translation():
    course = make_course(body=every_kind_body(package=make_package()))
    lesson = lessons_of(course)[0]

    french = lesson.copy_for_translation(locale("fr"), copy_parents=True)

    french = LessonPage.objects.get(pk=french.pk)
    assert french.translation_key == lesson.translation_key
    assert _ids(french) == _ids(lesson)
    assert len({block_id for _kind, block_id in _ids(lesson)}) == len(_ids(lesson))
    assert required_blocks_for(french) == required_blocks_for(lesson)


@pytest.mark.django_db
def test_block_ids_survive_wagtail_localize_translation():
    """The admin's "Translate" (wagtail-localize) rebuilds the target's
    stream from the source's, with translated strings in place: ids stay."""
    course = make_course(body=every_kind_body(package=make_package()))
    lesson = lessons_of(course)[0]
    dutch = locale("nl")

    source, _created = TranslationSource.get_or_create_from_instance(lesson)
    translated, _created = source.create_or_update_translation(dutch, copy_parent_pages=True, fallback=True)

    translated = LessonPage.objects.get(pk=translated.pk)
    assert translated.locale == dutch
    assert _ids(translated) == _ids(lesson)


@pytest.mark.django_db
def test_required_blocks_and_lesson_block_lookup():
    course = make_course(body=every_kind_body(package=make_package()))
    lesson = lessons_of(course)[0]

    refs = required_blocks_for(lesson)

    assert [ref.kind for ref in refs] == ["h5p", "quiz", "reflection", "session"]  # the text block is optional
    quiz = lesson_block(lesson=lesson, block_id=refs[1].id)
    assert quiz.block_type == "quiz" and quiz.value["pass_mark_percent"] == 70
    assert lesson_block(lesson=lesson, block_id="no-such-block") is None


# Instantiating a page may look up the default Locale (Wagtail caches it
# only once some earlier test has), so this needs the database.
@pytest.mark.django_db
def test_a_block_stored_without_required_counts_as_required():
    lesson = LessonPage(title="Old", body=[])
    lesson.body = LessonStreamBlock().to_python(
        [{"type": "reflection", "id": "0e9f8d2c-0000-4000-8000-000000000001", "value": {"prompt": "Why?"}}]
    )
    assert [ref.id for ref in required_blocks_for(lesson)] == ["0e9f8d2c-0000-4000-8000-000000000001"]
