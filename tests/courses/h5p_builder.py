"""Build `.h5p` archives in memory for tests: the valid fixture package
(tests/fixtures/h5p/bridgeline-check) and every malformed variant the
validator must refuse. Nothing here touches the disk except reading the
fixture, so hostile archives (bombs, links, traversal) never exist as files.
"""

from __future__ import annotations

import io
import json
import random
import stat
import struct
import warnings
import zipfile
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "h5p" / "bridgeline-check"
LIBRARY = "H5P.BridgelineCheck-1.1"
LIBRARY_JSON = f"{LIBRARY}/library.json"

# An entry is a name and its bytes, or a ready ZipInfo (for links, odd
# attributes or stored entries) and its bytes.
Entry = tuple[str | zipfile.ZipInfo, bytes]
# Replacement contents: bytes/str as-is, dict/list as JSON, None removes.
Contents = bytes | str | dict | list | None


def fixture_files() -> dict[str, bytes]:
    """The valid package's files, keyed by their name inside the zip."""
    return {
        path.relative_to(FIXTURE).as_posix(): path.read_bytes()
        for path in sorted(FIXTURE.rglob("*"))
        if path.is_file()
    }


def fixture_json(name: str, **changes: Any) -> dict:
    """A fixture JSON file with keys changed; a value of None removes a key."""
    data = json.loads(fixture_files()[name])
    for key, value in changes.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return data


