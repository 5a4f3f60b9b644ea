"""Real H5P content from the H5P content hub (issue #10), end to end in
Chromium: the nine packages in shared/h5p-real/ were made by the official H5P
libraries, not by this project, so they are what trainers will really upload.

Each one must import, play in the sandboxed player frame (content origin
http://localhost:PORT inside the lesson page on http://127.0.0.1:PORT) without
the player's Content Security Policy getting in its way, and size its frame to
its content. Answering a question type as a learner would (clicking, typing,
dragging in the real H5P UI) must complete a required block with a pass
threshold of 0.8 and move the course progress on the page without a reload;
a wrong answer must not.

The right answers come from each package's content/content.json (or, for the
Question Set, whose questions are the hub test set's near-empty ones, from the
defaults the libraries fill in): True/False `correct`, Multiple Choice
`answers[].correct`, the `*answer*` markup of Fill in the Blanks, the drop
zone's `correctElements` of Drag and Drop.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import expect

from courses.h5p import serving
from tests.support.h5p_real import ALL, real_h5p

pytestmark = pytest.mark.browser

ACTIVITY_TITLE = "Check your understanding"
FRAME = f'iframe[title="{ACTIVITY_TITLE}"]'
CHECK = ".h5p-question-check-answer"
PASS_THRESHOLD = "0.8"
COMPLETED = "http://adlnet.gov/expapi/verbs/completed"

# The element each content type renders its activity into (inside the
# frame's `.h5p-content`): seeing it proves the library's code ran, not
# just that h5p-standalone put up its container.
ROOTS = {
    "H5P.TrueFalse": ".h5p-true-false .h5p-true-false-answer",
    "H5P.MultiChoice": ".h5p-multichoice .h5p-answer",
    "H5P.Blanks": ".h5p-blanks input.h5p-text-input",
    "H5P.DragQuestion": ".h5p-dragquestion .h5p-draggable",
    "H5P.MarkTheWords": ".h5p-mark-the-words .h5p-word-selectable-words",
    "H5P.QuestionSet": ".questionset .question-container",
    "H5P.CoursePresentation": ".h5p-course-presentation .h5p-slide.h5p-current",
    "H5P.Dialogcards": ".h5p-dialogcards .h5p-dialogcards-cardwrap-set",
    "H5P.Accordion": ".h5p-accordion .h5p-panel-title",
}

# Blocked by the player's CSP on purpose: package code may load nothing from
# outside the content origin (Course Presentation's Twitter feed element asks
# for Twitter's script). Listed one by one, so that any other refusal fails.
BLOCKED_ON_PURPOSE = {
    "H5P.CoursePresentation": ("Loading the script 'https://platform.twitter.com/widgets.js'",),
}

# Installed before the lesson page's own scripts: what bridge.js announces
# (one `bridgeline:xapi` per forwarded statement, then `-saved` with the
# server's answer or `-failed`), kept for the test to read.
RECORDER = """
window.__bridgeline = {xapi: [], saved: [], failed: []};
document.addEventListener('bridgeline:xapi', (event) => window.__bridgeline.xapi.push(event.detail));
document.addEventListener('bridgeline:xapi-saved', (event) => window.__bridgeline.saved.push(event.detail));
document.addEventListener('bridgeline:xapi-failed', (event) => window.__bridgeline.failed.push(event.detail));
"""


@dataclass
class RealLesson:
    lesson: object
    block: object
    learner: object

    @property
    def activity_iri(self) -> str:
        return serving.activity_iri(lesson_key=str(self.lesson.translation_key), block_id=self.block.id)


@dataclass
class Player:
    """The lesson page open on one H5P block, and what it reported."""

    page: object
    frame: object  # FrameLocator of the player
    problems: list[str] = field(default_factory=list)

    def results(self) -> dict:
        return self.page.evaluate("window.__bridgeline")

    def wait_until_saved(self, *, top_level_verb: str | None = None) -> dict:
        """Every forwarded statement answered by the server, and at least one
        about the activity as a whole (with `top_level_verb` if given):
        waits for the round trips the click started, no fixed sleep."""
        self.page.wait_for_function(
            """([iri, verb]) => {
                const r = window.__bridgeline;
                const topLevel = r.xapi.some((d) => d.statement.object.id === iri &&
                    (!verb || d.statement.verb.id === verb));
                return topLevel && r.saved.length + r.failed.length === r.xapi.length;
            }""",
            arg=[self.page.evaluate("window.__activityIri"), top_level_verb],
        )
        results = self.results()
        assert results["failed"] == [], results["failed"]
        return results


@pytest.fixture
def real_lesson(asgi_live_server, settings):
    """Imports one real package (by name) into a published course with one
    lesson holding it as a required H5P block (pass threshold 0.8), with an
    enrolled learner. A factory, so that each test names its package."""
    from accounts.models import User
    from courses.h5p.services import h5p_package_create
    from learning.services import enrollment_create
    from tests.courses.test_pages import lessons_of, make_course

    settings.H5P_CONTENT_ROOT = str(Path(asgi_live_server.server.media_root) / "h5p")

    def make(name: str) -> RealLesson:
        package = h5p_package_create(uploaded_file=str(real_h5p(name)), title=name)
        assert package.main_library == name
        block = {"title": ACTIVITY_TITLE, "package": package, "pass_threshold": PASS_THRESHOLD, "required": True}
        course = make_course(body=[("h5p", block)])
        type(course).objects.filter(pk=course.pk).update(is_public=True)  # open to self-enrolment
        lesson = lessons_of(course)[0]
        learner = User.objects.create_user(email="learner@example.org", password="correct-horse-battery-9")
        enrollment_create(learner=learner, course_key=course.translation_key)
        return RealLesson(lesson=lesson, block=lesson.body[0], learner=learner)

    return make


def log_in(context, live, user) -> None:
    """A session for `user` in the database the server reads, its cookie in
    the browser (for the site's host only)."""
    from django.test import Client

    client = Client()
    client.force_login(user)
    cookie = client.cookies["sessionid"]
    context.add_cookies([{"name": "sessionid", "value": cookie.value, "url": live.url}])


def open_player(page, context, live, real: RealLesson, *, root: str) -> Player:
    """Logs the learner in, opens the lesson and waits until the content
    type has drawn `root` inside the player frame."""
    log_in(context, live, real.learner)
    player = Player(page=page, frame=page.frame_locator(FRAME))
    page.on("console", lambda m: player.problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: player.problems.append(f"pageerror: {e}"))
    page.add_init_script(RECORDER + f"window.__activityIri = {real.activity_iri!r};")
    page.goto(real.lesson.url)
    expect(player.frame.locator(root).first).to_be_visible(timeout=15_000)
    return player


def progress_percent(page) -> int:
    text = page.locator("[data-course-progress]").inner_text()
    match = re.fullmatch(r"Course progress: (\d+)%", text.strip())
    assert match, text
    return int(match.group(1))


def pageerrors(player: Player) -> list[str]:
    return [p for p in player.problems if p.startswith("pageerror:")]


def assert_completed(player: Player, real: RealLesson, *, percent_before: int, results: dict) -> None:
    """The block is complete on the server (evidence that counts, a
    BlockCompletion) and on the page, without a reload."""
    from learning.models import BlockCompletion, XAPIStatement

    answers = [saved.get("answer") or {} for saved in results["saved"]]
    assert any(answer.get("block_completed") is True for answer in answers), answers
    progress = answers[-1].get("progress") or {}
    assert progress.get("percent", -1) > percent_before, progress
    assert XAPIStatement.objects.filter(learner=real.learner, block_id=real.block.id, counts=True).exists()
    assert BlockCompletion.objects.filter(learner=real.learner, block_id=real.block.id).exists()

    page = player.page
    expect(page.locator(f"section#block-{real.block.id}")).to_have_attribute("data-done", "true")
    expect(page.locator("[data-course-progress]")).to_have_text(f"Course progress: {progress['percent']}%")
    assert progress_percent(page) > percent_before
    assert not pageerrors(player), player.problems


def assert_not_completed(player: Player, real: RealLesson, *, results: dict) -> None:
    """The wrong answer reached the server, was stored, and did not count."""
    from learning.models import BlockCompletion, XAPIStatement

    top_level = [d["statement"] for d in results["xapi"] if d["statement"]["object"]["id"] == real.activity_iri]
    assert top_level and all(s["result"]["score"]["raw"] < s["result"]["score"]["max"] for s in top_level), top_level
    assert [(saved.get("answer") or {}).get("block_completed") for saved in results["saved"]] == [False] * len(results["saved"])
    stored = XAPIStatement.objects.filter(learner=real.learner, block_id=real.block.id)
    assert stored.exists()
    assert not stored.filter(counts=True).exists()
    assert not BlockCompletion.objects.filter(learner=real.learner, block_id=real.block.id).exists()

    page = player.page
    expect(page.locator(f"section#block-{real.block.id}")).not_to_have_attribute("data-done", "true")
    expect(page.locator("[data-course-progress]")).to_have_text("Course progress: 0%")
    assert not pageerrors(player), player.problems


# --- Every package plays ----------------------------------------------------------


@pytest.mark.parametrize("name", ALL)
def test_a_real_package_imports_and_plays_in_its_frame(name, page, context, asgi_live_server, real_lesson):
    """Imports, renders inside the sandboxed frame with no script error and no
    CSP refusal (the policy must fit real libraries: eval'd EJS templates,
    inline styles, fonts...), and the frame grows to the height of its
    content instead of staying at its 12rem minimum with the activity cut
    off behind an inner scrollbar."""
    real = real_lesson(name)
    player = open_player(page, context, asgi_live_server, real, root=ROOTS[name])

    expect(player.frame.locator(".h5p-content")).to_be_visible()
    status = player.frame.locator("#h5p-player-status")
    expect(status).to_be_hidden()
    assert "could not be loaded" not in (status.text_content() or "")

    iframe = page.locator(FRAME)
    frame = iframe.element_handle().content_frame()
    min_height = iframe.evaluate("(el) => parseFloat(getComputedStyle(el).minHeight)")
    assert min_height > 100  # 12rem
    # Inside the frame: the activity is taller than the frame's minimum, and
    # the frame's viewport shows all of it (bridge.js set the height that
    # player.js reported). A frame left at its minimum fails both at once.
    # scrollHeight is a whole number of pixels; the content may end a
    # fraction of one below it.
    frame.wait_for_function(
        """(minHeight) => {
            const content = document.querySelector('.h5p-content').getBoundingClientRect();
            return content.bottom > minHeight &&
                window.innerHeight >= document.documentElement.scrollHeight &&
                window.innerHeight + 1 > content.bottom;
        }""",
        arg=min_height,
    )
    inner_height = frame.evaluate("() => window.innerHeight")
    assert iframe.evaluate("(el) => el.style.height") == f"{inner_height}px"
    # ...and no more than that: the frame hugs its content.
    content_bottom = frame.evaluate("() => document.querySelector('.h5p-content').getBoundingClientRect().bottom")
    assert inner_height <= content_bottom + 40, (inner_height, content_bottom)

    page.wait_for_load_state("networkidle")
    allowed = BLOCKED_ON_PURPOSE.get(name, ())
    refused = [
        p for p in player.problems
        if ("Content Security Policy" in p or "Refused to" in p) and not any(p.startswith(a) for a in allowed)
    ]
    assert refused == [], refused
    assert not pageerrors(player), player.problems
    expect(status).to_be_hidden()


# --- Answering right completes the block -------------------------------------------


def test_true_false_answered_right_completes_the_block(page, context, asgi_live_server, real_lesson):
    """content.json: correct "true"; the package labels True "Yes"."""
    real = real_lesson("H5P.TrueFalse")
    player = open_player(page, context, asgi_live_server, real, root=ROOTS["H5P.TrueFalse"])
    before = progress_percent(page)

    player.frame.get_by_role("radio", name="Yes").click()
    player.frame.locator(CHECK).click()

    assert_completed(player, real, percent_before=before, results=player.wait_until_saved())


def test_multiple_choice_answered_right_completes_the_block(page, context, asgi_live_server, real_lesson):
    """content.json: of three answers (shown in random order) only "Very dark
    purple" is correct. Multiple Choice 1.14 compiles EJS templates with
    eval: this fails if the player's CSP forbids it."""
    real = real_lesson("H5P.MultiChoice")
    player = open_player(page, context, asgi_live_server, real, root=ROOTS["H5P.MultiChoice"])
    before = progress_percent(page)

    player.frame.locator(".h5p-answer", has_text="Very dark purple").click()
    player.frame.locator(CHECK).click()

    assert_completed(player, real, percent_before=before, results=player.wait_until_saved())


def test_fill_in_the_blanks_answered_right_completes_the_block(page, context, asgi_live_server, real_lesson):
    """content.json marks *blue*, *Cloud* and *black*; the package checks
    automatically (autoCheck) once every blank is filled, no Check button."""
    real = real_lesson("H5P.Blanks")
    player = open_player(page, context, asgi_live_server, real, root=ROOTS["H5P.Blanks"])
    before = progress_percent(page)

    fill_blanks(player, ["blue", "Cloud", "black"])

    assert_completed(player, real, percent_before=before, results=player.wait_until_saved())


def test_drag_and_drop_answered_right_completes_the_block(page, context, asgi_live_server, real_lesson):
    """content.json: one drop zone ("Fragaria") whose correct element is the
    draggable "Fragaria" (jQuery UI draggable, dragged with the mouse)."""
    real = real_lesson("H5P.DragQuestion")
    player = open_player(page, context, asgi_live_server, real, root=ROOTS["H5P.DragQuestion"])
    before = progress_percent(page)

    frame = player.frame
    frame.locator(".h5p-draggable", has_text="Fragaria").drag_to(frame.locator(".h5p-dropzone").first)
    frame.locator(CHECK).click()

    results = player.wait_until_saved()
    (statement,) = [d["statement"] for d in results["xapi"]]
    assert statement["result"]["score"]["raw"] == statement["result"]["score"]["max"] == 1
    assert_completed(player, real, percent_before=before, results=results)


def test_question_set_answered_right_completes_the_block(page, context, asgi_live_server, real_lesson):
    """The hub's Question Set holds nine near-empty questions, answered from
    the defaults their libraries fill in: Multiple Choice without a correct
    answer (ticking nothing is right), Drag and Drop without draggables,
    Fill in the Blanks "Oslo is the capital of *Norway*.", Mark the Words
    "This is a *nice*, *flexible* content type.", Drag the Words (five
    words into five gaps, in order), True/False (true). Each question's
    `answered` travels as sub-content; Finish sends the set's `completed`
    with the total."""
    real = real_lesson("H5P.QuestionSet")
    player = open_player(page, context, asgi_live_server, real, root=ROOTS["H5P.QuestionSet"])
    before = progress_percent(page)
    current = player.frame.locator(".questionset .question-container:visible")

    def blanks():
        current.locator("input.h5p-text-input").fill("Norway")

    def mark_the_words():
        for word in ("nice", "flexible"):
            current.get_by_role("option", name=word, exact=True).click()

    def drag_the_words():
        gaps = current.locator(".h5p-drag-dropzone-container .ui-droppable")
        for n, word in enumerate(("nice", "flexible", "wonderful", "exciting", "fantastic")):
            current.locator(".h5p-drag-draggables-container .ui-draggable", has_text=word).drag_to(gaps.nth(n))

    def true():
        current.locator(".h5p-true-false-answer", has_text="True").click()

    def nothing():
        pass

    questions = [nothing, nothing, blanks, mark_the_words, drag_the_words, true, nothing, blanks, true]
    for n, answer in enumerate(questions):
        answer()
        current.locator(CHECK).click()
        expect(current.locator(CHECK)).to_be_hidden()
        current.locator(".h5p-question-finish" if n == len(questions) - 1 else ".h5p-question-next").click()

    results = player.wait_until_saved(top_level_verb=COMPLETED)
    statements = [d["statement"] for d in results["xapi"]]
    parts = [s for s in statements if s["object"]["id"].startswith(real.activity_iri + "?subContentId=")]
    assert len(parts) == len(questions)
    assert all(s["result"]["score"]["raw"] == s["result"]["score"]["max"] for s in parts), [s["result"] for s in parts]
    (whole,) = [s for s in statements if s["object"]["id"] == real.activity_iri]
    assert whole["result"]["score"]["raw"] == whole["result"]["score"]["max"] > 0
    assert_completed(player, real, percent_before=before, results=results)
    # The set reports its own result after Finish: its questions alone never
    # completed the block (docs/h5p.md).
    from learning.models import XAPIStatement

    stored = XAPIStatement.objects.filter(learner=real.learner, block_id=real.block.id)
    assert stored.exclude(sub_content_id="").count() == len(questions)
    assert list(stored.filter(counts=True).values_list("sub_content_id", flat=True)) == [""]


# --- Answering wrong does not ------------------------------------------------------


def test_true_false_answered_wrong_does_not_complete_the_block_until_retried_right(
    page, context, asgi_live_server, real_lesson
):
    """0 of 1 stays below the threshold; the package's Retry then lets the
    learner answer again, and that answer completes the block (so the first
    half cannot pass merely because nothing ever completes)."""
    real = real_lesson("H5P.TrueFalse")
    player = open_player(page, context, asgi_live_server, real, root=ROOTS["H5P.TrueFalse"])
    before = progress_percent(page)

    player.frame.get_by_role("radio", name="No").click()
    player.frame.locator(CHECK).click()
    assert_not_completed(player, real, results=player.wait_until_saved())

    player.frame.locator(".h5p-question-try-again").click()
    player.frame.get_by_role("radio", name="Yes").click()
    player.frame.locator(CHECK).click()
    page.wait_for_function("() => window.__bridgeline.saved.length >= 2")  # a function: the CSP forbids eval of a string
    assert_completed(player, real, percent_before=before, results=player.wait_until_saved())


def test_multiple_choice_answered_wrong_does_not_complete_the_block(page, context, asgi_live_server, real_lesson):
    real = real_lesson("H5P.MultiChoice")
    player = open_player(page, context, asgi_live_server, real, root=ROOTS["H5P.MultiChoice"])

    player.frame.locator(".h5p-answer", has_text="Blue").click()
    player.frame.locator(CHECK).click()

    assert_not_completed(player, real, results=player.wait_until_saved())


def test_fill_in_the_blanks_two_of_three_does_not_complete_the_block(page, context, asgi_live_server, real_lesson):
    """2 of 3 blanks right is 0.67: a score below the threshold, not zero."""
    real = real_lesson("H5P.Blanks")
    player = open_player(page, context, asgi_live_server, real, root=ROOTS["H5P.Blanks"])

    fill_blanks(player, ["blue", "Cloud", "white"])

    results = player.wait_until_saved()
    (statement,) = [d["statement"] for d in results["xapi"]]
    assert (statement["result"]["score"]["raw"], statement["result"]["score"]["max"]) == (2, 3)
    assert_not_completed(player, real, results=results)


def fill_blanks(player: Player, words: list[str]) -> None:
    """Types each word into its blank and leaves the last one, as a learner
    tabbing through; leaving it is what makes the package check."""
    inputs = player.frame.locator("input.h5p-text-input")
    expect(inputs).to_have_count(len(words))
    for n, word in enumerate(words):
        inputs.nth(n).fill(word)
    inputs.nth(len(words) - 1).press("Tab")

