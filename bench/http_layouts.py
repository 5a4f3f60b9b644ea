"""Pages under load in each server layout (issue #14): wrk with 20
connections on the home, course, lesson and dashboard pages and /healthz,
for

* baseline: `gunicorn config.wsgi -w 2` (sync workers), nothing in front;
* make run: config/router.py in front of gunicorn (config/gunicorn.py) and
  one daphne, on Unix sockets, exactly as the Makefile starts them;
* production: nginx with deploy/nginx.conf in front of gunicorn
  (config/gunicorn.py) and two daphne processes, Redis as cache and channel
  layer (plain HTTP: TLS costs every layout the same);

all on this run's PostgreSQL and data, one after the other, so each layout
is a ratio to the baseline of the same run. Logged-in pages carry a learner's
session cookie; every URL is checked to answer 200 before it is loaded.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from statistics import median

from bench.harness import free_port, wait_for_port

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
VENV_BIN = Path(sys.executable).parent
CONNECTIONS = 20
UNQUEUED_CONNECTIONS = 2  # one per worker of the baseline


@dataclass
class Load:
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    non_2xx: int
    socket_errors: int


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()
    return float(number) * _UNITS[unit]


def parse_wrk(output: str) -> Load:
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    p50 = _ms(re.search(r"^\s+50%\s+(\S+)", output, re.M).group(1))
    p99 = _ms(re.search(r"^\s+99%\s+(\S+)", output, re.M).group(1))
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    return Load(rps, p50, p99, int(non_2xx.group(1)) if non_2xx else 0,
                sum(int(n) for n in errors.groups()) if errors else 0)


def wrk(url: str, *, cookie: str | None, seconds: int, connections: int = CONNECTIONS) -> Load:
    command = [shutil.which("wrk") or "/usr/bin/wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "10s"]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    result = subprocess.run([*command, url], capture_output=True, text=True, timeout=seconds + 60, check=True)
    return parse_wrk(result.stdout)


def _check_200(address: tuple[str, int], path: str, cookie: str | None) -> None:
    connection = http.client.HTTPConnection(*address, timeout=30)
    try:
        connection.request("GET", path, headers={"Cookie": cookie} if cookie else {})
        response = connection.getresponse()
        response.read()
        assert response.status == 200, (address, path, response.status)
    finally:
        connection.close()


def _env(**extra: str) -> dict[str, str]:
    return dict(os.environ, LOG_LEVEL="WARNING", CONN_MAX_AGE="60", **extra)


@contextlib.contextmanager
def _processes(*commands: tuple[list[str], dict[str, str]]):
    started = []
    try:
        for command, env in commands:
            started.append(subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        yield started
    finally:
        for process in reversed(started):
            process.terminate()
        for process in started:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()


@contextlib.contextmanager
def baseline():
    port = free_port(HOST)
    gunicorn = [str(VENV_BIN / "gunicorn"), "config.wsgi:application", "-w", "2", "--bind", f"{HOST}:{port}"]
    with _processes((gunicorn, _env())):
        wait_for_port(port, host=HOST)
        yield HOST, port


@contextlib.contextmanager
def make_run():
    port = free_port(HOST)
    directory = Path(tempfile.mkdtemp(prefix="bench-run-"))
    pages, asgi = directory / "pages.sock", directory / "asgi.sock"
    env = _env()
    try:
        with _processes(
            ([str(VENV_BIN / "gunicorn"), "-c", "config/gunicorn.py", "--bind", f"unix:{pages}"], env),
            ([str(VENV_BIN / "daphne"), "-u", str(asgi), "config.asgi:application"], env),
            ([sys.executable, "-m", "config.router", "--bind", f"{HOST}:{port}", "--pages", f"unix:{pages}", "--asgi", f"unix:{asgi}"], env),
        ):
            for path in (pages, asgi):
                _wait_for_unix_socket(path)
            wait_for_port(port, host=HOST)
            yield HOST, port
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def _wait_for_unix_socket(path: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket(socket.AF_UNIX) as probe:
            try:
                probe.connect(str(path))
                return
            except OSError:
                time.sleep(0.1)
    raise RuntimeError(f"nothing listens on {path}")


@contextlib.contextmanager
def production(redis_url: str):
    from tests.support import nginx

    port, pages, asgi_1, asgi_2 = (free_port(HOST) for _ in range(4))
    directory = Path(tempfile.mkdtemp(prefix="bench-nginx-"))
    cert, key = nginx.self_signed(directory, HOST)
    conf = nginx.configuration(directory, {
        "SERVER_NAME": HOST, "H5P_SERVER_NAME": "localhost", "LISTEN": f"{HOST}:{port}",
        "TLS_CERTIFICATE": str(cert), "TLS_CERTIFICATE_KEY": str(key),
        "PAGES": f"{HOST}:{pages}", "ASGI_1": f"{HOST}:{asgi_1}", "ASGI_2": f"{HOST}:{asgi_2}",
        "STATIC_ROOT": f"{directory}/static/", "MEDIA_ROOT": f"{directory}/media/",
    })
    env = _env(REDIS_URL=redis_url, TRUSTED_PROXY_COUNT="1")
    daphne = str(VENV_BIN / "daphne")
    try:
        with _processes(
            ([str(VENV_BIN / "gunicorn"), "-c", "config/gunicorn.py", "--bind", f"{HOST}:{pages}"], env),
            ([daphne, "-b", HOST, "-p", str(asgi_1), "config.asgi:application"], env),
            ([daphne, "-b", HOST, "-p", str(asgi_2), "config.asgi:application"], env),
            (nginx.command(directory, conf), env),
        ):
            for listening in (pages, asgi_1, asgi_2, port):
                wait_for_port(listening, host=HOST)
            yield HOST, port
    finally:
        shutil.rmtree(directory, ignore_errors=True)


class HealthProbe:
    """Asks /healthz one request at a time while a page is under load: the
    latencies and any answer other than 200 (what a load balancer sees)."""

    def __init__(self, address: tuple[str, int]):
        self.address = address
        self.latencies_ms: list[float] = []
        self.failures = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def _loop(self) -> None:
        while not self._stop.is_set():
            started = time.perf_counter()
            try:
                connection = http.client.HTTPConnection(*self.address, timeout=10)
                connection.request("GET", "/healthz")
                response = connection.getresponse()
                response.read()
                connection.close()
                ok = response.status == 200
            except OSError:
                ok = False
            self.latencies_ms.append((time.perf_counter() - started) * 1000)
            self.failures += not ok
            self._stop.wait(0.1)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


LAYOUTS = ("gunicorn -w2 (baseline)", "make run", "production")


def run(pages: list[tuple[str, str, str | None]], *, seconds: int = 8, repeat: int = 3) -> str:
    """`pages`: (name, path, cookie or None). All three layouts run at once
    (idle when not loaded); each page is loaded `repeat` times per layout,
    the layouts taking turns in a rotating order so that no layout always
    goes first (a database still settling after the data was built, a
    warmer cache); medians. While each page is loaded, /healthz is probed."""
    from bench.live_fanout import running_redis

    results: dict[str, dict[str, list[Load]]] = {}
    probes: dict[str, dict[str, list[float] | int]] = {}
    with running_redis() as redis_url, contextlib.ExitStack() as stack:
        addresses = {
            LAYOUTS[0]: stack.enter_context(baseline()),
            LAYOUTS[1]: stack.enter_context(make_run()),
            LAYOUTS[2]: stack.enter_context(production(redis_url)),
        }
        for name, path, cookie in pages:
            for layout, address in addresses.items():
                _check_200(address, path, cookie)
                wrk(f"http://{address[0]}:{address[1]}{path}", cookie=cookie, seconds=2)
            for round_ in range(repeat):
                order = LAYOUTS[round_ % 3:] + LAYOUTS[: round_ % 3]
                for layout in order:
                    address = addresses[layout]
                    with HealthProbe(address) as probe:
                        load = wrk(f"http://{address[0]}:{address[1]}{path}", cookie=cookie, seconds=seconds)
                    results.setdefault(name, {}).setdefault(layout, []).append(load)
                    if path != "/healthz":
                        entry = probes.setdefault(layout, {"latencies": [], "failures": 0})
                        entry["latencies"] += probe.latencies_ms
                        entry["failures"] += probe.failures
        # The pages' own latency, without the queue: one connection per
        # worker. At 20 connections on 2 workers a request waits for about
        # ten others, so its latency is ten times its service time.
        served: dict[str, dict[str, list[Load]]] = {}
        for name, path, cookie in pages:
            for layout in (LAYOUTS[0], LAYOUTS[2]):
                address = addresses[layout]
                load = wrk(f"http://{address[0]}:{address[1]}{path}", cookie=cookie, seconds=seconds,
                           connections=UNQUEUED_CONNECTIONS)
                served.setdefault(name, {}).setdefault(layout, []).append(load)
    return (
        _table(results, seconds=seconds, repeat=repeat)
        + "\n\n" + _probe_table(probes)
        + "\n\n" + _table(served, seconds=seconds, repeat=1, connections=UNQUEUED_CONNECTIONS)
    )


def _probe_table(probes: dict[str, dict]) -> str:
    from bench.harness import percentile_ms

    lines = [
        "/healthz asked one at a time (every 0.1 s) while the pages above were under load",
        "",
        "| layout | probes | p50 ms | p99 ms | not 200 |",
        "|---|---:|---:|---:|---:|",
    ]
    for layout in LAYOUTS:
        entry = probes.get(layout)
        if not entry or not entry["latencies"]:
            continue
        samples = [value / 1000 for value in entry["latencies"]]
        lines.append(f"| {layout} | {len(samples)} | {percentile_ms(samples, 0.5):.0f} | "
                     f"{percentile_ms(samples, 0.99):.0f} | {entry['failures']} |")
    return "\n".join(lines)


def _table(results: dict[str, dict[str, list[Load]]], *, seconds: int, repeat: int, connections: int = CONNECTIONS) -> str:
    layouts = list(next(iter(results.values())))
    lines = [
        f"HTTP load: wrk, {connections} connections, 2 threads, {seconds} s per page and layout"
        f"{f', median of {repeat}' if repeat > 1 else ''}; ratio = req/s against the baseline of the same run",
        "",
        "| page | layout | req/s | ratio | p50 ms | p99 ms | non-2xx | socket errors |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name, by_layout in results.items():
        base_rps = median(load.requests_per_second for load in by_layout[layouts[0]])
        for layout in layouts:
            loads = by_layout[layout]
            rps = median(load.requests_per_second for load in loads)
            lines.append(
                f"| {name} | {layout} | {rps:.1f} | {rps / base_rps:.2f}x | {median(l.p50_ms for l in loads):.0f} | "
                f"{median(l.p99_ms for l in loads):.0f} | {max(l.non_2xx for l in loads)} | {max(l.socket_errors for l in loads)} |"
            )
    return "\n".join(lines)
