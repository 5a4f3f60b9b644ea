"""The server entry points keep start-up objects out of later garbage
collections (config/gc_tuning.py): checked in a fresh interpreter, as a
daphne or gunicorn process loads them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("module", ["config.asgi", "config.wsgi"])
def test_the_entry_point_freezes_what_start_up_loaded(module):
    code = (
        "import gc; before = gc.get_freeze_count(); "
        f"import {module}; "
        "import django.db.models, wagtail.models; "
        "print(before, gc.get_freeze_count())"
    )
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="config.settings.test")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    before, after = map(int, result.stdout.split())
    assert before == 0
    # Django, Wagtail and the apps: far more than a bare interpreter's objects.
    assert after > 100_000
