"""What a package reports, learnt on upload (courses/h5p/scoring.py), checked
on the real hub packages and on the shapes they stand for."""

from __future__ import annotations

import io

import pytest

from courses.h5p.scoring import folder_scoring, manifest_scoring, package_scoring, scored_parts, scored_types
from courses.h5p.services import h5p_package_create
from courses.h5p.validation import validate_h5p
from tests.support.h5p_real import ALL, real_h5p

from .h5p_builder import build_h5p

# (reports a score of its own, number of scored parts) of each hub package,
# read off its content.json and libraries by hand.
EXPECTED = {
    "H5P.TrueFalse": (True, 0),
    "H5P.MultiChoice": (True, 0),
    "H5P.Blanks": (True, 0),
    "H5P.DragQuestion": (True, 0),
    "H5P.MarkTheWords": (True, 0),
    "H5P.QuestionSet": (True, 9),  # its questions, each sending `answered`
    "H5P.CoursePresentation": (False, 23),  # the quizzes on its slides
    "H5P.Dialogcards": (False, 0),  # nothing to score: completes on view
    "H5P.Accordion": (False, 0),
}


@pytest.mark.parametrize("name", ALL)
def test_each_hub_package_is_classified(name):
    scoring = manifest_scoring(validate_h5p(str(real_h5p(name))))

    assert (scoring.reports_score, len(scoring.scored_parts)) == EXPECTED[name]
    assert scoring.completes_on_view is (EXPECTED[name] == (False, 0))
    assert len(set(scoring.scored_parts)) == len(scoring.scored_parts)


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["H5P.QuestionSet", "H5P.CoursePresentation", "H5P.Dialogcards"])
def test_stored_packages_keep_their_scoring_and_the_folder_gives_the_same(name, h5p_root):
    """The migration reads packages stored before scoring existed from
    their folders: it must agree with what the upload records."""
    package = h5p_package_create(uploaded_file=str(real_h5p(name)))

    package.refresh_from_db()
    assert (package.reports_score, len(package.scored_parts)) == EXPECTED[name]
    from_folder = folder_scoring(package.content_dir, main_library=package.main_library)
    assert (from_folder.reports_score, from_folder.scored_parts) == (package.reports_score, package.scored_parts)


def test_a_folder_that_cannot_be_read_gives_no_scoring(tmp_path):
    assert folder_scoring(tmp_path / "missing", main_library="H5P.TrueFalse") is None


def test_only_the_outermost_scored_parts_count():
    """A Question Set on a slide is one part (its own `completed` carries its
    score), not its questions; unscored wrappers are looked through."""
    dependencies = {
        "H5P.CoursePresentation": {"H5P.JoubelUI"},
        "H5P.QuestionSet": {"H5P.JoubelUI"},
        "H5P.MultiChoice": {"H5P.Question"},
        "H5P.Column": set(),
        "H5P.AdvancedText": set(),
    }
    content = {
        "presentation": {
            "slides": [
                {"elements": [{"action": {"library": "H5P.AdvancedText 1.1", "subContentId": "text"}}]},
                {"elements": [{"action": {
                    "library": "H5P.QuestionSet 1.17", "subContentId": "set",
                    "params": {"questions": [{"library": "H5P.MultiChoice 1.14", "subContentId": "inner"}]},
                }}]},
                {"elements": [{"action": {
                    "library": "H5P.Column 1.13", "subContentId": "column",
                    "params": {"content": [{"content": {"library": "H5P.MultiChoice 1.14", "subContentId": "deep"}}]},
                }}]},
                {"elements": [{"action": {"library": "H5P.MultiChoice 1.14", "subContentId": "deep"}}]},  # once
                {"elements": [{"action": {"library": "H5P.MultiChoice 1.14"}}]},  # no id: cannot be told apart
            ]
        }
    }
    scoring = package_scoring(main_library="H5P.CoursePresentation", dependencies=dependencies, content=content)

    assert scoring.scored_parts == ["set", "deep"]
    assert not scoring.reports_score


def test_scored_types_follow_dependencies_without_recursion():
    """A long chain and a cycle (validation refuses both on upload; this
    must not depend on it) end, and anything reaching H5P.Question scores."""
    chain = {f"Lib{i}": {f"Lib{i + 1}"} for i in range(5000)}
    chain["Lib5000"] = {"H5P.Question"}
    chain["A"], chain["B"] = {"B"}, {"A"}

    scored = scored_types(chain)

    assert "Lib0" in scored and "Lib5000" in scored
    assert "A" not in scored and "B" not in scored


def test_deeply_nested_content_is_walked_without_recursion():
    content: dict = {"library": "H5P.TrueFalse 1.6", "subContentId": "leaf"}
    for _ in range(50_000):
        content = {"params": content}

    assert scored_parts(content, {"H5P.TrueFalse"}) == ["leaf"]


def test_a_type_unknown_here_that_calls_the_scoring_helpers_reports_a_score():
    """The project's own H5P.BridgelineCheck is built on nothing scored but
    calls triggerXAPIScored: it reports a score (a type that does not stays
    'complete on view', and an editor can change either in the admin)."""
    scoring = manifest_scoring(validate_h5p(io.BytesIO(build_h5p())))

    assert scoring.reports_score and not scoring.completes_on_view
