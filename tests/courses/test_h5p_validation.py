"""The validator on its own: which archives pass, which are refused and with
which code. No database, no disk writes."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.test import override_settings
from django.utils.functional import Promise

from courses.h5p.validation import (
    H5PValidationError,
    check_safe_path,
    is_ignored,
    is_unused,
    read_entry_chunks,
    validate_h5p,
)

from .h5p_builder import LIBRARY, MALFORMED, build_h5p, fixture_files, lying_bomb


def test_fixture_package_is_valid():
    manifest = validate_h5p(io.BytesIO(build_h5p()))

    assert manifest.title == "Bridgeline check"
    assert manifest.language == "en"
    assert str(manifest.main_library) == "H5P.BridgelineCheck 1.1"
    assert manifest.main_library.runnable is True
    assert list(manifest.libraries) == [LIBRARY]
    assert [info.filename for info in manifest.files] == sorted(fixture_files())


@pytest.mark.parametrize("name", list(MALFORMED))
def test_malformed_package_is_refused_with_its_code(name):
    build, code, caps = MALFORMED[name]
    with override_settings(**caps):
        archive = build()
        with pytest.raises(H5PValidationError) as caught:
            validate_h5p(io.BytesIO(archive))

    assert caught.value.code == code
    message = caught.value.message
    assert message and "\n" not in message


def test_content_may_hold_svg():
    """SVG is in the H5P core's default whitelist (content images are often
    SVG; issue #10). It used to be refused in content; it is served with a
    sandboxing CSP instead (test_h5p_real_packages)."""
    archive = build_h5p(extra=[("content/images/x.svg", b"<svg><script>alert(1)</script></svg>")])

    manifest = validate_h5p(io.BytesIO(archive))

    assert "content/images/x.svg" in [info.filename for info in manifest.files]


def test_legacy_whitelisted_files_are_accepted_but_never_listed_for_extraction():
    """.diff/.patch/.swf/.textile are in the H5P core's whitelist (jQuery.ui
    1.10 ships a .diff, Downloadify a .swf) so those packages import; no
    player loads them, so they are left out of the files to extract,
    whatever the case of their extension."""
    legacy = ["content/notes.diff", "content/fix.PATCH", "content/movie.Swf", "content/readme.textile", f"{LIBRARY}/x.swf"]

    manifest = validate_h5p(io.BytesIO(build_h5p(extra=[(name, b"legacy") for name in legacy])))

    assert [info.filename for info in manifest.files] == sorted(fixture_files())
    assert all(is_unused(name) for name in legacy)
    assert not any(is_unused(name) for name in fixture_files())


def test_library_files_may_be_svg_and_stored_uncompressed():
    archive = build_h5p(extra=[(f"{LIBRARY}/icon.svg", b"<svg/>")], compression=zipfile.ZIP_STORED)

    manifest = validate_h5p(io.BytesIO(archive))

    assert f"{LIBRARY}/icon.svg" in [info.filename for info in manifest.files]


def test_folder_named_by_machine_name_only_is_accepted():
    renamed = {
        name.replace(LIBRARY, "H5P.BridgelineCheck"): data
        for name, data in fixture_files().items()
        if name.startswith(LIBRARY)
    }
    archive = build_h5p(replace={**{name: None for name in fixture_files() if name.startswith(LIBRARY)}, **renamed})

    manifest = validate_h5p(io.BytesIO(archive))

    assert manifest.main_library.folder == "H5P.BridgelineCheck"


def test_dot_and_underscore_entries_are_ignored_even_with_bad_extensions():
    archive = build_h5p(
        extra=[
            ("__MACOSX/._h5p.json", b"\x00\x05"),
            (".DS_Store", b"\x00"),
            ("content/.hidden.html", b"<script></script>"),
            ("_notes/shell.php", b"<?php ?>"),
            (f"{LIBRARY}/_backup/old.exe", b"MZ"),
        ]
    )

    manifest = validate_h5p(io.BytesIO(archive))

    assert [info.filename for info in manifest.files] == sorted(fixture_files())


def test_ignored_entries_still_may_not_have_unsafe_paths():
    archive = build_h5p(extra=[("__MACOSX/../../evil.txt", b"x")])

    with pytest.raises(H5PValidationError) as caught:
        validate_h5p(io.BytesIO(archive))

    assert caught.value.code == "unsafe_path"


def test_lying_sizes_pass_validation_because_only_manifests_are_read():
    """The bomb in a content file is caught while extracting (see
    test_h5p_services); validation alone must not inflate it."""
    manifest = validate_h5p(io.BytesIO(lying_bomb()))

    assert "content/zeros.txt" in [info.filename for info in manifest.files]


def test_manifest_whose_size_lies_is_refused_while_reading():
    from .h5p_builder import patch_entry

    archive = patch_entry(build_h5p(), "content/content.json", declared_size=5)

    with pytest.raises(H5PValidationError) as caught:
        validate_h5p(io.BytesIO(archive))

    assert caught.value.code == "corrupt_zip"


class _Overflowing:
    """An archive whose entry stream yields more than its declared size: what
    a decompressor that trusts the data over the headers would do."""

    def open(self, info):
        return io.BytesIO(b"0" * 10_000)


def test_reading_stops_when_an_entry_inflates_past_its_declared_size():
    info = zipfile.ZipInfo("content/zeros.txt")
    info.file_size = 100

    with pytest.raises(H5PValidationError) as caught:
        b"".join(read_entry_chunks(_Overflowing(), info))

    assert caught.value.code == "size_mismatch"


@pytest.mark.parametrize(
    "path",
    ["/etc/passwd", "../x.js", "a/../../x.js", "a/./x.js", "a//x.js", "C:/x.js", "c:x.js", "a\\x.js", "a\x07.js", ""],
)
def test_unsafe_paths(path):
    with pytest.raises(H5PValidationError) as caught:
        check_safe_path(path)

    assert caught.value.code == "unsafe_path"


@pytest.mark.parametrize(
    "path",
    [
        "content/" + "a" * 256,  # a name over 255 bytes
        "content/" + "é" * 128,  # 128 characters, but 256 bytes
        "content/" + "/".join(["d" * 50] * 11) + "/x.txt",  # 574 bytes, no long name
    ],
)
def test_paths_too_long(path):
    """Over-long names are refused before extraction, as one clear error
    rather than an OSError (ENAMETOOLONG) halfway through writing."""
    with pytest.raises(H5PValidationError) as caught:
        check_safe_path(path)

    assert caught.value.code == "path_too_long"


@pytest.mark.parametrize(
    "path",
    [
        "h5p.json",
        "content/images/photo 1.png",
        "H5P.X-1.0/js/x.js",
        "content/",
        "content/" + "a" * 255,
        "content/" + "/".join(["d" * 100] * 5),  # exactly 512 bytes
    ],
)
def test_safe_paths(path):
    check_safe_path(path)


@pytest.mark.parametrize(
    ("path", "ignored"),
    [
        (".DS_Store", True),
        ("__MACOSX/x", True),
        ("content/.x.json", True),
        ("a/_b/c.js", True),
        ("content/a_b.json", False),
    ],
)
def test_ignored_names(path, ignored):
    assert is_ignored(path) is ignored


def test_messages_stay_lazy_until_read():
    """Errors are raised in one request and may be shown in another language
    (the admin in the editor's, the command line in English)."""
    with pytest.raises(H5PValidationError) as caught:
        validate_h5p(io.BytesIO(build_h5p(extra=[("content/page.html", b"")])))

    assert isinstance(caught.value.message_template, Promise)
    assert caught.value.params == {"name": "content/page.html", "extension": "html"}
    assert str(caught.value) == caught.value.message


def test_directory_entries_are_accepted_but_not_listed_as_files():
    archive = build_h5p(extra=[("content/", b""), (f"{LIBRARY}/", b""), ("content/images/", b"")])

    manifest = validate_h5p(io.BytesIO(archive))

    assert [info.filename for info in manifest.files] == sorted(fixture_files())


def test_caps_default_to_the_reference_servers_limits(settings):
    from courses.h5p import conf

    names = ("H5P_MAX_TOTAL_BYTES", "H5P_MAX_FILE_BYTES", "H5P_MAX_ENTRIES", "H5P_CONTENT_ROOT", "H5P_CONTENT_ORIGIN")
    for name in names:
        if hasattr(settings, name):
            delattr(settings, name)
    settings.MEDIA_ROOT = "/srv/media"

    assert (conf.max_total_bytes(), conf.max_file_bytes(), conf.max_entries()) == (64 * 2**20, 16 * 2**20, 5000)
    assert str(conf.content_root()) == "/srv/media/h5p"
    assert conf.content_origin() == ""
