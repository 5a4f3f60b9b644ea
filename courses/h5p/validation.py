"""Validation of uploaded `.h5p` archives, before anything touches the disk.

An H5P package is untrusted input. The rules follow the H5P reference
servers (docs/h5p.md, "Upload"): a zip with `h5p.json`,
`content/content.json` and one folder per library; allow-listed extensions;
16 MiB per file and 64 MiB in total, uncompressed; files whose names start
with `.` or `_` are ignored. On top of
those we refuse what the reference servers leave to the platform: unsafe
paths (absolute, `..`, drive letters, backslashes), symlinks, duplicate
entries, encrypted entries and dependency cycles.

Everything here reads the archive through `zipfile` (central directory first,
then only the JSON manifests, each read with a byte bound), so validating
never loads the whole archive into memory. Sizes declared in the central
directory are checked before anything is extracted; `read_entry_chunks`
enforces the same limits on the bytes actually inflated, because a hostile
zip can declare a small size and inflate to a large one.

Every refusal is one `H5PValidationError` with a stable `code` (for tests,
logs and the command line) and a translatable message for editors.
"""

from __future__ import annotations

import json
import re
import stat
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import IO, Any

from django.template.defaultfilters import filesizeformat
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from config.json_checks import json_depth, json_text_storable

from . import conf
from .scoring import calls_scored

# The H5P core's default content whitelist (h5p-php-library
# `$defaultContentWhitelist`, also the Node.js server's): any of these may be
# anywhere in a package. SVG is in it: content images are often SVG. It is
# served with a sandboxing CSP (serving.FILE_CSP), so a script inside an SVG
# never runs, even when the file is opened as a document.
CONTENT_EXTENSIONS = frozenset(
    {
        "json",
        "png", "jpg", "jpeg", "gif", "bmp", "tif", "tiff", "svg",
        "eot", "ttf", "woff", "woff2", "otf",
        "webm", "mp4", "ogg", "mp3", "m4a", "wav",
        "txt", "pdf", "rtf", "doc", "docx", "xls", "xlsx", "ppt", "pptx",
        "odt", "ods", "odp", "xml", "csv", "md",
        "vtt", "webvtt",
        "gltf", "glb",
        "diff", "patch", "swf", "textile",
    }
)  # fmt: skip
# Library folders also hold the code and styles of the content type.
LIBRARY_EXTENSIONS = CONTENT_EXTENSIONS | {"js", "css"}
# Legacy files the official libraries still ship (jQuery.ui 1.10 carries
# `apply-when-upgrading.diff`, Downloadify a Flash `.swf`): the whitelist
# accepts them so those packages import, but no player ever loads them, so
# they are neither extracted nor served.
UNUSED_EXTENSIONS = frozenset({"diff", "patch", "swf", "textile"})

# Longest path and path segment accepted (bytes, UTF-8). Real packages stay
# under 100 characters; file systems refuse segments over 255 bytes, and a
# refusal here is one clear line instead of an OSError halfway through
# extraction.
MAX_PATH_BYTES = 512
MAX_SEGMENT_BYTES = 255
# Deepest JSON nesting accepted in a manifest or content.json (the hub's
# Course Presentation nests 22 levels) and the longest chain of library
# dependencies (real content types stay under 10).
MAX_JSON_DEPTH = 100
MAX_DEPENDENCY_DEPTH = 50

# What H5P authoring tools produce. Other methods (bzip2, lzma, ...) are
# refused so that one well-understood decompressor handles untrusted input.
ALLOWED_COMPRESSION = frozenset({zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED})

# Archive bytes allowed per entry on top of the uncompressed cap: zip headers
# (local and central, with the name twice) plus deflate's worst-case overhead.
ARCHIVE_OVERHEAD_PER_ENTRY = 1024

READ_CHUNK = 64 * 1024

MACHINE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
DRIVE_LETTER = re.compile(r"^[A-Za-z]:")

H5P_JSON = "h5p.json"
CONTENT_JSON = "content/content.json"
CONTENT_FOLDER = "content"
LIBRARY_JSON = "library.json"


