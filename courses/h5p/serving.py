"""Serving H5P packages from their own origin.

Why a separate origin (docs/h5p.md, "Playing"): h5p-standalone runs package
JavaScript in the page that hosts it, unsandboxed. So the player page and every package file are
served from H5P_CONTENT_ORIGIN (another host, hence another origin and
another cookie jar), and the lesson page frames that player with
`sandbox="allow-scripts allow-same-origin"`: package scripts can use the
content origin's storage but can never read the site's pages or cookies.
The two sides talk only through `postMessage`, each checking the other's
origin.

One Django process answers both hosts. `H5PContentOriginMiddleware` sends
requests for the content host to `courses.h5p.urls` and nothing else; the
site's URLconf does not include those URLs at all, so each side 404s the
other's paths.

Settings (all read here, at request time, so `override_settings` works):

* `H5P_CONTENT_ORIGIN`: scheme://host[:port] of the content origin. Empty
  turns the player off (lessons show a "not available" note).
* `H5P_SITE_ORIGINS`: origins allowed to frame the player and to receive its
  statements; defaults to the origin of WAGTAILADMIN_BASE_URL.
* `H5P_PLAYER_ROOT`: the installed `h5p-standalone` package (npm), served as
  the player's assets; defaults to BASE_DIR/node_modules/h5p-standalone.
"""

from __future__ import annotations

import hashlib
import json
import posixpath
import re
import uuid
from functools import cache
from pathlib import Path, PurePosixPath
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from . import conf
from .validation import CONTENT_EXTENSIONS, CONTENT_FOLDER, H5P_JSON, LIBRARY_EXTENSIONS, UNUSED_EXTENSIONS, is_ignored, is_unused

# `storage_path` of a package: a uuid4 hex. The content URLs use it rather
# than the primary key so that package files cannot be enumerated.
PACKAGE_KEY = re.compile(r"^[0-9a-f]{32}$")

# Content types by extension, fixed here rather than guessed from the
# system's mime database, so that a package file is served the same way on
# every machine. Anything a browser could render as a document with script
# (svg, xml) is also served with a sandboxing CSP (see FILE_CSP).
TEXT = "; charset=utf-8"
CONTENT_TYPES = {
    "json": "application/json",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "gif": "image/gif",
    "bmp": "image/bmp",
    "tif": "image/tiff",
    "tiff": "image/tiff",
    "eot": "application/vnd.ms-fontobject",
    "ttf": "font/ttf",
    "woff": "font/woff",
    "woff2": "font/woff2",
    "otf": "font/otf",
    "webm": "video/webm",
    "mp4": "video/mp4",
    "ogg": "audio/ogg",
    "mp3": "audio/mpeg",
    "m4a": "audio/mp4",
    "wav": "audio/wav",
    "txt": "text/plain" + TEXT,
    "pdf": "application/pdf",
    "rtf": "application/rtf",
    "doc": "application/msword",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xls": "application/vnd.ms-excel",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ppt": "application/vnd.ms-powerpoint",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "odt": "application/vnd.oasis.opendocument.text",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "odp": "application/vnd.oasis.opendocument.presentation",
    "xml": "application/xml" + TEXT,
    "csv": "text/csv" + TEXT,
    "md": "text/markdown" + TEXT,
    "vtt": "text/vtt" + TEXT,
    "webvtt": "text/vtt" + TEXT,
    "gltf": "model/gltf+json",
    "glb": "model/gltf-binary",
    "js": "text/javascript" + TEXT,
    "css": "text/css" + TEXT,
    "svg": "image/svg+xml",
}
assert LIBRARY_EXTENSIONS - UNUSED_EXTENSIONS <= CONTENT_TYPES.keys(), "every served extension needs a content type"

# The player's own files: the parts of h5p-standalone's dist/ it loads
# (bundles, styles, the fonts and images the styles point at).
PLAYER_ASSET_TYPES = {"js", "css", "woff", "woff2", "gif", "svg"}
# Our script that starts the player and forwards statements; it runs on the
# content origin, so it is served there (not from the site's /static/).
PLAYER_SCRIPT = Path(__file__).resolve().parent.parent / "static" / "courses" / "h5p" / "player.js"

# Package files are only ever loaded by the player on the content origin
# (same origin): no other site may embed them. If one is opened as a
# document (an svg, an xml), it gets no script and a unique origin.
FILE_CSP = "default-src 'none'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; font-src 'self'; media-src 'self'; sandbox"
# Packages never change after upload (a new version is a new package).
FILE_CACHE_CONTROL = "public, max-age=86400"
ASSET_CACHE_CONTROL = "public, max-age=604800, immutable"


# --- Origins -------------------------------------------------------------------