def zip_bytes(entries: Iterable[Entry], *, compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    """A zip holding exactly `entries`, in order."""
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        # Duplicate names are one of the hostile variants; zipfile warns.
        warnings.simplefilter("ignore", UserWarning)
        with zipfile.ZipFile(buffer, "w", compression=compression) as archive:
            for name, data in entries:
                archive.writestr(name, data)
    return buffer.getvalue()


def build_h5p(
    *,
    replace: Mapping[str, Contents] | None = None,
    extra: Iterable[Entry] = (),
    compression: int = zipfile.ZIP_DEFLATED,
) -> bytes:
    """The fixture package, with files replaced, added or removed (`replace`)
    and raw entries appended (`extra`)."""
    files: dict[str, bytes] = fixture_files()
    for name, contents in (replace or {}).items():
        if contents is None:
            files.pop(name, None)
        elif isinstance(contents, dict | list):
            files[name] = json.dumps(contents).encode()
        elif isinstance(contents, str):
            files[name] = contents.encode()
        else:
            files[name] = contents
    return zip_bytes([*files.items(), *extra], compression=compression)


def symlink_entry(name: str, target: str) -> Entry:
    """A Unix symlink as zip tools store it: S_IFLNK in the high bits of
    external_attr, the link target as the data."""
    info = zipfile.ZipInfo(name)
    info.create_system = 3
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    return info, target.encode()


def patch_entry(archive: bytes, name: str, *, declared_size: int | None = None, flag_bits: int | None = None) -> bytes:
    """Rewrite the header fields of `name` in both its local header and the
    central directory, as a hostile tool could: a declared size that lies
    about how much the entry inflates to (the classic bomb disguise), or
    flags (encryption) that zipfile's writer would not produce."""
    data = bytearray(archive)
    encoded = name.encode()
    position = 0
    patched = 0
    while (position := data.find(b"PK\x01\x02", position)) != -1:
        name_length = struct.unpack_from("<H", data, position + 28)[0]
        if bytes(data[position + 46 : position + 46 + name_length]) == encoded:
            local = struct.unpack_from("<I", data, position + 42)[0]
            if declared_size is not None:
                struct.pack_into("<I", data, position + 24, declared_size)
                struct.pack_into("<I", data, local + 22, declared_size)
            if flag_bits is not None:
                struct.pack_into("<H", data, position + 8, flag_bits)
                struct.pack_into("<H", data, local + 6, flag_bits)
            patched += 1
        position += 4
    assert patched == 1, f"{name} not found exactly once"
    return bytes(data)


def as_upload(data: bytes, name: str = "check.h5p") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/zip")


def _valid() -> bytes:
    return build_h5p()


def _cycle() -> bytes:
    # BridgelineCheck 1.1 → CycleHelper 1.0 → BridgelineCheck 1.1
    helper = {
        "title": "Cycle helper",
        "machineName": "H5P.CycleHelper",
        "majorVersion": 1,
        "minorVersion": 0,
        "patchVersion": 0,
        "runnable": 0,
        "preloadedDependencies": [{"machineName": "H5P.BridgelineCheck", "majorVersion": 1, "minorVersion": 1}],
    }
    return build_h5p(
        replace={
            LIBRARY_JSON: fixture_json(
                LIBRARY_JSON,
                preloadedDependencies=[{"machineName": "H5P.CycleHelper", "majorVersion": 1, "minorVersion": 0}],
            ),
            "H5P.CycleHelper-1.0/library.json": helper,
        }
    )


def _flagged_encrypted() -> bytes:
    archive = build_h5p(extra=[("content/secret.txt", b"not really encrypted")])
    return patch_entry(archive, "content/secret.txt", flag_bits=0x1)


def _bzip2_entry() -> bytes:
    info = zipfile.ZipInfo("content/notes.txt")
    info.compress_type = zipfile.ZIP_BZIP2
    return build_h5p(extra=[(info, b"compressed the unusual way")])


def _without_library() -> bytes:
    return build_h5p(replace={name: None for name in fixture_files() if name.startswith(LIBRARY)})


MIB = 1024 * 1024

# id: (build, expected code, settings for the test). Caps are lowered where a
# variant is about size, so no test inflates more than a few MiB.
MALFORMED: dict[str, tuple[Callable[[], bytes], str, dict[str, int]]] = {
    "not a zip": (lambda: b"<html><body>Not a zip</body></html>", "not_zip", {}),
    "empty file": (lambda: b"", "not_zip", {}),
    "truncated zip": (lambda: _valid()[: len(_valid()) // 2], "corrupt_zip", {}),
    "archive larger than any package": (
        lambda: build_h5p(
            extra=[("content/noise.txt", random.Random(1).randbytes(64 * 1024))], compression=zipfile.ZIP_STORED
        ),
        "archive_too_large",
        {"H5P_MAX_TOTAL_BYTES": 8 * 1024, "H5P_MAX_ENTRIES": 10},
    ),
    "absolute path": (lambda: build_h5p(extra=[("/etc/cron.d/evil.txt", b"x")]), "unsafe_path", {}),
    "dot-dot traversal": (lambda: build_h5p(extra=[("content/../../evil.json", b"{}")]), "unsafe_path", {}),
    "drive letter": (lambda: build_h5p(extra=[("C:/Windows/evil.txt", b"x")]), "unsafe_path", {}),
    "backslash": (lambda: build_h5p(extra=[("content\\..\\evil.json", b"{}")]), "unsafe_path", {}),
    "symlink entry": (lambda: build_h5p(extra=[symlink_entry("content/passwd.txt", "/etc/passwd")]), "symlink", {}),
    "duplicate entry": (lambda: build_h5p(extra=[("content/content.json", b"{}")]), "duplicate_entry", {}),
    "file named like a folder": (lambda: build_h5p(extra=[("content", b"{}")]), "duplicate_entry", {}),
    "encrypted entry": (_flagged_encrypted, "encrypted_entry", {}),
    "bzip2 entry": (_bzip2_entry, "unsupported_compression", {}),
    "too many entries": (
        lambda: build_h5p(extra=[(f"content/images/{i}.png", b"png") for i in range(30)]),
        "too_many_entries",
        {"H5P_MAX_ENTRIES": 20},
    ),
    "too large in total (declared)": (
        lambda: build_h5p(extra=[(f"content/part{i}.txt", bytes(400 * 1024)) for i in range(3)]),
        "too_large",
        {"H5P_MAX_TOTAL_BYTES": 1 * MIB},
    ),
    "zip bomb of zeros": (
        lambda: build_h5p(extra=[("content/zeros.txt", bytes(8 * MIB))]),
        "too_large",
        {"H5P_MAX_TOTAL_BYTES": 1 * MIB},
    ),
    "one file over the per-file cap": (
        lambda: build_h5p(extra=[("content/long.txt", b"a" * 200 * 1024)]),
        "file_too_large",
        {"H5P_MAX_FILE_BYTES": 100 * 1024},
    ),
    ".html in content": (
        lambda: build_h5p(extra=[("content/page.html", b"<script></script>")]),
        "disallowed_extension",
        {},
    ),
    ".php in a library": (lambda: build_h5p(extra=[(f"{LIBRARY}/shell.php", b"<?php ?>")]), "disallowed_extension", {}),
    ".exe in content": (lambda: build_h5p(extra=[("content/setup.exe", b"MZ")]), "disallowed_extension", {}),
    "no extension": (lambda: build_h5p(extra=[("content/README", b"x")]), "disallowed_extension", {}),
    "missing h5p.json": (lambda: build_h5p(replace={"h5p.json": None}), "missing_h5p_json", {}),
    "h5p.json not JSON": (lambda: build_h5p(replace={"h5p.json": "{title: 'no'"}), "invalid_json", {}),
    "h5p.json not an object": (lambda: build_h5p(replace={"h5p.json": []}), "invalid_h5p_json", {}),
    "h5p.json without mainLibrary": (
        lambda: build_h5p(replace={"h5p.json": fixture_json("h5p.json", mainLibrary=None)}),
        "invalid_h5p_json",
        {},
    ),
    "h5p.json without embedTypes": (
        lambda: build_h5p(replace={"h5p.json": fixture_json("h5p.json", embedTypes=None)}),
        "invalid_h5p_json",
        {},
    ),
    "h5p.json dependencies not objects": (
        lambda: build_h5p(replace={"h5p.json": fixture_json("h5p.json", preloadedDependencies=["H5P.BridgelineCheck"])}),
        "invalid_h5p_json",
        {},
    ),
    "missing content.json": (lambda: build_h5p(replace={"content/content.json": None}), "missing_content", {}),
    "content.json not JSON": (lambda: build_h5p(replace={"content/content.json": b"\xff\xfe"}), "invalid_json", {}),
    "missing library folder": (_without_library, "missing_library", {}),
    "dependency not in the package": (
        lambda: build_h5p(
            replace={
                "h5p.json": fixture_json(
                    "h5p.json",
                    preloadedDependencies=[
                        {"machineName": "H5P.BridgelineCheck", "majorVersion": 1, "minorVersion": 1},
                        {"machineName": "H5P.Missing", "majorVersion": 1, "minorVersion": 0},
                    ],
                )
            }
        ),
        "missing_library",
        {},
    ),
    "folder without library.json": (lambda: build_h5p(extra=[("FontAwesome-4.5/font.css", b"")]), "invalid_library", {}),
    "library.json without runnable": (
        lambda: build_h5p(replace={LIBRARY_JSON: fixture_json(LIBRARY_JSON, runnable=None)}),
        "invalid_library",
        {},
    ),
    "library.json machineName mismatch": (
        lambda: build_h5p(replace={LIBRARY_JSON: fixture_json(LIBRARY_JSON, machineName="H5P.Other")}),
        "library_mismatch",
        {},
    ),
    "library.json version mismatch": (
        lambda: build_h5p(replace={LIBRARY_JSON: fixture_json(LIBRARY_JSON, minorVersion=2)}),
        "library_mismatch",
        {},
    ),
    "preloadedJs file missing": (lambda: build_h5p(replace={f"{LIBRARY}/check.js": None}), "missing_preloaded_file", {}),
    "preloadedCss path escapes": (
        lambda: build_h5p(
            replace={LIBRARY_JSON: fixture_json(LIBRARY_JSON, preloadedCss=[{"path": "../content/content.json"}])}
        ),
        "unsafe_path",
        {},
    ),
    "dependency cycle": (_cycle, "dependency_cycle", {}),
    "main library not a dependency": (
        lambda: build_h5p(replace={"h5p.json": fixture_json("h5p.json", mainLibrary="H5P.Other")}),
        "main_library_missing",
        {},
    ),
}


def lying_bomb() -> bytes:
    """A package whose content/zeros.txt declares 1,000 bytes in both headers
    but inflates to 4 MiB. Validation (which reads only the manifests) passes
    it; extraction must stop it without writing the 4 MiB."""
    return patch_entry(build_h5p(extra=[("content/zeros.txt", bytes(4 * MIB))]), "content/zeros.txt", declared_size=1000)


def library_chain(length: int) -> bytes:
    """The fixture package whose library depends on H5P.Chain0 1.0, which
    depends on H5P.Chain1 1.0, ... down to H5P.Chain<length-1>: `length`
    library folders in one straight line, each present and well-formed, so
    that only the depth of the chain is wrong with it."""
    chain: list[Entry] = []
    for index in range(length):
        library: dict[str, Any] = {
            "title": f"Chain link {index}",
            "machineName": f"H5P.Chain{index}",
            "majorVersion": 1,
            "minorVersion": 0,
            "patchVersion": 0,
            "runnable": 0,
        }
        if index + 1 < length:
            library["preloadedDependencies"] = [{"machineName": f"H5P.Chain{index + 1}", "majorVersion": 1, "minorVersion": 0}]
        chain.append((f"H5P.Chain{index}-1.0/library.json", json.dumps(library).encode()))
    main = fixture_json(
        LIBRARY_JSON, preloadedDependencies=[{"machineName": "H5P.Chain0", "majorVersion": 1, "minorVersion": 0}]
    )
    return build_h5p(replace={LIBRARY_JSON: main}, extra=chain)


def json_nested(data: Mapping[str, Any], depth: int) -> bytes:
    """`data` (an object) as JSON text with one more key, "deep", holding
    lists nested so that the whole document is `depth` levels deep (the
    object itself is level 1). Written as text: json.dumps itself would
    recurse too deeply for the hostile depths."""
    assert depth >= 2
    prefix = json.dumps({**data, "deep": None})[: -len("null}")]
    return (prefix + "[" * (depth - 1) + "]" * (depth - 1) + "}").encode()
