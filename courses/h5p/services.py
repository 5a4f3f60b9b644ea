"""Creating and deleting H5P packages: validate, extract, save.

Duplicates: uploading content that is already stored creates a second
package (same `content_hash`, its own folder and row) rather than reusing
the first. A package is a snippet that editors title, place in courses and
delete independently; sharing one folder or row between two uploads would
make deleting or retitling one silently affect the other, and later xAPI
evidence is keyed per package. Packages are small next to the disk, so the
duplicate costs little; `h5p_packages_with_same_content` lets the admin and
the command point the editor at the existing copies instead.
"""

from __future__ import annotations

import hashlib
import logging
import shutil
import uuid
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import QuerySet
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from . import conf
from .models import H5PPackage
from .scoring import manifest_scoring
from .validation import H5PManifest, H5PValidationError, open_archive, read_entry_chunks, validate_archive

logger = logging.getLogger(__name__)


@dataclass
class _Extracted:
    size_bytes: int
    file_count: int
    content_hash: str


def h5p_package_create(
    *,
    uploaded_file: IO[bytes] | str,
    uploaded_by: AbstractBaseUser | None = None,
    title: str | None = None,
) -> H5PPackage:
    """Validate an `.h5p` archive (a path or a seekable binary file such as
    an UploadedFile), extract it into a new folder and save its row.

    Raises H5PValidationError. On any failure, the new folder is removed and
    no row is saved: a refused upload leaves nothing behind.
    """
    root = conf.content_root()
    storage_path = uuid.uuid4().hex
    destination = root / storage_path
    archive_copy = root / f"{storage_path}.h5p"
    try:
        root.mkdir(parents=True, exist_ok=True)
        with open_archive(uploaded_file) as archive:
            manifest = validate_archive(archive)
            # Files first, outside any transaction: extracting a large
            # package takes seconds, and holding a database transaction
            # (SQLite's write lock) that long would stall other writers.
            destination.mkdir()
            extracted = _extract(archive, manifest, destination)
            _keep_archive(uploaded_file, archive_copy)
            scoring = manifest_scoring(manifest)
            with transaction.atomic():
                package = H5PPackage(
                    title=(title or "").strip() or manifest.title[:255],
                    main_library=manifest.main_library.machine_name,
                    main_library_version=f"{manifest.main_library.major}.{manifest.main_library.minor}",
                    language=manifest.language[:32],
                    metadata=manifest.metadata,
                    storage_path=storage_path,
                    content_hash=extracted.content_hash,
                    size_bytes=extracted.size_bytes,
                    file_count=extracted.file_count,
                    reports_score=scoring.reports_score,
                    scored_parts=scoring.scored_parts,
                    uploaded_by=uploaded_by,
                )
                package.full_clean()
                package.save()
    except OSError as exc:
        # The server's problem (a full disk, a read-only volume), not the
        # package's: still one clear line for the editor, nothing left.
        shutil.rmtree(destination, ignore_errors=True)
        archive_copy.unlink(missing_ok=True)
        logger.exception("H5P package could not be written to %s", destination)
        raise H5PValidationError(
            "storage_failed",
            _("The package could not be stored on the server (%(reason)s); nothing was kept. Please try again later or tell an administrator."),
            reason=exc.strerror or exc.__class__.__name__,
        ) from exc
    except BaseException:
        # BaseException too: an interrupted upload (KeyboardInterrupt in the
        # command, a worker shutdown) must not leave a half-written folder.
        shutil.rmtree(destination, ignore_errors=True)
        archive_copy.unlink(missing_ok=True)
        raise
    logger.info("H5P package %s stored in %s (%d files)", package.pk, destination, package.file_count)
    return package


def _keep_archive(source: IO[bytes] | str, target: Path) -> None:
    """Copy the uploaded archive as it came ("xb": never over another)."""
    with target.open("xb") as out:
        if isinstance(source, str):
            with open(source, "rb") as original:
                shutil.copyfileobj(original, out)
        else:
            source.seek(0)
            shutil.copyfileobj(source, out)


def h5p_package_delete(*, package: H5PPackage) -> None:
    """Delete the row, then its folder and kept archive once the deletion is
    committed (a rolled-back delete must still find its files)."""
    destination, archive = package.content_dir, package.archive_path

    def remove_files() -> None:
        shutil.rmtree(destination, ignore_errors=True)
        archive.unlink(missing_ok=True)

    with transaction.atomic():
        package.delete()
        transaction.on_commit(remove_files)


def h5p_packages_with_same_content(*, package: H5PPackage) -> QuerySet[H5PPackage]:
    """Other packages whose extracted files are identical to `package`'s."""
    return H5PPackage.objects.filter(content_hash=package.content_hash).exclude(pk=package.pk)


def _extract(archive: zipfile.ZipFile, manifest: H5PManifest, destination: Path) -> _Extracted:
    """Write the validated entries under `destination`, counting the bytes
    actually inflated against the total cap (each entry's own bound is
    enforced by read_entry_chunks)."""
    max_total = conf.max_total_bytes()
    digest = hashlib.sha256()
    written = 0
    root = destination.resolve()
    for info in manifest.files:
        # Names were checked by validation; resolving again is the last guard
        # against a path that escapes the folder.
        target = (root / info.filename).resolve()
        if not target.is_relative_to(root) or target == root:
            raise H5PValidationError(
                "unsafe_path", _("%(name)s points outside its folder; the package is refused."), name=info.filename
            )
        target.parent.mkdir(parents=True, exist_ok=True)
        name_bytes = info.filename.encode()
        digest.update(len(name_bytes).to_bytes(4, "big") + name_bytes + info.file_size.to_bytes(8, "big"))
        # "xb": never follow or overwrite anything already there.
        with target.open("xb") as out:
            for chunk in read_entry_chunks(archive, info):
                written += len(chunk)
                if written > max_total:
                    raise H5PValidationError(
                        "too_large",
                        _("The package inflates to more than %(limit)s; it is refused."),
                        limit=filesizeformat(max_total),
                    )
                digest.update(chunk)
                out.write(chunk)
    return _Extracted(size_bytes=written, file_count=len(manifest.files), content_hash=digest.hexdigest())
