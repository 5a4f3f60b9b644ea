"""`make run` restarts a housekeeper that died (scripts/respawn.sh), and
stopping the wrapper stops what it runs (issue #13)."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RESPAWN = ROOT / "scripts" / "respawn.sh"


def _until(predicate, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()


def _group_gone(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return True
    return False


def test_make_run_starts_every_housekeeper_through_the_restart_loop():
    makefile = (ROOT / "Makefile").read_text()
    rule = re.search(r"^run:.*?(?=^\S|\Z)", makefile, re.S | re.M).group(0)
    for command in ("live_housekeeping --every 60", "certificates_housekeeping --every 3600"):
        line = next(line for line in rule.splitlines() if command in line)
        assert "scripts/respawn.sh" in line, line
    # Ctrl-C or the end of the server stops them all (and the trap does not
    # call itself again when `kill 0` reaches its own shell).
    assert "trap 'trap \"\" INT TERM; kill 0' EXIT INT TERM" in rule


def test_a_command_that_dies_is_started_again(tmp_path):
    runs = tmp_path / "runs"
    process = subprocess.Popen(
        ["bash", str(RESPAWN), "bash", "-c", f"echo run >> {runs}; exit 3"],
        env={**os.environ, "RESPAWN_DELAY": "0.05"},
        stderr=subprocess.PIPE, text=True, start_new_session=True,
    )
    try:
        assert _until(lambda: runs.exists() and len(runs.read_text().splitlines()) >= 3)
    finally:
        process.send_signal(signal.SIGTERM)
        _, err = process.communicate(timeout=10)
    assert "exited with status 3; restarting" in err
    assert _until(lambda: _group_gone(process.pid))


def test_stopping_the_loop_stops_the_command_it_runs(tmp_path):
    started = tmp_path / "started"
    process = subprocess.Popen(
        ["bash", str(RESPAWN), "bash", "-c", f"touch {started}; exec sleep 60"],
        env={**os.environ, "RESPAWN_DELAY": "0.05"}, start_new_session=True,
    )
    assert _until(started.exists)
    # Only the loop gets the signal (as from `kill <pid>`): the command goes too.
    process.send_signal(signal.SIGTERM)
    process.wait(timeout=10)
    assert _until(lambda: _group_gone(process.pid)), "the command outlived its restart loop"
