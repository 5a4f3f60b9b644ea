"""The H5P settings and their defaults, in one place.

Read through these functions (not at import time) so that
`override_settings` in tests and per-environment settings both take effect.
The defaults follow the H5P reference servers (docs/h5p.md, "Upload").
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings

MIB = 1024 * 1024


def max_total_bytes() -> int:
    """Cap on the uncompressed size of all entries of one package."""
    return int(getattr(settings, "H5P_MAX_TOTAL_BYTES", 64 * MIB))


def max_file_bytes() -> int:
    """Cap on the uncompressed size of any single entry."""
    return int(getattr(settings, "H5P_MAX_FILE_BYTES", 16 * MIB))


def max_entries() -> int:
    """Cap on the number of entries in the zip's central directory (ignored
    ones included: they still cost work to inspect)."""
    return int(getattr(settings, "H5P_MAX_ENTRIES", 5000))


def content_root() -> Path:
    """Folder holding one sub-folder per extracted package
    (settings.H5P_CONTENT_ROOT, by default var/h5p: outside MEDIA_ROOT so
    the site origin never serves package files)."""
    configured = getattr(settings, "H5P_CONTENT_ROOT", None)
    if configured:
        return Path(configured)
    return Path(settings.MEDIA_ROOT) / "h5p"


def content_origin() -> str:
    """Origin (scheme://host[:port]) that will serve package files, kept
    apart from the site's origin so package scripts cannot read its pages or
    cookies. Empty until serving is built; nothing here uses it yet."""
    return str(getattr(settings, "H5P_CONTENT_ORIGIN", "") or "")
