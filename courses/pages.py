"""Course page types: CourseIndexPage → CoursePage → ModulePage → LessonPage.

A course is a Wagtail page tree, translated with wagtail-localize like the
rest of the site. Its identity is its `translation_key`, shared by the
English, French and Dutch copies: enrolments, progress and certificates
(the learning and certificates apps) belong to the course, not to one
language copy. The same holds for modules and lessons, and for the blocks of
a lesson (see courses/blocks.py).

What wagtail-localize does with the fields, and why it matters here: text
fields and StreamFields are translated; booleans, numbers, the audience list
and the owning partner are synchronised from the source page, so the
completion rule is the same in every language. Trainers are an inline
(`CourseTrainer` orderables), not a ParentalManyToManyField, because
wagtail-localize synchronises child relations but skips many-to-many fields.

Module and lesson order is the page tree's order (editors drag pages in the
explorer); there is no separate order field to disagree with it.

Access: these pages are public like any Wagtail page. Who may read a lesson
(enrolment, cohorts) is decided by the learning app when it arrives.
"""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail.admin.forms import WagtailAdminPageForm
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.fields import StreamField
from wagtail.models import Orderable, Page
from wagtail.search import index

from cms.privacy import CachedViewRestrictionsMixin
from partners.models import Role

from .blocks import LearningOutcomesBlock, LessonStreamBlock


class Audience(models.TextChoices):
    """The professions a course is written for (the programme's first-line
    workers). The same vocabulary as the public resource library, declared
    here because courses does not depend on cms models."""

    TEACHERS = "teachers", _("Teachers")
    YOUTH_WORKERS = "youth_workers", _("Youth workers")
    POLICE = "police", _("Police")
    SOCIAL_WORKERS = "social_workers", _("Social and welfare workers")
    PRISON_STAFF = "prison_staff", _("Prison and probation staff")
    COMMUNITY = "community", _("Community organisations")


def validate_audience(value) -> None:
    if not isinstance(value, list) or not all(isinstance(code, str) for code in value):
        raise ValidationError(_("The audience must be a list of audience codes."))
    unknown = sorted(set(value) - set(Audience.values))
    if unknown:
        raise ValidationError(_("Unknown audience: %(codes)s."), params={"codes": ", ".join(unknown)})
    if len(set(value)) != len(value):
        raise ValidationError(_("Each audience may be listed once."))


