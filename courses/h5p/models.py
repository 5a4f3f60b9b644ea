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
    def content_dir(self) -> Path:
        return conf.content_root() / self.storage_path

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
