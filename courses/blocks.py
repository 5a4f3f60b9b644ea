"""The blocks a lesson is made of.

Every block of `LessonStreamBlock` is a StructBlock with a `required` child:
ticked (the default), the block must be completed before the lesson counts as
done. What "completed" means depends on the block's kind (the StreamField
block name, a stable string the learning app switches on):

| kind         | completed when (recorded by `learning`)               |
|--------------|--------------------------------------------------------|
| `text`       | the lesson was viewed (LessonCompletion)              |
| `image`      | the lesson was viewed                                  |
| `video`      | the lesson was viewed                                  |
| `resource`   | the lesson was viewed                                  |
| `h5p`        | a scored xAPI statement reached `pass_threshold`      |
| `quiz`       | an attempt reached `pass_mark_percent`                |
| `reflection` | the learner saved an answer (private to the learner)  |
| `session`    | attendance was registered for the face-to-face session |

Identity: evidence is keyed on (course translation_key, lesson
translation_key, block id). StreamField block ids are UUIDs stored in the
page's JSON; `Page.copy_for_translation` copies that JSON as it is and
wagtail-localize writes translated strings back into a copy of the source's
stream, so a block keeps its id in every language (tests/courses/
test_blocks.py proves both paths). Quiz questions and answers are ListBlock
items, which carry ids of their own and keep them the same way; attempts
should store those ids, never list positions. Renaming a block kind or a
child name is a data migration for the learning app's evidence too.

Simple content (rich text, images, document links, embeds) reuses the public
site's blocks from `cms.blocks`, so alt-text rules and rich-text features are
the same everywhere; `cms.blocks` imports nothing but Wagtail.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.forms.utils import ErrorList
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.blocks.list_block import ListBlockValidationError
from wagtail.embeds import embeds
from wagtail.embeds.exceptions import EmbedException
from wagtail.snippets.blocks import SnippetChooserBlock

from cms.blocks import DocumentLinkBlock, ImageBlock, ParagraphBlock, VideoEmbedBlock


def _required_block(**kwargs) -> blocks.BooleanBlock:
    return blocks.BooleanBlock(
        label=_("Required for completion"),
        required=False,
        default=True,
        help_text=_("Learners must complete this block before the lesson counts as done."),
        **kwargs,
    )


class TextBlock(blocks.StructBlock):
    """Running text. Completed by viewing the lesson."""

    text = ParagraphBlock(
        label=_("Text"),
        # h2/h3 inside lessons: the lesson title is the page's only h1.
        features=["h2", "h3", "bold", "italic", "link", "document-link", "ol", "ul"],
    )
    required = _required_block()

    class Meta:
        icon = "pilcrow"
        label = _("Text")
        template = "courses/blocks/text_block.html"
        preview_value = {
            "text": "<p>Radicalisation is a process, not an event: most young people who explore extreme "
            "ideas never act on them.</p>",
            "required": True,
        }
        description = _("Formatted text with headings, lists and links.")


class LessonImageBlock(ImageBlock):
    """An image with alt text or an explicit 'decorative' mark (rules from cms.blocks.ImageBlock)."""

    required = _required_block()

    class Meta:
        icon = "image"
        label = _("Image")
        template = "courses/blocks/image_block.html"
        preview_value = {"alt_text": "", "decorative": False, "caption": "A trainer leading a group discussion"}
        description = _("An image with alternative text and an optional caption.")


class VideoBlock(VideoEmbedBlock):
    """An embedded video with its transcript.

    The transcript is required: learners who cannot hear or watch the video
    must get the same content, and it is what gets translated. It is shown in
    a <details> element under the player. The player itself is fetched from
    the provider (oEmbed) when the page renders and cached in wagtail's Embed
    table; when the provider cannot be reached the template shows a plain link
    instead. (Wagtail's own EmbedValue.html swallows the failure but still
    returns an empty wrapper <div>, and a failed fetch is not cached, so the
    block asks for the embed itself and tells the template whether there is a
    player to show.)
    """

    transcript = blocks.RichTextBlock(
        label=_("Transcript"), features=["bold", "italic", "ol", "ul", "h3"]
    )
    required = _required_block()

    class Meta:
        icon = "media"
        label = _("Video with transcript")
        template = "courses/blocks/video_block.html"
        preview_value = {
            "title": "A youth worker describes a first conversation",
            "transcript": "<p>When he first mentioned the videos, I asked what he found convincing in them.</p>",
            "required": True,
        }
        description = _("A YouTube or Vimeo video and its transcript.")

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context=parent_context)
        context["player"] = _player_html(value.get("embed"))
        return context


def _player_html(embed_value) -> str:
    """The provider's player HTML, or "" when there is none to show."""
    if not embed_value or not getattr(embed_value, "url", ""):
        return ""
    try:
        embed = embeds.get_embed(embed_value.url, embed_value.max_width, embed_value.max_height)
    except EmbedException:
        return ""
    if not (embed.html or "").strip():
        return ""
    return render_to_string("wagtailembeds/embed_frontend.html", {"embed": embed})


