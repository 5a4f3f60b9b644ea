"""Live chat fan-out: the real servers against a bare broadcast server.

Starts redis-server and `--servers` daphne processes sharing it (and the
bench's PostgreSQL), creates a session with `live_session_create`, joins N
guests through the real join page (GET the form, POST a display name, keep
the session cookie), opens their websockets spread over the processes, then
sends chat at a steady overall rate from many senders and measures, for
every delivery, the time from send to receive in this one client process.

Baseline, in the same run: a bare `websockets` server that relays every
frame it receives to all connected clients (no Django, no database, no
channel layer), driven by the same clients at the same rate.

Reports delivered/expected and p50/p95/p99 send-to-receive latency, and the
ratios of the platform's figures to the baseline's.

    python -m bench.live_fanout [--servers 2] [--seconds 20]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import http.cookiejar
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from bench.harness import bench_database, free_port, percentile_ms, wait_for_port

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
SCENARIOS = [(500, 5.0), (500, 10.0), (50, 20.0)]  # (participants, messages per second overall)
TARGETS = {(500, 5.0): 250.0, (500, 10.0): 250.0, (50, 20.0): 50.0}  # p95 ms (issue 4; issue 14 asks p99 < 100 ms at N=500)
WARM_SECONDS = 3.0


@contextlib.contextmanager
def running_redis():
    directory = tempfile.mkdtemp(prefix="bench-redis-")
    port = free_port(HOST)
    process = subprocess.Popen(
        [shutil.which("redis-server") or "/usr/bin/redis-server", "--port", str(port), "--bind", HOST,
         "--save", "", "--appendonly", "no", "--dir", directory],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_port(port, host=HOST)
        yield f"redis://{HOST}:{port}/0"
    finally:
        process.terminate()
        process.wait(timeout=10)
        shutil.rmtree(directory, ignore_errors=True)


@contextlib.contextmanager
def running_servers(count: int, redis_url: str):
    # CONN_MAX_AGE as in production: a new PostgreSQL connection per call
    # would dominate the latency.
    env = dict(os.environ, REDIS_URL=redis_url, ALLOWED_HOSTS=f"{HOST},localhost", LOG_LEVEL="WARNING", CONN_MAX_AGE="60")
    ports = [free_port(HOST) for _ in range(count)]
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "daphne", "-b", HOST, "-p", str(port), "config.asgi:application"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        for port in ports
    ]
    try:
        for port in ports:
            wait_for_port(port, host=HOST)
        yield ports
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=15)


def _bare_server_code(port: int) -> str:
    return f"""
import asyncio
from websockets.asyncio.server import serve, broadcast

CLIENTS = set()

async def handler(ws):
    CLIENTS.add(ws)
    try:
        async for message in ws:
            broadcast(CLIENTS, message)
    finally:
        CLIENTS.discard(ws)

async def main():
    async with serve(handler, "{HOST}", {port}, max_queue=None):
        await asyncio.Future()

asyncio.run(main())
"""


@contextlib.contextmanager
def running_bare_server():
    port = free_port(HOST)
    process = subprocess.Popen([sys.executable, "-c", _bare_server_code(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for_port(port, host=HOST)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=10)


def session_create(participants: int) -> dict:
    output = subprocess.run(
        [sys.executable, "manage.py", "live_session_create", "--title", f"Bench {participants}",
         "--audience", "professionals", "--guests", "--no-lobby", "--starts-in", "0", "--duration", "120",
         "--capacity", str(max(participants + 10, 20))],
        cwd=ROOT, env=dict(os.environ), check=True, capture_output=True, text=True,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


_CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def join_as_guest(port: int, join_url: str, name: str) -> str:
    """The real join flow over HTTP: returns the Cookie header for the socket."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    path = urllib.parse.urlsplit(join_url).path
    base = f"http://{HOST}:{port}"
    page = opener.open(base + path, timeout=60)
    html = page.read().decode()
    form_url = page.geturl()
    token = _CSRF.search(html)
    if token is None:
        raise RuntimeError(f"no join form at {form_url}")
    data = {"csrfmiddlewaretoken": token.group(1), "display_name": name}
    if 'name="consent"' in html:
        data["consent"] = "on"
    request = urllib.request.Request(
        form_url, data=urllib.parse.urlencode(data).encode(), headers={"Referer": form_url, "Origin": base}
    )
    response = opener.open(request, timeout=60)
    response.read()
    if "/room/" not in response.geturl():
        raise RuntimeError(f"join did not reach the room: {response.geturl()}")
    return "; ".join(f"{c.name}={c.value}" for c in jar)