class H5PValidationError(Exception):
    """Why an archive is not an acceptable H5P package.

    `code` is stable and short ("unsafe_path"); `message` is rendered in the
    language active when it is read, so the same error shows in an editor's
    language in the admin and in English on the command line.
    """

    def __init__(self, code: str, message: str | Promise, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.message_template = message
        self.params = params

    @property
    def message(self) -> str:
        text = str(self.message_template)
        return text % self.params if self.params else text

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class LibraryRef:
    """A dependency as written in h5p.json or library.json."""

    machine_name: str
    major: int
    minor: int

    def __str__(self) -> str:
        return f"{self.machine_name} {self.major}.{self.minor}"


@dataclass
class Library:
    """One library folder of the package, checked against its library.json."""

    folder: str
    machine_name: str
    major: int
    minor: int
    patch: int
    runnable: bool
    metadata: dict[str, Any]
    dependencies: list[LibraryRef] = field(default_factory=list)

    def __str__(self) -> str:
        return f"{self.machine_name} {self.major}.{self.minor}"


@dataclass
class H5PManifest:
    """What validation learnt about an archive; extraction works from it."""

    metadata: dict[str, Any]
    main_library: Library
    libraries: dict[str, Library]
    files: list[zipfile.ZipInfo]
    declared_bytes: int
    content: dict[str, Any] = field(default_factory=dict)
    # Whether the main library's scripts call the core's scoring helpers
    # (courses/h5p/scoring.py reads it).
    main_calls_scored: bool = False

    @property
    def title(self) -> str:
        return str(self.metadata["title"])

    @property
    def language(self) -> str:
        return str(self.metadata["language"])


# --- Opening -----------------------------------------------------------------


@contextmanager
def open_archive(source: str | IO[bytes]) -> Iterator[zipfile.ZipFile]:
    """Open `source` (a path or a seekable binary file, such as Django's
    UploadedFile) as a zip, turning every way it can fail into one error."""
    if not isinstance(source, str):
        source.seek(0)
    size = _size_of(source)
    limit = conf.max_total_bytes() + conf.max_entries() * ARCHIVE_OVERHEAD_PER_ENTRY
    if size > limit:
        raise H5PValidationError(
            "archive_too_large",
            _("The file is %(size)s; an H5P package may be at most %(limit)s."),
            size=filesizeformat(size),
            limit=filesizeformat(conf.max_total_bytes()),
        )
    head = _head_of(source)
    try:
        archive = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError) as exc:
        if head.startswith(b"PK"):
            raise H5PValidationError(
                "corrupt_zip",
                _("The file starts like a zip archive but cannot be read: it is probably truncated or damaged."),
            ) from exc
        raise H5PValidationError(
            "not_zip",
            _("The file is not an H5P package: an .h5p file is a zip archive, and this one is not."),
        ) from exc
    with archive:
        yield archive


def _size_of(source: str | IO[bytes]) -> int:
    if isinstance(source, str):
        with open(source, "rb") as handle:
            return handle.seek(0, 2)
    end = source.seek(0, 2)
    source.seek(0)
    return end


def _head_of(source: str | IO[bytes]) -> bytes:
    if isinstance(source, str):
        with open(source, "rb") as handle:
            return handle.read(4)
    head = source.read(4)
    source.seek(0)
    return head


# --- Reading entries -----------------------------------------------------------


def read_entry_chunks(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> Iterator[bytes]:
    """Yield the inflated bytes of `info`, stopping as soon as more arrive
    than the central directory declared (or than the per-file cap).

    This is the second line against zip bombs: the declared sizes were
    already checked, but they are only what the archive claims.
    """
    limit = min(info.file_size, conf.max_file_bytes())
    seen = 0
    try:
        with archive.open(info) as stream:
            while chunk := stream.read(READ_CHUNK):
                seen += len(chunk)
                if seen > limit:
                    raise H5PValidationError(
                        "size_mismatch",
                        _("%(name)s inflates to more than the size the archive declares for it; the package is refused."),
                        name=shown(info.filename),
                    )
                yield chunk
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError, OSError) as exc:
        raise H5PValidationError(
            "corrupt_zip",
            _("%(name)s cannot be read from the archive: the file is damaged or truncated."),
            name=shown(info.filename),
        ) from exc