def origin_of(url: str) -> str:
    """`scheme://host[:port]` of a URL, lower-cased, default ports dropped;
    "" if the URL has no scheme or host."""
    parts = urlsplit((url or "").strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return ""
    host = parts.hostname.lower()
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    try:
        port = parts.port
    except ValueError:
        return ""
    default_port = {"http": 80, "https": 443}[parts.scheme]
    netloc = host if port in (None, default_port) else f"{host}:{port}"
    return f"{parts.scheme}://{netloc}"


def content_origin() -> str:
    return origin_of(conf.content_origin())


def site_origins() -> list[str]:
    configured = getattr(settings, "H5P_SITE_ORIGINS", None)
    if configured is None:
        configured = [getattr(settings, "WAGTAILADMIN_BASE_URL", "")]
    if isinstance(configured, str):
        configured = [configured]
    return [origin for origin in (origin_of(value) for value in configured) if origin]


def player_enabled() -> bool:
    return bool(content_origin())


def check_origins() -> None:
    """Refuse a configuration where the content origin is also a site origin:
    package scripts would then run with the site's cookies."""
    origin = content_origin()
    if origin and origin in site_origins():
        raise ImproperlyConfigured(
            f"H5P_CONTENT_ORIGIN ({origin}) must differ from the site's origins (H5P_SITE_ORIGINS); "
            "serve H5P content from another host name."
        )


def _host_key(host: str, scheme: str) -> str:
    return origin_of(f"{scheme}://{host}").split("://", 1)[-1]


def is_content_request(request) -> bool:
    """Whether `request` was sent to the content origin's host (and port).
    Compared on host and port only: behind a TLS-terminating proxy the
    request's scheme need not be the origin's."""
    origin = content_origin()
    if not origin:
        return False
    scheme, netloc = origin.split("://", 1)
    return _host_key(request.get_host(), scheme) == netloc


def request_origin(request) -> str:
    return origin_of(f"{request.scheme}://{request.get_host()}")


def is_package_media_path(path: str) -> bool:
    """Whether `path` (a request path) would reach a file under the H5P
    content root through the site's media URL, resolved the way
    `django.views.static.serve` does (normalised, links followed)."""
    media_url = str(getattr(settings, "MEDIA_URL", "") or "")
    if not media_url.startswith("/") or not path.startswith(media_url):
        return False
    rest = posixpath.normpath("/" + path[len(media_url):]).lstrip("/")
    media_root = Path(settings.MEDIA_ROOT).resolve()
    content_root = conf.content_root().resolve()
    if not content_root.is_relative_to(media_root):
        return False
    return (media_root / rest).resolve().is_relative_to(content_root)


# --- URLs ------------------------------------------------------------------------


def package_key(package) -> str:
    return package.storage_path


def package_files_url(package) -> str:
    """Absolute URL of the package folder on the content origin (what
    h5p-standalone's `h5pJsonPath` expects: the folder holding h5p.json)."""
    return f"{content_origin()}/h5p/{package_key(package)}/files"


def activity_iri(*, lesson_key: str, block_id: str) -> str:
    """The xAPI object id the player gives the activity (h5p-standalone's
    `xAPIObjectIRI`), the same on every host and in every language: a
    statement about the activity itself carries exactly this id; statements
    about its parts (sub-content) carry this id plus `?subContentId=...`.
    The learning app compares a statement's object id with it."""
    return f"urn:bridgeline:h5p:lesson:{lesson_key}:block:{block_id}"


def player_url(*, package, lesson_key: str, block_id: str, parent_origin: str) -> str:
    query = urlencode({"lesson": str(lesson_key), "block": str(block_id), "parent": parent_origin})
    return f"{content_origin()}/h5p/{package_key(package)}/player/?{query}"


def is_uuid(value: str) -> bool:
    try:
        return str(uuid.UUID(value)) == value.lower()
    except (ValueError, AttributeError, TypeError):
        return False


# --- Files -----------------------------------------------------------------------


def extension_of(name: str) -> str:
    return PurePosixPath(name).suffix.lower().removeprefix(".")


def allowed_package_file(relative: str) -> bool:
    """The rule validation applied on upload (courses/h5p/validation.py),
    applied again on every request: h5p.json and content/ hold content
    types only; library folders may also hold js, css and svg. Ignored
    names (`.x`, `_x`) and legacy files no player loads (`.diff`, `.swf`...)
    were never extracted and are never served."""
    if not relative or is_ignored(relative) or is_unused(relative):
        return False
    top = relative.split("/", 1)[0]
    in_library = "/" in relative and top != CONTENT_FOLDER
    if "/" not in relative and relative != H5P_JSON:
        return False
    allowed = LIBRARY_EXTENSIONS if in_library else CONTENT_EXTENSIONS
    return extension_of(relative) in allowed


def content_type_for(name: str) -> str:
    return CONTENT_TYPES.get(extension_of(name), "application/octet-stream")


# --- The player's assets ---------------------------------------------------------------


def player_root() -> Path:
    configured = getattr(settings, "H5P_PLAYER_ROOT", None)
    if configured:
        return Path(configured)
    return Path(settings.BASE_DIR) / "node_modules" / "h5p-standalone"


@cache
def _installed_version(root: Path, mtime: float) -> str:
    return str(json.loads((root / "package.json").read_text())["version"])


@cache
def _digest(path: Path, mtime: float) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


def player_version() -> str:
    """The installed h5p-standalone version, part of the asset URLs so that
    an upgrade never mixes cached files of two versions. "" if missing."""
    root = player_root()
    try:
        return _installed_version(root, (root / "package.json").stat().st_mtime)
    except (OSError, ValueError, KeyError):
        return ""


def player_asset_path(relative: str) -> Path | None:
    """The file behind `/h5p/player/<version>/<relative>`, or None."""
    if relative == "player.js":
        return PLAYER_SCRIPT
    if extension_of(relative) not in PLAYER_ASSET_TYPES:
        return None
    if "\\" in relative or any(part in ("", ".", "..") for part in relative.split("/")):
        return None
    root = (player_root() / "dist").resolve()
    target = (root / relative).resolve()
    if not target.is_relative_to(root) or not target.is_file():
        return None
    return target


def player_assets_url() -> str:
    return f"{content_origin()}/h5p/player/{player_version()}"


def player_script_url() -> str:
    """Our player script changes with our code, not with h5p-standalone:
    its URL carries a digest of its bytes so the long cache never serves a
    stale copy."""
    return f"{player_assets_url()}/player.js?v={_digest(PLAYER_SCRIPT, PLAYER_SCRIPT.stat().st_mtime)}"
