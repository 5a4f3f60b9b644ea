"""The H5P package snippet.

A package is an extracted, validated `.h5p` archive: the row holds what the
admin and course blocks need to know (title, main library, language, the
h5p.json metadata) and where the files are (`storage_path`, one folder per
package under H5P_CONTENT_ROOT). The files never change after upload; a new
version of an activity is a new package.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import conf
from .validation import H5PValidationError, check_safe_path


class H5PPackage(models.Model):
    title = models.CharField(_("title"), max_length=255)
    main_library = models.CharField(
        _("main library"), max_length=255, help_text=_("Machine name of the content type, e.g. H5P.MultiChoice.")
    )
    main_library_version = models.CharField(_("main library version"), max_length=32)
    language = models.CharField(_("language"), max_length=32, blank=True)
    metadata = models.JSONField(_("h5p.json"), default=dict, help_text=_("The package's h5p.json as uploaded."))
    # Relative to H5P_CONTENT_ROOT so the root can move (another volume, the
    # separate origin's document root) without rewriting rows.
    storage_path = models.CharField(_("storage folder"), max_length=64, unique=True, editable=False)
    # SHA-256 over the extracted files (names and bytes, in name order), not
    # over the archive: re-zipping the same content gives the same hash.
    content_hash = models.CharField(_("content hash"), max_length=64, db_index=True, editable=False)
    size_bytes = models.PositiveBigIntegerField(_("size (bytes)"), editable=False)
    file_count = models.PositiveIntegerField(_("files"), editable=False)
    # What working through the package reports (courses/h5p/scoring.py),
    # learnt from its libraries and content on upload: whether the main
    # content type sends a scored result of its own, and the subContentIds
    # of its scored parts (a Question Set's questions, a Course
    # Presentation's quizzes). Neither: the block completes on viewing.
    reports_score = models.BooleanField(
        _("reports a score"),
        default=True,
        help_text=_(
            "Set on upload from the content type. Untick it for a content type that only shows content (its "
            "block is then done when the lesson is opened); tick it for one that reports a score."
        ),
    )
    scored_parts = models.JSONField(_("scored parts"), default=list, blank=True, editable=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("H5P package")
        verbose_name_plural = _("H5P packages")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.title

    @property
    def completes_on_view(self) -> bool:
        """Nothing in the package is scored (Dialog Cards, Accordion): its
        block is done when the learner opens the lesson."""
        return not self.reports_score and not self.scored_parts

    def completion_rule(self) -> str:
        """How a block playing this package is completed, for editors
        (docs/h5p.md, "Completion rules")."""
        if self.completes_on_view:
            return str(_("When the lesson is opened (nothing to score)"))
        if self.reports_score:
            return str(_("Its score reaches the block's pass threshold"))
        return str(
            ngettext(
                "The share of its %(count)d scored part reaches the pass threshold",
                "The share of its %(count)d scored parts reaches the pass threshold",
                len(self.scored_parts),
            )
            % {"count": len(self.scored_parts)}
        )

    completion_rule.short_description = _("completion")

    @property
    def content_dir(self) -> Path:
        return conf.content_root() / self.storage_path

    @property
    def archive_path(self) -> Path:
        """The `.h5p` file as uploaded, kept beside its extracted folder (never
        served: the content origin serves only inside the folder). A backup
        of H5P_CONTENT_ROOT restores the activity from it, and a future
        change of the validation rules can re-extract it."""
        return conf.content_root() / f"{self.storage_path}.h5p"

    def file_path(self, relative: str) -> Path:
        """The absolute path of `relative` inside this package's folder.

        Serving will pass request paths straight in, so anything that could
        leave the folder (absolute, `..`, backslashes, drive letters, a link
        resolving elsewhere) raises SuspiciousFileOperation (a 400 in views).
        The file need not exist: ignored entries (`.x`, `_x`) were never
        extracted.
        """
        try:
            check_safe_path(relative)
        except H5PValidationError as exc:
            raise SuspiciousFileOperation(exc.message) from exc
        root = self.content_dir.resolve()
        target = (root / relative).resolve()
        if not target.is_relative_to(root) or target == root:
            raise SuspiciousFileOperation(f"{relative!r} is outside the package folder")
        return target