class ResourceBlock(DocumentLinkBlock):
    """A downloadable document from the resource library."""

    description = blocks.TextBlock(label=_("Description"), required=False)
    required = _required_block()

    class Meta:
        icon = "doc-full"
        label = _("Downloadable resource")
        template = "courses/blocks/resource_block.html"
        preview_value = {
            "label": "Conversation guide (PDF)",
            "description": "Questions to open a conversation without closing it.",
            "required": True,
        }
        description = _("A document learners can download.")


class H5PActivityBlock(blocks.StructBlock):
    """An interactive H5P activity, passed when the server-checked score
    (score/max from the xAPI statement) reaches `pass_threshold` (0..1)."""

    title = blocks.CharBlock(label=_("Title"), max_length=200)
    package = SnippetChooserBlock("courses.H5PPackage", label=_("H5P package"))
    pass_threshold = blocks.DecimalBlock(
        label=_("Pass threshold"),
        min_value=Decimal("0"),
        max_value=Decimal("1"),
        max_digits=3,
        decimal_places=2,
        default=Decimal("0.8"),
        help_text=_(
            "Share of the maximum score needed to pass, from 0 to 1 (0.8 = 80%). Question types pass on their "
            "own score, containers without a score of their own (e.g. Course Presentation) on the share of "
            "their questions, and types with nothing to score (Dialog Cards, Accordion) when the lesson is opened."
        ),
    )
    required = _required_block()

    class Meta:
        icon = "code"
        label = _("H5P activity")
        template = "courses/blocks/h5p_block.html"
        preview_value = {"title": "Check your understanding", "pass_threshold": Decimal("0.8"), "required": True}
        description = _("An interactive activity from an uploaded H5P package.")


class AnswerBlock(blocks.StructBlock):
    text = blocks.CharBlock(label=_("Answer"), max_length=300)
    correct = blocks.BooleanBlock(label=_("Correct"), required=False, default=False)
    feedback = blocks.TextBlock(
        label=_("Feedback"), required=False, help_text=_("Shown after an attempt when this answer was chosen.")
    )

    class Meta:
        icon = "tick"
        label = _("Answer")


class QuestionKind:
    SINGLE = "single"
    MULTIPLE = "multiple"
    CHOICES = [(SINGLE, _("One correct answer")), (MULTIPLE, _("One or more correct answers"))]


class QuestionBlock(blocks.StructBlock):
    kind = blocks.ChoiceBlock(label=_("Type"), choices=QuestionKind.CHOICES, default=QuestionKind.SINGLE)
    prompt = blocks.TextBlock(label=_("Question"))
    answers = blocks.ListBlock(AnswerBlock(), label=_("Answers"), min_num=0)

    def clean(self, value):
        value = super().clean(value)
        answers = list(value.get("answers") or [])
        correct = sum(1 for answer in answers if answer.get("correct"))
        if not answers:
            message = _("Add at least one answer.")
        elif correct == 0:
            message = _("Mark at least one answer as correct.")
        elif value.get("kind") == QuestionKind.SINGLE and correct > 1:
            message = _("A one-answer question can have only one correct answer; choose 'one or more' instead.")
        else:
            return value
        # On the answers list, so the admin shows the message where it is fixed.
        raise blocks.StructBlockValidationError(
            block_errors={"answers": ListBlockValidationError(non_block_errors=ErrorList([ValidationError(message)]))}
        )

    class Meta:
        icon = "help"
        label = _("Question")


