"""Small timing harness: medians and p95 of repeated calls, ratios against a
baseline measured in the same run. Seconds live here, never in tests."""

from __future__ import annotations

import contextlib
import socket
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class Result:
    name: str
    samples: list[float]

    @property
    def median_ms(self) -> float:
        return statistics.median(self.samples) * 1000

    @property
    def p95_ms(self) -> float:
        return percentile_ms(self.samples, 0.95)


def percentile_ms(samples: list[float], fraction: float) -> float:
    """The `fraction` percentile (nearest rank) of samples in seconds, in ms."""
    if not samples:
        return float("nan")
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))] * 1000


def measure(name: str, call: Callable[[], object], *, repeat: int, warmup: int = 10) -> Result:
    for _ in range(warmup):
        call()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        samples.append(time.perf_counter() - start)
    return Result(name, samples)


def measure_interleaved(cases: list[tuple[str, Callable[[], object], int]], *, rounds: int, warmup: int = 10) -> list[Result]:
    """Like `measure` for several calls at once, taking turns: each round
    times every case once (a case with `every` = n only every n-th round).
    The machine's speed drifts over a run (other virtual machines on the
    host, a database settling); measured one after the other, a baseline
    and a case can see different machines and their ratio moves by a
    third between runs. Taking turns, they see the same one."""
    for _name, call, _every in cases:
        for _ in range(warmup):
            call()
    samples: dict[str, list[float]] = {name: [] for name, _call, _every in cases}
    for round_ in range(rounds):
        for name, call, every in cases:
            if round_ % every:
                continue
            start = time.perf_counter()
            call()
            samples[name].append(time.perf_counter() - start)
    return [Result(name, samples[name]) for name, _call, _every in cases]


def table(title: str, results: list[Result], baseline: Result) -> str:
    lines = [
        f"### {title}",
        "",
        f"baseline: {baseline.name} ({len(baseline.samples)} runs)",
        "",
        "| case | median ms | p95 ms | ratio to baseline (median) |",
        "|---|---:|---:|---:|",
    ]
    for result in [baseline, *results]:
        ratio = result.median_ms / baseline.median_ms if baseline.median_ms else float("nan")
        lines.append(f"| {result.name} | {result.median_ms:.2f} | {result.p95_ms:.2f} | {ratio:.2f}x |")
    return "\n".join(lines)


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, *, host: str = "127.0.0.1", timeout: float = 60) -> None:
    """Until something accepts connections on host:port (a server started)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((host, port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing listens on {host}:{port}")


@contextlib.contextmanager
def bench_database():
    """A throwaway PostgreSQL for one bench run, with Django set up against
    it and migrated (the caller seeds what it needs)."""
    import os

    from tests.support.postgres import PostgresServer

    import shutil
    import tempfile

    server = PostgresServer.start()
    # Files the run writes (H5P packages of the seeded demo, certificate
    # PDFs) go with the throwaway database, not into the checkout's var/.
    files = tempfile.mkdtemp(prefix="bridgeline-bench-")
    try:
        os.environ["H5P_CONTENT_ROOT"] = os.path.join(files, "h5p")
        os.environ["CERTIFICATES_ROOT"] = os.path.join(files, "certificates")
        os.environ["DATABASE_URL"] = f"postgres://postgres@{server.host}:{server.port}/postgres"
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
        os.environ.setdefault("LOG_LEVEL", "WARNING")
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        yield server
    finally:
        server.stop()
        shutil.rmtree(files, ignore_errors=True)
