"""Issue #10: real H5P content from the H5P hub imports, and widening the
whitelist for it opened no door.

* The nine hub packages in shared/h5p-real/ (tests/support/h5p_real.py)
  import through both ways in, the `h5p_import` command and the Wagtail
  admin upload, with the title, main library and version of their h5p.json.
  The legacy files two of their libraries ship (jQuery.ui 1.10's `.diff`,
  Downloadify's `.swf`) are accepted but never written to disk nor served.
* SVG in content is accepted now that the H5P core's default whitelist is
  followed; the content origin serves it sandboxed, so script inside it
  never runs, and the site origin never serves it at all.
* Packages built to exhaust the validator (over-long paths, a 1,500-deep
  dependency chain, JSON nested 50,000 levels) get a form error with a
  stable code, never a 500, and leave nothing behind.
* Packages that pass validation but that the database cannot store (NUL
  characters, lone surrogates, NaN, a version number longer than its
  column) or that the disk fails to take must also end as a form error or
  one command-line error, not as a 500 or a traceback.

No test here asserts seconds: the hostile cases must simply finish.
"""

from __future__ import annotations

import errno
import io
import json
import pathlib
import zipfile
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from courses.h5p.models import H5PPackage
from courses.h5p.validation import H5PValidationError, validate_h5p
from tests.support.h5p_real import ALL, CONTAINERS, SCORED, UNSCORED, real_h5p

from .h5p_builder import (
    LIBRARY,
    LIBRARY_JSON,
    as_upload,
    build_h5p,
    fixture_files,
    fixture_json,
    json_nested,
    library_chain,
)

pytestmark = pytest.mark.django_db

ADD = "wagtailsnippets_courses_h5ppackage:add"
CONTENT_HOST = "h5p.testserver"
SITE_ORIGIN = "http://testserver"

# What each hub package's h5p.json says (checked by hand against the files).
EXPECTED = {
    "H5P.TrueFalse": ("True/False Question", "1.6"),
    "H5P.MultiChoice": ("Multiple Choice", "1.14"),
    "H5P.Blanks": ("Fill in the Blanks", "1.12"),
    "H5P.DragQuestion": ("Drag and Drop", "1.13"),
    "H5P.MarkTheWords": ("Mark the Words", "1.9"),
    "H5P.QuestionSet": ("Hub Download Question Set All", "1.17"),
    "H5P.CoursePresentation": ("Hub Download Course Presentation All", "1.22"),
    "H5P.Dialogcards": ("Dialog Cards", "1.8"),
    "H5P.Accordion": ("Accordion", "1.0"),
}
# The legacy files in the hub packages: accepted, never extracted or served.
JQUERY_UI_DIFF = "jQuery.ui-1.10/apply-when-upgrading.diff"
DOWNLOADIFY_SWF = "downloadify-1.0/resources/downloadify.swf"
UNUSED_FILES = {
    "H5P.DragQuestion": [JQUERY_UI_DIFF],
    "H5P.QuestionSet": [JQUERY_UI_DIFF],
    "H5P.CoursePresentation": [DOWNLOADIFY_SWF, JQUERY_UI_DIFF],  # sorted
}
# Spelled out here rather than taken from validation.UNUSED_EXTENSIONS, so
# that narrowing or widening that set is noticed.
UNUSED_SUFFIXES = (".diff", ".patch", ".swf", ".textile")


@pytest.fixture(autouse=True)
def origins(settings):
    settings.H5P_CONTENT_ORIGIN = f"http://{CONTENT_HOST}"
    settings.H5P_SITE_ORIGINS = [SITE_ORIGIN]
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, CONTENT_HOST]


@pytest.fixture
def admin_client(client, editor):
    client.force_login(editor)
    return client


def read(response):
    """Files are streamed: read them into `.body`. Reading to the end closes
    the response (the test client wraps the stream); closing it again here
    would send request_finished with close_old_connections connected, which
    closes the test's database connection under the next request."""
    if response.streaming:
        response.body = b"".join(response.streaming_content)
    else:
        response.body = response.content
    return response


def content_get(client, package: H5PPackage, relative: str):
    return read(client.get(f"/h5p/{package.storage_path}/files/{relative}", HTTP_HOST=CONTENT_HOST))


def site_get(client, path: str):
    return read(client.get(path, follow=True))


def stored_nothing(h5p_root: Path) -> bool:
    return not H5PPackage.objects.exists() and (not h5p_root.exists() or not any(h5p_root.iterdir()))