class QuizBlock(blocks.StructBlock):
    """A multiple-choice quiz, marked on the server by the learning app.

    The correct flags and feedback stay in the page data: templates render
    only prompts and answer texts, so the HTML never gives the answers away.
    """

    title = blocks.CharBlock(label=_("Title"), max_length=200)
    pass_mark_percent = blocks.IntegerBlock(
        label=_("Pass mark (%)"), min_value=0, max_value=100, default=80
    )
    attempts_allowed = blocks.IntegerBlock(
        label=_("Attempts allowed"), min_value=0, default=0, help_text=_("0 means unlimited attempts.")
    )
    questions = blocks.ListBlock(QuestionBlock(), label=_("Questions"), min_num=1)
    required = _required_block()

    class Meta:
        icon = "list-ul"
        label = _("Quiz")
        template = "courses/blocks/quiz_block.html"
        preview_value = {
            "title": "Check your understanding",
            "pass_mark_percent": 80,
            "attempts_allowed": 0,
            "questions": [
                {
                    "kind": QuestionKind.SINGLE,
                    "prompt": "Which is an early sign worth talking about?",
                    "answers": [
                        {"text": "A sudden break with old friends", "correct": True, "feedback": ""},
                        {"text": "Wearing religious dress", "correct": False, "feedback": ""},
                    ],
                }
            ],
            "required": True,
        }
        description = _("Questions with one or more correct answers and a pass mark.")


class ReflectionBlock(blocks.StructBlock):
    """A question learners answer in their own words. Answers are private to
    the learner (not shown to trainers) and stored by the learning app."""

    prompt = blocks.TextBlock(label=_("Reflection prompt"))
    required = _required_block()

    class Meta:
        icon = "edit"
        label = _("Reflection")
        template = "courses/blocks/reflection_block.html"
        preview_value = {
            "prompt": "Think of a young person you work with. What would make it easier for them to talk to you?",
            "required": True,
        }
        description = _("A question learners answer privately, in their own words.")


class FaceToFaceSessionBlock(blocks.StructBlock):
    """A session in a room. Attendance is registered later by the trainer (learning/live)."""

    title = blocks.CharBlock(label=_("Title"), max_length=200)
    starts_at = blocks.DateTimeBlock(label=_("Date and time"))
    duration_minutes = blocks.IntegerBlock(label=_("Duration (minutes)"), min_value=1, default=120)
    place = blocks.TextBlock(label=_("Place"), help_text=_("Venue and address."))
    trainer_name = blocks.CharBlock(label=_("Trainer"), max_length=150)
    trainer_email = blocks.EmailBlock(label=_("Trainer's email"), required=False)
    required = _required_block()

    class Meta:
        icon = "group"
        label = _("Face-to-face session")
        template = "courses/blocks/session_block.html"
        preview_value = {
            "title": "Practising difficult conversations",
            "starts_at": datetime.datetime(2026, 3, 12, 9, 30),
            "duration_minutes": 180,
            "place": "Maison des associations, Lille",
            "trainer_name": "Claire Dubois",
            "trainer_email": "",
            "required": True,
        }
        description = _("A session in a room, with date, place and trainer.")


class LearningOutcomeBlock(blocks.CharBlock):
    """One thing a learner can do after the course ("Recognise ...")."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 300)
        kwargs.setdefault("label", _("Learning outcome"))
        super().__init__(**kwargs)

    class Meta:
        icon = "tick"
        template = "courses/blocks/learning_outcome_block.html"
        preview_value = "Recognise early signs of radicalisation without stigmatising young people."


class LearningOutcomesBlock(blocks.StreamBlock):
    """A course's outcomes, one per item, rendered as a list."""

    outcome = LearningOutcomeBlock()


class LessonStreamBlock(blocks.StreamBlock):
    """The body of a lesson. The names below are the block kinds; see the module docstring."""

    text = TextBlock()
    image = LessonImageBlock()
    video = VideoBlock()
    resource = ResourceBlock()
    h5p = H5PActivityBlock()
    quiz = QuizBlock()
    reflection = ReflectionBlock()
    session = FaceToFaceSessionBlock()


# Kinds completed by viewing the lesson rather than by their own evidence.
VIEWED_KINDS = frozenset({"text", "image", "video", "resource"})