@dataclass
class Run:
    sent: dict = field(default_factory=dict)  # client_id -> perf_counter at send
    latencies: list = field(default_factory=list)
    # Latencies of the messages sent in the first WARM_SECONDS after the
    # room filled, apart: the first messages after a crowd joined were the
    # slow ones (issue #14).
    early: list = field(default_factory=list)
    later: list = field(default_factory=list)
    start: float = 0.0
    last_frame: float = 0.0
    delivered: int = 0


def _record(run: Run, frame: str, now: float) -> None:
    run.last_frame = now
    data = json.loads(frame)
    items = data["events"] if data.get("type") == "batch" else [data]
    for item in items:
        client_id = item.get("client_id") if item.get("type") in ("chat.message", "bench") else None
        sent = run.sent.get(client_id)
        if sent is not None:
            run.delivered += 1
            run.latencies.append(now - sent)
            (run.early if sent - run.start < WARM_SECONDS else run.later).append(now - sent)


async def _drive(uris_and_headers, rate: float, seconds: float, *, bare: bool, settle: float = 0.0) -> tuple[Run, int]:
    """Chat starts as soon as every platform socket has its welcome, or with
    `settle` once no frame has arrived for that long (the joins' presence
    events all delivered and read)."""
    from websockets.asyncio.client import connect

    run = Run()
    sockets = []
    # Every socket is read from the moment it opens, as each browser reads
    # its own: frames that arrive while others are still joining (their
    # `presence.joined`) are read then, not left queued for the chat phase.
    # A platform socket first gets `welcome`: chat starts when all have it.
    welcomed = 0
    all_welcomed = asyncio.Event()
    if bare:
        all_welcomed.set()

    async def reader(ws):
        nonlocal welcomed
        with contextlib.suppress(Exception):
            waiting = not bare
            async for frame in ws:
                if waiting:
                    if json.loads(frame).get("type") == "welcome":
                        waiting = False
                        welcomed += 1
                        if welcomed == len(uris_and_headers):
                            all_welcomed.set()
                    continue
                _record(run, frame, time.perf_counter())

    readers = []
    for uri, headers in uris_and_headers:
        ws = await connect(uri, additional_headers=headers, max_queue=None, open_timeout=60, ping_interval=None)
        sockets.append(ws)
        readers.append(asyncio.create_task(reader(ws)))
    await asyncio.wait_for(all_welcomed.wait(), 120)
    if settle:
        run.last_frame = time.perf_counter()
        deadline = run.last_frame + 120
        while time.perf_counter() - run.last_frame < settle and time.perf_counter() < deadline:
            await asyncio.sleep(settle / 4)
    senders = sockets[: min(len(sockets), max(10, int(rate * 2)))]
    total = int(rate * seconds)
    start = run.start = time.perf_counter()
    for index in range(total):
        target = start + index / rate
        delay = target - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        client_id = f"b{index}"
        text = json.dumps(
            {"type": "bench", "client_id": client_id} if bare else {"type": "chat.send", "client_id": client_id, "text": f"message {index}"}
        )
        run.sent[client_id] = time.perf_counter()
        await senders[index % len(senders)].send(text)
    # Let the tail arrive (bounded).
    expected = total * len(sockets)
    deadline = time.perf_counter() + 10
    while run.delivered < expected and time.perf_counter() < deadline:
        await asyncio.sleep(0.1)
    for ws in sockets:
        await ws.close()
    for task in readers:
        task.cancel()
    return run, expected