def extracted_files(package: H5PPackage) -> dict[str, bytes]:
    return {
        path.relative_to(package.content_dir).as_posix(): path.read_bytes()
        for path in package.content_dir.rglob("*")
        if path.is_file()
    }


def import_with_command(path: Path) -> H5PPackage:
    out, err = StringIO(), StringIO()
    call_command("h5p_import", str(path), stdout=out, stderr=err)
    package = H5PPackage.objects.get()
    assert out.getvalue() == f"{package.pk}\n"
    assert err.getvalue() == ""
    return package


def import_with_admin(client, path: Path) -> H5PPackage:
    with path.open("rb") as handle:
        response = client.post(reverse(ADD), {"title": "", "file": handle})
    assert response.status_code == 302, response.content.decode()[:2000]
    return H5PPackage.objects.get()


# --- 1. The hub's packages import -----------------------------------------------------------


def test_the_expectations_cover_exactly_the_shared_packages():
    """The table above is what the import tests check: it must name every
    package of the shared set (and nothing else), so that a package added to
    shared/h5p-real/ and tests/support/h5p_real.py is not silently left out."""
    assert sorted(EXPECTED) == sorted(ALL)
    assert len(ALL) == len(set(SCORED) | set(CONTAINERS) | set(UNSCORED)) == 9


@pytest.mark.parametrize("via", ["command", "admin"])
@pytest.mark.parametrize("name", ALL)
def test_hub_package_imports_without_its_legacy_files(admin_client, h5p_root, name, via):
    """Every hub package is what trainers will upload: it must import both
    ways, with its own title, main library and version, all its files on disk
    except the legacy `.diff`/`.swf` ones, which are neither written nor
    served (a 404 on the content origin, where a file beside them is a 200)."""
    path = real_h5p(name)

    package = import_with_command(path) if via == "command" else import_with_admin(admin_client, path)

    title, version = EXPECTED[name]
    assert (package.title, package.main_library, package.main_library_version) == (title, name, version)
    # The folder, and the upload as it came beside it (backups, restores).
    assert sorted(entry.name for entry in h5p_root.iterdir()) == [package.storage_path, f"{package.storage_path}.h5p"]
    assert package.archive_path.read_bytes() == path.read_bytes()

    with zipfile.ZipFile(path) as archive:
        in_zip = {info.filename: archive.read(info) for info in archive.infolist() if not info.is_dir()}
    unused = sorted(entry for entry in in_zip if entry.lower().endswith(UNUSED_SUFFIXES))
    assert unused == UNUSED_FILES.get(name, [])
    on_disk = extracted_files(package)
    assert on_disk == {entry: data for entry, data in in_zip.items() if entry not in unused}
    main_folder = f"{name}-{version}/"
    assert any(entry.startswith(main_folder) and entry.endswith(".js") for entry in on_disk)
    assert (package.file_count, package.size_bytes) == (len(on_disk), sum(map(len, on_disk.values())))

    library_json = content_get(admin_client, package, f"{main_folder}library.json")
    assert library_json.status_code == 200
    assert library_json.body == in_zip[f"{main_folder}library.json"]
    for entry in unused:
        assert not (package.content_dir / entry).exists()
        assert content_get(admin_client, package, entry).status_code == 404, entry
        sibling = f"{entry.split('/', 1)[0]}/library.json"
        assert content_get(admin_client, package, sibling).status_code == 200, sibling


# --- 2. SVG in content -------------------------------------------------------------------------

SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
    b"<script>parent.postMessage(document.cookie, '*')</script>"
    b'<rect width="10" height="10"/></svg>'
)


def test_svg_in_content_imports_and_is_served_sandboxed(admin_client, h5p_root):
    """Content images are often SVG, so the whitelist accepts them; an SVG
    can carry script, so the content origin serves it as an image that, even
    opened as a document, gets no script and a unique origin."""
    archive = build_h5p(extra=[("content/images/x.svg", SVG)])

    response = admin_client.post(reverse(ADD), {"title": "", "file": as_upload(archive)})

    assert response.status_code == 302
    package = H5PPackage.objects.get()
    assert (package.content_dir / "content/images/x.svg").read_bytes() == SVG
    served = content_get(admin_client, package, "content/images/x.svg")
    assert served.status_code == 200
    assert served.body == SVG
    assert served["Content-Type"] == "image/svg+xml"
    assert served["X-Content-Type-Options"] == "nosniff"
    directives = [directive.strip() for directive in served["Content-Security-Policy"].split(";")]
    assert "sandbox" in directives
    assert "default-src 'none'" in directives
    assert not any(directive.startswith("script-src") for directive in directives)