def _read_json(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> Any:
    data = b"".join(read_entry_chunks(archive, info))
    invalid = H5PValidationError("invalid_json", _("%(name)s is not valid JSON."), name=shown(info.filename))
    try:
        value = json.loads(data.decode("utf-8-sig"), parse_constant=_no_constant)
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise invalid from exc
    if not json_text_storable(value):
        # NUL characters and lone surrogates are JSON but cannot be stored
        # (PostgreSQL text and jsonb refuse them): a refusal, not a 500.
        raise invalid
    if json_depth(value) > MAX_JSON_DEPTH:
        raise H5PValidationError(
            "json_too_deep",
            _("%(name)s nests its data more than %(limit)d levels deep; the package is refused."),
            name=shown(info.filename),
            limit=MAX_JSON_DEPTH,
        )
    return value


def _no_constant(name: str):
    raise ValueError(f"{name} is not JSON")


def shown(name: str, *, limit: int = 120) -> str:
    """A file name as it may appear in a one-line message: no control
    characters (a name could otherwise forge extra lines), bounded length."""
    cleaned = "".join(ch if ch.isprintable() else "?" for ch in name)
    return cleaned if len(cleaned) <= limit else cleaned[: limit - 1] + "…"


# --- Entry-level checks (central directory only) --------------------------------


def check_safe_path(name: str) -> None:
    """Refuse a path that could land outside the folder it is extracted to,
    or that different systems would read differently."""
    if "\\" in name:
        raise H5PValidationError(
            "unsafe_path",
            _("%(name)s contains a backslash; paths in an H5P package must use forward slashes."),
            name=shown(name),
        )
    if name.startswith("/"):
        raise H5PValidationError(
            "unsafe_path", _("%(name)s is an absolute path; the package is refused."), name=shown(name)
        )
    encoded = name.encode("utf-8", "surrogatepass")
    if len(encoded) > MAX_PATH_BYTES or any(len(part) > MAX_SEGMENT_BYTES for part in encoded.split(b"/")):
        raise H5PValidationError(
            "path_too_long",
            _("%(name)s is too long: paths in an H5P package may have at most %(limit)d characters, and %(segment)d per name."),
            name=shown(name),
            limit=MAX_PATH_BYTES,
            segment=MAX_SEGMENT_BYTES,
        )
    if DRIVE_LETTER.match(name):
        raise H5PValidationError(
            "unsafe_path", _("%(name)s starts with a drive letter; the package is refused."), name=shown(name)
        )
    if any(not ch.isprintable() for ch in name):
        raise H5PValidationError(
            "unsafe_path", _("%(name)s contains control characters; the package is refused."), name=shown(name)
        )
    segments = name.removesuffix("/").split("/")
    if any(segment in ("", ".", "..") for segment in segments):
        raise H5PValidationError(
            "unsafe_path",
            _("%(name)s points outside its folder (empty, '.' or '..' path segments); the package is refused."),
            name=shown(name),
        )


def is_ignored(name: str) -> bool:
    """The reference servers skip files and folders starting with `.` or `_`
    (macOS's __MACOSX and .DS_Store, editors' backups): never extracted."""
    return any(segment.startswith((".", "_")) for segment in name.split("/") if segment)


def is_unused(name: str) -> bool:
    """Whitelisted legacy files that no player loads (UNUSED_EXTENSIONS):
    accepted in a package, never extracted or served."""
    return PurePosixPath(name).suffix.lower().removeprefix(".") in UNUSED_EXTENSIONS


def _check_entries(infos: list[zipfile.ZipInfo]) -> int:
    """Check every entry as declared in the central directory; return the
    declared uncompressed total."""
    if len(infos) > conf.max_entries():
        raise H5PValidationError(
            "too_many_entries",
            _("The package has %(count)d entries; at most %(limit)d are allowed."),
            count=len(infos),
            limit=conf.max_entries(),
        )
    max_file = conf.max_file_bytes()
    total = 0
    names: set[str] = set()
    folders: set[str] = set()
    for info in infos:
        name = info.filename
        check_safe_path(name)
        if stat.S_ISLNK(info.external_attr >> 16):
            raise H5PValidationError(
                "symlink", _("%(name)s is a symbolic link; links are not allowed in a package."), name=shown(name)
            )
        if info.flag_bits & 0x1:
            raise H5PValidationError(
                "encrypted_entry", _("%(name)s is encrypted; H5P packages cannot be encrypted."), name=shown(name)
            )
        if info.compress_type not in ALLOWED_COMPRESSION:
            raise H5PValidationError(
                "unsupported_compression",
                _("%(name)s uses a compression method H5P packages do not use."),
                name=shown(name),
            )
        if info.file_size > max_file:
            raise H5PValidationError(
                "file_too_large",
                _("%(name)s is %(size)s uncompressed; each file may be at most %(limit)s."),
                name=shown(name),
                size=filesizeformat(info.file_size),
                limit=filesizeformat(max_file),
            )
        total += info.file_size
        key = name.removesuffix("/")
        # Two entries with one name would let validation read one copy and
        # extraction write the other; a file named like a folder breaks
        # extraction halfway.
        if key in names:
            raise H5PValidationError(
                "duplicate_entry", _("%(name)s appears more than once in the package."), name=shown(name)
            )
        names.add(key)
        if not info.is_dir():
            parts = key.split("/")
            folders.update("/".join(parts[:i]) for i in range(1, len(parts)))
    if total > conf.max_total_bytes():
        raise H5PValidationError(
            "too_large",
            _("The package is %(size)s uncompressed; at most %(limit)s is allowed."),
            size=filesizeformat(total),
            limit=filesizeformat(conf.max_total_bytes()),
        )
    files_named_like_folders = folders & {info.filename for info in infos if not info.is_dir()}
    if files_named_like_folders:
        name = sorted(files_named_like_folders)[0]
        raise H5PValidationError(
            "duplicate_entry", _("%(name)s is both a file and a folder in the package."), name=shown(name)
        )
    return total


def _check_extension(name: str) -> None:
    top = name.split("/", 1)[0]
    in_library = "/" in name and top != CONTENT_FOLDER
    allowed = LIBRARY_EXTENSIONS if in_library else CONTENT_EXTENSIONS
    extension = PurePosixPath(name).suffix.lower().removeprefix(".")
    if extension not in allowed:
        if not extension:
            message = _("%(name)s has no file extension; only allow-listed file types may be in a package.")
        elif extension in LIBRARY_EXTENSIONS:
            message = _("%(name)s: .%(extension)s files are only allowed inside library folders, not in content.")
        else:
            message = _("%(name)s: files of type .%(extension)s are not allowed in an H5P package.")
        raise H5PValidationError(
            "disallowed_extension", message, name=shown(name), extension=extension
        )


# --- Manifests -------------------------------------------------------------------


# Version numbers of real libraries are small; a bound keeps "1.10**40"
# out of the version column (and out of a 500 when the row is saved).
MAX_VERSION = 99_999


def _version(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 5:
        value = int(value)
    if isinstance(value, int) and 0 <= value <= MAX_VERSION:
        return value
    return None


def _dependency_refs(value: Any, *, where: str, code: str) -> list[LibraryRef]:
    invalid = H5PValidationError(
        code,
        _("%(name)s: preloadedDependencies must be a list of {machineName, majorVersion, minorVersion}."),
        name=where,
    )
    if not isinstance(value, list):
        raise invalid
    refs = []
    for item in value:
        if not isinstance(item, dict):
            raise invalid
        machine_name = item.get("machineName")
        major, minor = _version(item.get("majorVersion")), _version(item.get("minorVersion"))
        if not isinstance(machine_name, str) or not MACHINE_NAME.match(machine_name) or major is None or minor is None:
            raise invalid
        refs.append(LibraryRef(machine_name, major, minor))
    return refs


def _check_h5p_json(metadata: Any) -> list[LibraryRef]:
    if not isinstance(metadata, dict):
        raise H5PValidationError("invalid_h5p_json", _("h5p.json must hold a JSON object."))
    missing = [
        key
        for key in ("title", "language", "mainLibrary", "embedTypes", "preloadedDependencies")
        if key not in metadata
    ]
    if missing:
        raise H5PValidationError(
            "invalid_h5p_json", _("h5p.json lacks required keys: %(keys)s."), keys=", ".join(missing)
        )
    for key in ("title", "language", "mainLibrary"):
        if not isinstance(metadata[key], str) or not metadata[key].strip():
            raise H5PValidationError("invalid_h5p_json", _("h5p.json: %(key)s must be a non-empty text."), key=key)
    if not isinstance(metadata["embedTypes"], list):
        raise H5PValidationError("invalid_h5p_json", _("h5p.json: embedTypes must be a list."))
    return _dependency_refs(metadata["preloadedDependencies"], where=H5P_JSON, code="invalid_h5p_json")


def _load_library(archive: zipfile.ZipFile, folder: str, present: dict[str, zipfile.ZipInfo]) -> Library:
    path = f"{folder}/{LIBRARY_JSON}"
    info = present.get(path)
    if info is None:
        raise H5PValidationError(
            "invalid_library",
            _("The folder %(folder)s has no library.json; every folder besides content must be a library."),
            folder=shown(folder),
        )
    data = _read_json(archive, info)
    if not isinstance(data, dict):
        raise H5PValidationError("invalid_library", _("%(name)s must hold a JSON object."), name=shown(path))
    missing = [
        key
        for key in ("title", "machineName", "majorVersion", "minorVersion", "patchVersion", "runnable")
        if key not in data
    ]
    if missing:
        raise H5PValidationError(
            "invalid_library",
            _("%(name)s lacks required keys: %(keys)s."),
            name=shown(path),
            keys=", ".join(missing),
        )
    machine_name = data["machineName"]
    major, minor, patch = (_version(data[key]) for key in ("majorVersion", "minorVersion", "patchVersion"))
    if not isinstance(machine_name, str) or not MACHINE_NAME.match(machine_name) or None in (major, minor, patch):
        raise H5PValidationError(
            "invalid_library",
            _("%(name)s: machineName or a version number is not valid."),
            name=shown(path),
        )
    if folder not in (f"{machine_name}-{major}.{minor}", machine_name):
        raise H5PValidationError(
            "library_mismatch",
            _("The folder %(folder)s holds %(library)s; it must be named %(expected)s."),
            folder=shown(folder),
            library=f"{machine_name} {major}.{minor}",
            expected=f"{machine_name}-{major}.{minor}",
        )
    for key in ("preloadedJs", "preloadedCss"):
        files = data.get(key, [])
        if not isinstance(files, list) or not all(isinstance(f, dict) and isinstance(f.get("path"), str) for f in files):
            raise H5PValidationError(
                "invalid_library", _("%(name)s: %(key)s must be a list of {path}."), name=shown(path), key=key
            )
        for entry in files:
            check_safe_path(entry["path"])
            if f"{folder}/{entry['path']}" not in present:
                raise H5PValidationError(
                    "missing_preloaded_file",
                    _("%(library)s lists %(file)s in %(key)s, but the package does not contain it."),
                    library=shown(folder),
                    file=shown(entry["path"]),
                    key=key,
                )
    dependencies = _dependency_refs(data.get("preloadedDependencies", []), where=shown(path), code="invalid_library")
    return Library(
        folder=folder,
        machine_name=machine_name,
        major=major,
        minor=minor,
        patch=patch,
        runnable=bool(data["runnable"]),
        metadata=data,
        dependencies=dependencies,
    )


def _find(ref: LibraryRef, libraries: dict[str, Library]) -> Library:
    for folder in (f"{ref.machine_name}-{ref.major}.{ref.minor}", ref.machine_name):
        library = libraries.get(folder)
        if library and (library.major, library.minor) == (ref.major, ref.minor):
            return library
    raise H5PValidationError(
        "missing_library",
        _("The package needs the library %(library)s but has no folder %(folder)s for it."),
        library=str(ref),
        folder=f"{ref.machine_name}-{ref.major}.{ref.minor}",
    )


def _check_dependencies(roots: list[LibraryRef], libraries: dict[str, Library]) -> None:
    """Every preloaded dependency, followed recursively, must be in the
    package; a cycle is refused (players would load forever or not at all),
    and so is a chain deeper than MAX_DEPENDENCY_DEPTH. Walked with an
    explicit stack: a hostile chain of thousands of libraries gets the same
    one-line refusal as any other, never a RecursionError."""
    done: set[str] = set()
    for root in roots:
        library = _find(root, libraries)
        if library.folder in done:
            continue
        # The path from the root to the library being visited, each with an
        # iterator over the dependencies still to visit.
        path: list[Library] = [library]
        on_path = {library.folder}
        pending = [iter(library.dependencies)]
        while pending:
            ref = next(pending[-1], None)
            if ref is None:
                finished = path.pop()
                pending.pop()
                on_path.discard(finished.folder)
                done.add(finished.folder)
                continue
            dependency = _find(ref, libraries)
            if dependency.folder in done:
                continue
            if dependency.folder in on_path:
                folders = [item.folder for item in path]
                cycle = path[folders.index(dependency.folder) :] + [dependency]
                raise H5PValidationError(
                    "dependency_cycle",
                    _("The libraries depend on each other in a circle: %(cycle)s."),
                    cycle=" → ".join(str(item) for item in cycle),
                )
            if len(path) >= MAX_DEPENDENCY_DEPTH:
                raise H5PValidationError(
                    "dependency_too_deep",
                    _("The libraries depend on each other in a chain more than %(limit)d deep; the package is refused."),
                    limit=MAX_DEPENDENCY_DEPTH,
                )
            path.append(dependency)
            on_path.add(dependency.folder)
            pending.append(iter(dependency.dependencies))


# --- The whole archive ----------------------------------------------------------------


def validate_archive(archive: zipfile.ZipFile) -> H5PManifest:
    """Check an opened archive; return what extraction needs, or raise."""
    infos = archive.infolist()
    declared = _check_entries(infos)
    files = sorted(
        (info for info in infos if not info.is_dir() and not is_ignored(info.filename)),
        key=lambda info: info.filename,
    )
    for info in files:
        _check_extension(info.filename)
    present = {info.filename: info for info in files}

    if H5P_JSON not in present:
        raise H5PValidationError(
            "missing_h5p_json", _("The package has no h5p.json at its top level, so it is not an H5P package.")
        )
    metadata = _read_json(archive, present[H5P_JSON])
    roots = _check_h5p_json(metadata)

    if CONTENT_JSON not in present:
        raise H5PValidationError("missing_content", _("The package has no content/content.json."))
    content = _read_json(archive, present[CONTENT_JSON])
    if not isinstance(content, dict):
        raise H5PValidationError("invalid_json", _("content/content.json must hold a JSON object."))

    folders = sorted({name.split("/", 1)[0] for name in present if "/" in name} - {CONTENT_FOLDER})
    libraries = {folder: _load_library(archive, folder, present) for folder in folders}
    _check_dependencies(roots, libraries)

    main = next((ref for ref in roots if ref.machine_name == metadata["mainLibrary"]), None)
    if main is None:
        raise H5PValidationError(
            "main_library_missing",
            _("h5p.json names %(library)s as its main library but does not list it in preloadedDependencies."),
            library=shown(metadata["mainLibrary"]),
        )
    main_library = _find(main, libraries)
    scripts = (
        b"".join(read_entry_chunks(archive, present[f"{main_library.folder}/{entry['path']}"]))
        for entry in main_library.metadata.get("preloadedJs", [])
    )
    return H5PManifest(
        main_calls_scored=calls_scored(scripts),
        metadata=metadata,
        main_library=main_library,
        libraries=libraries,
        files=[info for info in files if not is_unused(info.filename)],
        declared_bytes=declared,
        content=content,
    )


def validate_h5p(source: str | IO[bytes]) -> H5PManifest:
    """Validate a path or a seekable binary file (an upload) as an H5P package."""
    with open_archive(source) as archive:
        return validate_archive(archive)