class CourseIndexPage(CachedViewRestrictionsMixin, Page):
    """The list of courses of one language's site, under its home page."""

    intro = models.TextField(_("introduction"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    search_fields = Page.search_fields + [index.SearchField("intro")]

    parent_page_types = ["cms.HomePage"]
    subpage_types = ["courses.CoursePage"]

    class Meta:
        verbose_name = _("course index page")
        verbose_name_plural = _("course index pages")

    def get_context(self, request, *args, **kwargs):
        from .selectors import courses_in

        context = super().get_context(request, *args, **kwargs)
        context["courses"] = courses_in(index=self)
        return context


class CoursePageForm(WagtailAdminPageForm):
    # The model stores a JSON list (works on SQLite and PostgreSQL alike); the
    # editor ticks boxes.
    audience = forms.MultipleChoiceField(
        label=_("Audience"),
        choices=Audience.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )


class CoursePage(CachedViewRestrictionsMixin, Page):
    """A self-paced train-the-trainer course and its completion rule.

    Completion (computed by the learning app from evidence): every required
    block of every live lesson is completed (implicit, see blocks.py), and,
    when `completion_min_live_attendance_percent` is above 0, the learner
    attended at least that share of the course's live/face-to-face time.
    """

    summary = models.TextField(_("summary"), help_text=_("Two or three sentences shown in course lists."))
    # A JSON list of Audience codes rather than an ArrayField (PostgreSQL
    # only; `make run` uses SQLite) or a many-to-many to a snippet (a table
    # editors would have to fill and translate, and that wagtail-localize
    # would not synchronise). The vocabulary is fixed in code and its labels
    # come from the gettext catalogues. Filtering by audience is done in
    # Python (courses are few); `audience__contains` works on PostgreSQL only.
    audience = models.JSONField(_("audience"), default=list, blank=True, validators=[validate_audience])
    learning_outcomes = StreamField(
        LearningOutcomesBlock(),
        verbose_name=_("learning outcomes"),
        blank=True,
    )
    estimated_hours = models.DecimalField(
        _("estimated hours"),
        max_digits=5,
        decimal_places=1,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("Study time including face-to-face sessions; printed on certificates."),
    )
    partner = models.ForeignKey(
        "partners.Partner",
        verbose_name=_("owning partner"),
        on_delete=models.PROTECT,
        related_name="courses",
        help_text=_("The partner organisation responsible for this course."),
    )
    is_public = models.BooleanField(
        _("open for self-enrolment"),
        default=False,
        help_text=_("Anyone with an account may enrol. Otherwise learners join through a cohort."),
    )
    sequential = models.BooleanField(
        _("modules in order"),
        default=False,
        help_text=_("A module opens only when the previous one is completed."),
    )
    completion_min_live_attendance_percent = models.PositiveSmallIntegerField(
        _("minimum live attendance (%)"),
        default=0,
        validators=[MaxValueValidator(100)],
        help_text=_("Share of live and face-to-face session time a learner must attend to complete (0 = none)."),
    )
    certificate_enabled = models.BooleanField(
        _("issue certificates"), default=False, help_text=_("Learners who complete the course receive a certificate.")
    )

    base_form_class = CoursePageForm

    content_panels = Page.content_panels + [
        FieldPanel("summary"),
        FieldPanel("audience"),
        FieldPanel("learning_outcomes"),
        FieldPanel("estimated_hours"),
        FieldPanel("partner"),
        InlinePanel("trainers", label=_("Trainers")),
    ]
    settings_panels = Page.settings_panels + [
        MultiFieldPanel(
            [
                FieldPanel("is_public"),
                FieldPanel("sequential"),
                FieldPanel("completion_min_live_attendance_percent"),
                FieldPanel("certificate_enabled"),
            ],
            heading=_("Enrolment, completion and certificates"),
        )
    ]
    search_fields = Page.search_fields + [index.SearchField("summary"), index.SearchField("learning_outcomes")]

    parent_page_types = ["courses.CourseIndexPage"]
    subpage_types = ["courses.ModulePage"]

    class Meta:
        verbose_name = _("course")
        verbose_name_plural = _("courses")

    @property
    def hours_for_plural(self) -> int:
        """An integer for gettext's plural choice (it refuses decimals):
        whole hours as they are, fractions as "many" (1.5 hours)."""
        hours = self.estimated_hours or Decimal("0")
        return int(hours) if hours == hours.to_integral_value() else 2

    def audience_labels(self) -> list[str]:
        labels = dict(Audience.choices)
        return [labels[code] for code in self.audience if code in labels]

    def get_context(self, request, *args, **kwargs):
        from .selectors import course_outline, trainers_of

        context = super().get_context(request, *args, **kwargs)
        context["outline"] = course_outline(course=self)
        context["course_trainers"] = trainers_of(course=self)
        return context


class CourseTrainer(Orderable):
    """A trainer of the course, shown on the course page in this order.

    Synchronised, not translated: the same people train every language copy.
    Only users with a trainer membership (at any partner) can be chosen.
    """

    course = ParentalKey(CoursePage, on_delete=models.CASCADE, related_name="trainers")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("trainer"),
        on_delete=models.CASCADE,
        related_name="+",
        limit_choices_to={"memberships__role": Role.TRAINER},
    )

    panels = [FieldPanel("user")]

    class Meta(Orderable.Meta):
        verbose_name = _("course trainer")
        verbose_name_plural = _("course trainers")
        constraints = [models.UniqueConstraint(fields=["course", "user"], name="course_trainer_unique")]


class ModulePage(CachedViewRestrictionsMixin, Page):
    """A part of a course; its lessons are its child pages, in tree order."""

    intro = models.TextField(_("introduction"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    search_fields = Page.search_fields + [index.SearchField("intro")]

    parent_page_types = ["courses.CoursePage"]
    subpage_types = ["courses.LessonPage"]

    class Meta:
        verbose_name = _("module")
        verbose_name_plural = _("modules")

    def get_context(self, request, *args, **kwargs):
        from .selectors import module_context

        context = super().get_context(request, *args, **kwargs)
        context.update(module_context(module=self))
        return context


class LessonPage(CachedViewRestrictionsMixin, Page):
    """One sitting of learning: text, media and activities (see courses/blocks.py)."""

    intro = models.TextField(_("introduction"), blank=True)
    body = StreamField(LessonStreamBlock(), verbose_name=_("lesson content"), blank=True)
    estimated_minutes = models.PositiveSmallIntegerField(
        _("estimated minutes"), default=15, validators=[MinValueValidator(1)]
    )

    content_panels = Page.content_panels + [
        FieldPanel("intro"),
        FieldPanel("estimated_minutes"),
        FieldPanel("body"),
    ]
    search_fields = Page.search_fields + [index.SearchField("intro"), index.SearchField("body")]

    parent_page_types = ["courses.ModulePage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("lesson")
        verbose_name_plural = _("lessons")

    def get_context(self, request, *args, **kwargs):
        from .selectors import lesson_context

        context = super().get_context(request, *args, **kwargs)
        context.update(lesson_context(lesson=self))
        return context