def test_svg_in_content_is_never_served_by_the_site_origin(admin_client, settings, tmp_path):
    """Script in an SVG opened on the site's origin would run with the
    site's cookies: no URL of the site may return it, neither the content
    URL on the site's host nor the media URL when the content root lies
    inside MEDIA_ROOT (the default layout)."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.H5P_CONTENT_ROOT = str(tmp_path / "media" / "h5p")
    admin_client.post(reverse(ADD), {"title": "", "file": as_upload(build_h5p(extra=[("content/images/x.svg", SVG)]))})
    package = H5PPackage.objects.get()
    assert (package.content_dir / "content/images/x.svg").is_file()

    for path in (
        f"/h5p/{package.storage_path}/files/content/images/x.svg",
        f"/media/h5p/{package.storage_path}/content/images/x.svg",
        f"/media/x/../h5p/{package.storage_path}/content/images/x.svg",
    ):
        response = site_get(admin_client, path)
        assert response.status_code == 404, path
        assert b"<script>" not in response.body, path


# --- 3. Hostile packages -------------------------------------------------------------------------

LONG_NAME = "content/" + "a" * 296 + ".txt"  # one 300-character file name
LONG_NESTED = "content/" + ("d" * 49 + "/") * 11 + "x" * 38 + ".txt"  # 600 characters, no name over 49
assert len(LONG_NAME.rsplit("/", 1)[1]) == 300 and len(LONG_NESTED) == 600

PATH_TOO_LONG = "is too long: paths in an H5P package may have at most 512 characters, and 255 per name."
TOO_DEEP_CHAIN = "The libraries depend on each other in a chain more than 50 deep; the package is refused."

# id: (build, code, text the editor sees)
HOSTILE = {
    "300-character file name": (lambda: build_h5p(extra=[(LONG_NAME, b"x")]), "path_too_long", PATH_TOO_LONG),
    "600-character nested path": (lambda: build_h5p(extra=[(LONG_NESTED, b"x")]), "path_too_long", PATH_TOO_LONG),
    "name of 128 two-byte characters": (
        lambda: build_h5p(extra=[("content/" + "é" * 128, b"x")]),
        "path_too_long",
        PATH_TOO_LONG,
    ),
    "1,500-deep dependency chain": (lambda: library_chain(1500), "dependency_too_deep", TOO_DEEP_CHAIN),
    "content.json nested 50,000 deep": (
        lambda: build_h5p(replace={"content/content.json": json_nested({}, 50_000)}),
        "invalid_json",
        "content/content.json is not valid JSON.",
    ),
    "content.json nested 150 deep": (
        lambda: build_h5p(replace={"content/content.json": json_nested({}, 150)}),
        "json_too_deep",
        "content/content.json nests its data more than 100 levels deep; the package is refused.",
    ),
    "h5p.json nested 50,000 deep": (
        lambda: build_h5p(replace={"h5p.json": json_nested(fixture_json("h5p.json"), 50_000)}),
        "invalid_json",
        "h5p.json is not valid JSON.",
    ),
    "h5p.json nested 150 deep": (
        lambda: build_h5p(replace={"h5p.json": json_nested(fixture_json("h5p.json"), 150)}),
        "json_too_deep",
        "h5p.json nests its data more than 100 levels deep; the package is refused.",
    ),
    "library.json nested 150 deep": (
        lambda: build_h5p(replace={LIBRARY_JSON: json_nested(fixture_json(LIBRARY_JSON), 150)}),
        "json_too_deep",
        f"{LIBRARY_JSON} nests its data more than 100 levels deep; the package is refused.",
    ),
    # The whitelist grew by svg, diff, patch, swf and textile: code still
    # belongs in library folders only, and the rest stays refused.
    ".js in content": (
        lambda: build_h5p(extra=[("content/x.js", b"alert(1)")]),
        "disallowed_extension",
        "content/x.js: .js files are only allowed inside library folders, not in content.",
    ),
    ".html in a library": (
        lambda: build_h5p(extra=[(f"{LIBRARY}/page.html", b"<script></script>")]),
        "disallowed_extension",
        f"{LIBRARY}/page.html: files of type .html are not allowed in an H5P package.",
    ),
    ".svgz in content": (
        lambda: build_h5p(extra=[("content/x.svgz", b"\x1f\x8b")]),
        "disallowed_extension",
        "content/x.svgz: files of type .svgz are not allowed in an H5P package.",
    ),
}


@pytest.mark.parametrize("name", list(HOSTILE))
def test_hostile_package_is_refused_by_the_validator_with_its_code(name):
    """The exact code is what logs and the command line show; a
    RecursionError or a crash instead of a code would be a 500 upstream."""
    build, code, _text = HOSTILE[name]

    with pytest.raises(H5PValidationError) as caught:
        validate_h5p(io.BytesIO(build()))

    assert caught.value.code == code
    assert "\n" not in caught.value.message


@pytest.mark.parametrize("name", list(HOSTILE))
def test_hostile_package_uploaded_in_the_admin_is_a_form_error(admin_client, h5p_root, name):
    """An editor uploading one sees why on the form (never a 500), and
    nothing is stored: no row, no folder."""
    build, _code, text = HOSTILE[name]

    response = admin_client.post(reverse(ADD), {"title": "Hostile", "file": as_upload(build())})

    assert response.status_code == 200
    assert text in response.content.decode()
    assert response.context["form"].errors["file"]
    assert stored_nothing(h5p_root)


@pytest.mark.parametrize("name", list(HOSTILE))
def test_hostile_package_imported_from_the_shell_is_one_line(tmp_path, h5p_root, name):
    """The command goes through the service's own validation (the admin
    form validates before it): the same refusal, one line, nothing stored."""
    build, code, _text = HOSTILE[name]
    path = tmp_path / "hostile.h5p"
    path.write_bytes(build())

    with pytest.raises(CommandError) as caught:
        call_command("h5p_import", str(path), stdout=StringIO(), stderr=StringIO())

    assert str(caught.value).endswith(f"[{code}]")
    assert "\n" not in str(caught.value)
    assert stored_nothing(h5p_root)


@pytest.mark.parametrize(
    "entry",
    [
        "content/" + "a" * 251 + ".txt",  # a 255-byte name
        "content/" + ("d" * 99 + "/") * 4 + "x" * 100 + ".txt",  # a 512-byte path
        "content/" + "é" * 125 + ".txt",  # 129 characters, 254 bytes
    ],
)
def test_paths_at_the_limits_import(admin_client, h5p_root, entry):
    """The limits are the file system's (255 bytes a name): a path right at
    them is stored, not refused and not an OSError halfway through."""
    assert len(entry.encode()) <= 512 and max(len(part.encode()) for part in entry.split("/")) <= 255

    response = admin_client.post(reverse(ADD), {"title": "", "file": as_upload(build_h5p(extra=[(entry, b"edge")]))})

    assert response.status_code == 302
    package = H5PPackage.objects.get()
    assert (package.content_dir / entry).read_bytes() == b"edge"


def test_json_100_levels_deep_and_a_50_deep_chain_are_accepted():
    """The bounds refuse what is deeper than 100 levels and 50 links, not
    what reaches them."""
    validate_h5p(io.BytesIO(build_h5p(replace={"content/content.json": json_nested({}, 100)})))
    validate_h5p(io.BytesIO(library_chain(49)))  # the fixture library, then 49 links: 50 deep

    with pytest.raises(H5PValidationError) as caught:
        validate_h5p(io.BytesIO(library_chain(50)))
    assert caught.value.code == "dependency_too_deep"


def test_legacy_files_in_content_are_accepted_but_not_extracted(admin_client, h5p_root):
    """The whitelist lets .diff/.patch/.swf/.textile in anywhere (any case);
    none of them is ever written, so none can ever be served."""
    legacy = ["content/notes.diff", "content/fix.PATCH", "content/movie.SWF", "content/readme.textile", f"{LIBRARY}/x.swf"]

    response = admin_client.post(
        reverse(ADD), {"title": "", "file": as_upload(build_h5p(extra=[(entry, b"legacy") for entry in legacy]))}
    )

    assert response.status_code == 302
    package = H5PPackage.objects.get()
    assert extracted_files(package) == fixture_files()
    for entry in legacy:
        assert content_get(admin_client, package, entry).status_code == 404, entry


# --- 4. What validation lets through must not be a 500 ---------------------------------------------


def _version_longer_than_its_column() -> bytes:
    """A valid package whose library is version 1000...0.1 (41 digits, in a
    folder named after it as validation requires): the version text is
    longer than H5PPackage.main_library_version (32)."""
    major = 10**40
    folder = f"H5P.BridgelineCheck-{major}.1"
    files = fixture_files()
    moved = {entry.replace(LIBRARY, folder, 1): data for entry, data in files.items() if entry.startswith(LIBRARY)}
    moved[f"{folder}/library.json"] = json.dumps(fixture_json(LIBRARY_JSON, majorVersion=major)).encode()
    h5p_json = fixture_json(
        "h5p.json", preloadedDependencies=[{"machineName": "H5P.BridgelineCheck", "majorVersion": major, "minorVersion": 1}]
    )
    return build_h5p(replace={**{entry: None for entry in files if entry.startswith(LIBRARY)}, **moved, "h5p.json": h5p_json})


def _h5p_json_text(extra: str) -> bytes:
    return (json.dumps(fixture_json("h5p.json"))[:-1] + ", " + extra + "}").encode()


# Valid JSON that PostgreSQL refuses to store: text columns and jsonb take
# no NUL character, jsonb no lone surrogate and no NaN or Infinity.
UNSTORABLE = {
    "NUL in the title": lambda: build_h5p(replace={"h5p.json": fixture_json("h5p.json", title="Quiz\u0000")}),
    "NUL in other metadata": lambda: build_h5p(
        replace={"h5p.json": fixture_json("h5p.json", authors=[{"name": "A\u0000B", "role": "Author"}])}
    ),
    "lone surrogate in metadata": lambda: build_h5p(replace={"h5p.json": _h5p_json_text('"source": "\\ud800"')}),
    "NaN in metadata": lambda: build_h5p(replace={"h5p.json": _h5p_json_text('"yearFrom": NaN')}),
    "version longer than its column": _version_longer_than_its_column,
}


@pytest.mark.parametrize("name", list(UNSTORABLE))
def test_package_the_database_cannot_store_is_a_form_error(admin_client, h5p_root, name):
    """Validation passes these, then saving the row fails (DataError from
    PostgreSQL, or full_clean's ValidationError). The editor must get a form
    error, not a 500, and nothing may be left behind."""
    admin_client.raise_request_exception = False

    response = admin_client.post(reverse(ADD), {"title": "", "file": as_upload(UNSTORABLE[name]())})

    assert response.status_code == 200
    assert response.context["form"].errors["file"]
    assert stored_nothing(h5p_root)


@pytest.mark.parametrize("name", list(UNSTORABLE))
def test_package_the_database_cannot_store_is_one_line_in_the_shell(tmp_path, h5p_root, name):
    """The command promises one line and exit status 1 for a refused file,
    never a traceback."""
    path = tmp_path / "unstorable.h5p"
    path.write_bytes(UNSTORABLE[name]())

    with pytest.raises(CommandError) as caught:
        call_command("h5p_import", str(path), stdout=StringIO(), stderr=StringIO())

    assert str(caught.value).startswith("unstorable.h5p: ")
    assert "\n" not in str(caught.value)
    assert stored_nothing(h5p_root)


@pytest.fixture
def full_disk(monkeypatch, h5p_root):
    """Writing any file under the content root fails as on a full disk
    (the service creates each extracted file with Path.open("xb"))."""
    real_open = pathlib.Path.open

    def open_on_full_disk(self, mode="r", *args, **kwargs):
        if any(flag in mode for flag in "wxa") and pathlib.Path(self).is_relative_to(h5p_root):
            raise OSError(errno.ENOSPC, "No space left on device", str(self))
        return real_open(self, mode, *args, **kwargs)

    monkeypatch.setattr(pathlib.Path, "open", open_on_full_disk)


def test_disk_failure_while_extracting_is_a_form_error(admin_client, h5p_root, full_disk):
    """An OSError while extracting (disk full, quota, I/O error) is not the
    editor's fault, but it must still be told on the form that the upload
    did not work, not shown a 500; the half-written folder is removed."""
    admin_client.raise_request_exception = False

    response = admin_client.post(reverse(ADD), {"title": "", "file": as_upload(build_h5p())})

    assert response.status_code == 200
    assert response.context["form"].errors["file"]
    assert stored_nothing(h5p_root)


def test_disk_failure_while_extracting_is_one_line_in_the_shell(tmp_path, h5p_root, full_disk):
    """The service turns an OSError into one refusal (`storage_failed`) that
    the command prints like any other; checked against the same failure as
    the admin."""
    path = tmp_path / "check.h5p"
    path.write_bytes(build_h5p())

    with pytest.raises(CommandError) as caught:
        call_command("h5p_import", str(path), stdout=StringIO(), stderr=StringIO())

    assert str(caught.value).startswith("check.h5p: The package could not be stored on the server (No space left on device)")
    assert str(caught.value).endswith("[storage_failed]") and "\n" not in str(caught.value)
    assert stored_nothing(h5p_root)
