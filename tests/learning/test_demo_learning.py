"""demo.learning.seed_learning: three levels of progress, through the
services, and nothing created twice on a second run."""

from __future__ import annotations

import pytest

from demo.cms import seed_cms
from demo.courses import seed_courses
from demo.learning import seed_learning
from demo.people import demo_email, seed_people
from learning.models import Enrollment, LessonVisit, QuizAttempt, Reflection, XAPIStatement
from learning.selectors import course_progress_for

pytestmark = pytest.mark.django_db


def _counts():
    return {m.__name__: m.objects.count() for m in (Enrollment, LessonVisit, QuizAttempt, Reflection, XAPIStatement)}


@pytest.fixture(autouse=True)
def _h5p_root(settings, tmp_path):
    settings.H5P_CONTENT_ROOT = str(tmp_path / "h5p")


def test_seed_learning_is_idempotent_and_varied():
    partners = seed_people()
    seed_cms(partners=partners)
    seed_courses(partners=partners)

    course = seed_learning(partners=partners)
    first = _counts()
    seed_learning(partners=partners)

    assert _counts() == first
    assert first["Enrollment"] == 3 * len(partners)
    from accounts.models import User

    percents = [
        course_progress_for(learner=User.objects.get(email=demo_email(local, "BE")), course=course).percent
        for local in ("learner1", "learner2", "learner3")
    ]
    assert percents[0] > percents[1] > percents[2] > 0
    # learner1 did the three H5P activities; learner2 the two of module one
    # (True/False and the check); learner3 none.
    assert XAPIStatement.objects.filter(counts=True).count() == (3 + 2) * len(partners)
    assert XAPIStatement.objects.count() == (3 + 2) * len(partners)


def test_seeded_h5p_results_look_like_what_the_content_types_send():
    """Each statement is about the block's activity IRI (the id the player
    gives it); True/False and Multiple Choice send a top-level `answered`
    with the question, the response and a full score, the project's check
    `completed` with 1/1."""
    from courses.h5p.serving import activity_iri

    partners = seed_people()
    seed_cms(partners=partners)
    seed_courses(partners=partners)
    seed_learning(partners=partners)
    from accounts.models import User

    learner = User.objects.get(email=demo_email("learner1", "BE"))
    statements = {s.package.main_library: s for s in XAPIStatement.objects.filter(learner=learner).select_related("package")}

    assert set(statements) == {"H5P.TrueFalse", "H5P.MultiChoice", "H5P.BridgelineCheck"}
    for stored in statements.values():
        assert stored.raw["object"]["id"] == activity_iri(lesson_key=str(stored.lesson_key), block_id=stored.block_id)
        assert stored.counts and stored.success is True and stored.completion is True
        assert stored.score_raw == stored.score_max
    true_false, multiple_choice = statements["H5P.TrueFalse"], statements["H5P.MultiChoice"]
    check = statements["H5P.BridgelineCheck"]
    assert true_false.verb == multiple_choice.verb == "http://adlnet.gov/expapi/verbs/answered"
    assert check.verb == "http://adlnet.gov/expapi/verbs/completed"
    assert (true_false.score_max, multiple_choice.score_max, check.score_max) == (1, 3, 1)
    definition = true_false.raw["object"]["definition"]
    assert definition["interactionType"] == "true-false" and definition["correctResponsesPattern"] == ["false"]
    assert definition["description"]["en-US"] == "Strong religious practice is in itself a sign of radicalisation."
    assert true_false.raw["result"]["response"] == "false"
    definition = multiple_choice.raw["object"]["definition"]
    assert definition["interactionType"] == "choice" and len(definition["choices"]) == 5
    assert definition["correctResponsesPattern"] == ["0[,]1[,]2"] == [multiple_choice.raw["result"]["response"]]
    assert true_false.raw["context"]["contextActivities"]["category"] == [
        {"id": "http://h5p.org/libraries/H5P.TrueFalse-1.6", "objectType": "Activity"}
    ]