def _row(name: str, run: Run, expected: int) -> dict:
    return {
        "name": name,
        "delivered": run.delivered,
        "expected": expected,
        "p50": statistics.median(run.latencies) * 1000 if run.latencies else float("nan"),
        "p95": percentile_ms(run.latencies, 0.95),
        "p99": percentile_ms(run.latencies, 0.99),
        "p99_early": percentile_ms(run.early, 0.99),
        "p99_later": percentile_ms(run.later, 0.99),
    }


def scenario(participants: int, rate: float, seconds: float, ports: list[int], settle: float = 0.0) -> list[dict]:
    session = session_create(participants)
    with ThreadPoolExecutor(max_workers=8) as pool:
        cookies = list(
            pool.map(
                lambda i: join_as_guest(ports[i % len(ports)], session["join_url"], f"Guest{i}"),
                range(participants),
            )
        )
    platform = [
        (f"ws://{HOST}:{ports[i % len(ports)]}{session['ws_path']}",
         {"Cookie": cookies[i], "Origin": f"http://{HOST}:{ports[i % len(ports)]}"})
        for i in range(participants)
    ]
    rows = []
    with running_bare_server() as bare_port:
        bare = [(f"ws://{HOST}:{bare_port}/", {}) for _ in range(participants)]
        run, expected = asyncio.run(_drive(bare, rate, seconds, bare=True))
        rows.append(_row(f"bare websockets broadcast, N={participants}, {rate:g} msg/s", run, expected))
    run, expected = asyncio.run(_drive(platform, rate, seconds, bare=False, settle=settle))
    after = f", chat after the joins settled ({settle:g} s quiet)" if settle else ", chat as soon as all joined"
    rows.append(_row(f"Bridgeline ({len(ports)} daphne + Redis), N={participants}, {rate:g} msg/s{after}", run, expected))
    return rows


def report(rows_by_scenario: list[tuple[tuple[int, float], list[dict]]], servers: int, seconds: float) -> str:
    lines = [
        f"### Live chat fan-out ({servers} daphne process(es) + Redis, {seconds:g} s per case, one client process)",
        "",
        f"| case | delivered/expected | p50 ms | p95 ms | p99 ms | p99 first {WARM_SECONDS:g} s | p99 after | p95 ratio to baseline | target p95 |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for key, rows in rows_by_scenario:
        baseline = rows[0]
        for row in rows:
            ratio = row["p95"] / baseline["p95"] if baseline["p95"] else float("nan")
            target = "" if row is baseline else f"< {TARGETS[key]:g} ms"
            lines.append(
                f"| {row['name']} | {row['delivered']}/{row['expected']} ({100 * row['delivered'] / max(1, row['expected']):.1f} %) "
                f"| {row['p50']:.1f} | {row['p95']:.1f} | {row['p99']:.1f} | {row['p99_early']:.1f} | {row['p99_later']:.1f} "
                f"| {ratio:.1f}x | {target} |"
            )
    return "\n".join(lines)


def run_all(*, servers: int = 2, seconds: float = 20.0, scenarios=SCENARIOS) -> str:
    """Needs Django set up against the bench's database (bench/__main__.py)."""
    results = []
    with running_redis() as redis_url, running_servers(servers, redis_url) as ports:
        for participants, rate, *rest in scenarios:
            results.append(((participants, rate), scenario(participants, rate, seconds, ports, *rest)))
    return report(results, servers, seconds)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--servers", type=int, default=2)
    parser.add_argument("--seconds", type=float, default=20.0)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    with bench_database():
        from django.core.management import call_command

        call_command("seed_demo", verbosity=0)
        print(run_all(servers=args.servers, seconds=args.seconds))
    return 0

if __name__ == "__main__":
    sys.exit(main())
