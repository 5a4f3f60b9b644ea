"""Storing packages: `h5p_package_create` extracts a valid package and
records it; a refused one leaves no folder and no row."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from django.core.exceptions import SuspiciousFileOperation
from django.test import override_settings

from courses.h5p.services import h5p_package_create, h5p_package_delete, h5p_packages_with_same_content
from courses.h5p.validation import H5PValidationError
from courses.models import H5PPackage

from .h5p_builder import LIBRARY, MALFORMED, as_upload, build_h5p, fixture_files, lying_bomb

pytestmark = pytest.mark.django_db


def _entries(root) -> list[str]:
    return sorted(path.name for path in root.iterdir()) if root.exists() else []


def test_valid_package_is_extracted_and_recorded(h5p_root, editor):
    archive = build_h5p()
    package = h5p_package_create(uploaded_file=as_upload(archive), uploaded_by=editor)

    package.refresh_from_db()
    expected = fixture_files()
    assert package.title == "Bridgeline check"
    assert (package.main_library, package.main_library_version, package.language) == ("H5P.BridgelineCheck", "1.1", "en")
    assert package.metadata == json.loads(expected["h5p.json"])
    assert package.uploaded_by == editor
    assert package.file_count == len(expected)
    assert package.size_bytes == sum(len(data) for data in expected.values())
    assert len(package.content_hash) == 64
    # The folder, and the upload as it came beside it (for backups and
    # restores: docs/operations.md).
    assert _entries(h5p_root) == [package.storage_path, f"{package.storage_path}.h5p"]
    assert package.archive_path.read_bytes() == archive
    extracted = {
        path.relative_to(package.content_dir).as_posix(): path.read_bytes()
        for path in package.content_dir.rglob("*")
        if path.is_file()
    }
    assert extracted == expected


def test_title_given_by_the_uploader_wins():
    package = h5p_package_create(uploaded_file=as_upload(build_h5p()), title="  Check-in after module 1 ")

    assert package.title == "Check-in after module 1"


def test_import_from_a_path(tmp_path):
    path = tmp_path / "check.h5p"
    path.write_bytes(build_h5p())

    package = h5p_package_create(uploaded_file=str(path))

    assert package.file_count == len(fixture_files())
    assert package.archive_path.read_bytes() == path.read_bytes()


def test_ignored_entries_are_not_extracted():
    archive = build_h5p(extra=[("__MACOSX/._check.js", b"\x00"), ("content/.hidden.html", b"<script></script>")])

    package = h5p_package_create(uploaded_file=as_upload(archive))

    assert package.file_count == len(fixture_files())
    assert not (package.content_dir / "__MACOSX").exists()
    assert not (package.content_dir / "content" / ".hidden.html").exists()


@pytest.mark.parametrize("name", list(MALFORMED))
def test_refused_package_leaves_nothing_behind(name, h5p_root):
    build, code, caps = MALFORMED[name]
    with override_settings(**caps):
        archive = build()
        with pytest.raises(H5PValidationError) as caught:
            h5p_package_create(uploaded_file=as_upload(archive))

    assert caught.value.code == code
    assert _entries(h5p_root) == []
    assert not H5PPackage.objects.exists()


def test_bomb_with_lying_headers_is_stopped_while_extracting(h5p_root):
    """Validation passes it (it reads only the manifests); extraction stops
    at the declared 1,000 bytes and throws away what it had written."""
    with pytest.raises(H5PValidationError) as caught:
        h5p_package_create(uploaded_file=as_upload(lying_bomb()))

    assert caught.value.code in {"corrupt_zip", "size_mismatch"}
    assert _entries(h5p_root) == []
    assert not H5PPackage.objects.exists()


def test_total_cap_is_enforced_on_bytes_written(h5p_root, monkeypatch):
    """If the declared-size check were fooled, the bytes actually written
    still count against H5P_MAX_TOTAL_BYTES."""
    from courses.h5p import services

    archive = build_h5p(extra=[("content/a.txt", bytes(40_000)), ("content/b.txt", bytes(40_000))])
    real_validate = services.validate_archive

    def validate_then_lower_the_cap(opened: zipfile.ZipFile):
        manifest = real_validate(opened)
        monkeypatch.setattr(services.conf, "max_total_bytes", lambda: 50_000)
        return manifest

    monkeypatch.setattr(services, "validate_archive", validate_then_lower_the_cap)

    with pytest.raises(H5PValidationError) as caught:
        h5p_package_create(uploaded_file=as_upload(archive))

    assert caught.value.code == "too_large"
    assert _entries(h5p_root) == []
    assert not H5PPackage.objects.exists()


def test_failure_saving_the_row_removes_the_extracted_folder(h5p_root, monkeypatch):
    def fail(self, *args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(H5PPackage, "save", fail)

    with pytest.raises(RuntimeError):
        h5p_package_create(uploaded_file=as_upload(build_h5p()))

    assert _entries(h5p_root) == []


def test_same_content_twice_makes_a_second_package():
    """Documented choice (services.py): packages are titled, placed and
    deleted independently, so a re-upload is its own package; the shared
    content hash points editors at the copies."""
    first = h5p_package_create(uploaded_file=as_upload(build_h5p()))
    # Same files, different zip (stored instead of deflated, other order).
    second = h5p_package_create(uploaded_file=as_upload(build_h5p(compression=zipfile.ZIP_STORED)))
    other = h5p_package_create(uploaded_file=as_upload(build_h5p(extra=[("content/extra.txt", b"x")])))

    assert first.pk != second.pk
    assert first.storage_path != second.storage_path
    assert first.content_hash == second.content_hash != other.content_hash
    assert list(h5p_packages_with_same_content(package=second)) == [first]
    assert not h5p_packages_with_same_content(package=other).exists()


def test_file_path_resolves_inside_the_package():
    package = h5p_package_create(uploaded_file=as_upload(build_h5p()))

    path = package.file_path(f"{LIBRARY}/check.js")

    assert path == package.content_dir.resolve() / LIBRARY / "check.js"
    assert path.read_bytes() == fixture_files()[f"{LIBRARY}/check.js"]


@pytest.mark.parametrize(
    "relative",
    ["../other/h5p.json", "content/../../x", "/etc/passwd", "C:/x", "content\\..\\..\\x", "", ".", "content//x"],
)
def test_file_path_refuses_to_leave_the_package(relative):
    package = h5p_package_create(uploaded_file=as_upload(build_h5p()))

    with pytest.raises(SuspiciousFileOperation):
        package.file_path(relative)


def test_file_path_refuses_a_link_pointing_outside(tmp_path):
    package = h5p_package_create(uploaded_file=as_upload(build_h5p()))
    (package.content_dir / "content" / "escape.json").symlink_to(tmp_path)

    with pytest.raises(SuspiciousFileOperation):
        package.file_path("content/escape.json/secret")


def test_delete_removes_row_and_files_after_commit(h5p_root, django_capture_on_commit_callbacks):
    package = h5p_package_create(uploaded_file=as_upload(build_h5p()))

    with django_capture_on_commit_callbacks(execute=True):
        h5p_package_delete(package=package)

    assert not H5PPackage.objects.exists()
    assert _entries(h5p_root) == []


def test_upload_read_from_an_in_memory_file():
    package = h5p_package_create(uploaded_file=io.BytesIO(build_h5p()))

    assert package.pk
