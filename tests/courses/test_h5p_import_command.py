"""`manage.py h5p_import FILE`: the id on success, one line and a non-zero
exit status on refusal."""

from __future__ import annotations

import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from courses.models import H5PPackage

from .h5p_builder import build_h5p

pytestmark = pytest.mark.django_db


def _run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("h5p_import", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_import_prints_the_new_package_id(tmp_path, editor):
    path = tmp_path / "check.h5p"
    path.write_bytes(build_h5p())

    out, err = _run(str(path), "--title", "Imported check", "--uploaded-by", "EDITOR@example.org")

    package = H5PPackage.objects.get()
    assert out == f"{package.pk}\n"
    assert err == ""
    assert package.title == "Imported check"
    assert package.uploaded_by == editor


def test_importing_the_same_content_again_notes_the_copy(tmp_path):
    path = tmp_path / "check.h5p"
    path.write_bytes(build_h5p())
    first, _ = _run(str(path))

    out, err = _run(str(path))

    assert out.strip() != first.strip()
    assert err == f"note: same content as package(s) {first.strip()}\n"
    assert H5PPackage.objects.count() == 2


@pytest.mark.parametrize(
    ("contents", "expected"),
    [
        (b"just text", "not_zip"),
        (build_h5p(extra=[("content/../../etc/x.json", b"{}")]), "unsafe_path"),
        (build_h5p(extra=[("content/index.html", b"<script></script>")]), "disallowed_extension"),
        (build_h5p(replace={"content/content.json": None}), "missing_content"),
    ],
)
def test_refused_file_is_one_line_naming_the_problem(tmp_path, h5p_root, contents, expected):
    path = tmp_path / "bad.h5p"
    path.write_bytes(contents)

    with pytest.raises(CommandError) as caught:
        _run(str(path))

    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith("bad.h5p: ")
    assert message.endswith(f"[{expected}]")
    assert not H5PPackage.objects.exists()
    assert not any(h5p_root.iterdir())


def test_missing_file_and_unknown_user_are_one_line_errors(tmp_path):
    with pytest.raises(CommandError, match="no such file"):
        _run(str(tmp_path / "absent.h5p"))

    path = tmp_path / "check.h5p"
    path.write_bytes(build_h5p())
    with pytest.raises(CommandError, match="no user with the email address nobody@example.org"):
        _run(str(path), "--uploaded-by", "nobody@example.org")


def test_shell_sees_exit_status_1_and_no_traceback(tmp_path):
    """The real command line: Django turns CommandError into one stderr line.
    The file is refused before the database is touched."""
    path = tmp_path / "bad.h5p"
    path.write_bytes(b"<?php system($_GET['c']); ?>")
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test", "MEDIA_ROOT": str(tmp_path / "media")}

    result = subprocess.run(
        [sys.executable, "manage.py", "h5p_import", str(path)],
        cwd=Path(settings.BASE_DIR),
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 1
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("CommandError: bad.h5p: The file is not an H5P package")
    assert lines[0].endswith("[not_zip]")
