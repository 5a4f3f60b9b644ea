"""A small synchronous websocket client for the live session protocol
(docs/live-protocol.md), used against the real daphne server.

It flattens `batch` frames into single events and keeps every frame it has
read, so a test can wait for one type while others arrive in between.
"""

from __future__ import annotations

import itertools
import json
import time

from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import connect

_client_ids = itertools.count(1)


def client_id() -> str:
    return f"c{next(_client_ids)}"


class LiveSocket:
    def __init__(self, ws_url: str, session_id: int, *, cookie: str | None = None, origin: str | None = None, path=None):
        url = f"{ws_url}{path or f'/ws/live/{session_id}/'}"
        headers = {"Origin": origin or ws_url.replace("ws://", "http://")}
        if cookie:
            headers["Cookie"] = cookie
        self.ws = connect(url, additional_headers=headers, open_timeout=10, max_size=None, legacy=True)
        self.seen: list[dict] = []
        self._queue: list[dict] = []
        self.close_code: int | None = None

    # --- sending ---
    def send(self, type: str, **fields) -> None:
        self.ws.send(json.dumps({"type": type, **fields}))

    def send_raw(self, text: str) -> None:
        self.ws.send(text)

    # --- receiving ---
    def _fill(self, timeout: float) -> bool:
        try:
            frame = json.loads(self.ws.recv(timeout=timeout))
        except TimeoutError:
            return False
        except ConnectionClosed as closed:
            self.close_code = closed.rcvd.code if closed.rcvd else None
            raise
        items = frame["events"] if frame.get("type") == "batch" else [frame]
        self._queue.extend(items)
        self.seen.extend(items)
        return True

    def next(self, timeout: float = 10) -> dict:
        deadline = time.monotonic() + timeout
        while not self._queue:
            if not self._fill(max(0.01, deadline - time.monotonic())) and time.monotonic() >= deadline:
                raise AssertionError(f"nothing received in {timeout}s; seen {self.types()}")
        return self._queue.pop(0)

    def wait_for(self, type: str, timeout: float = 10, where=None, **match) -> dict:
        """The next event of `type` (whose fields equal `match`, and for
        which `where(event)` holds), skipping others."""
        deadline = time.monotonic() + timeout
        while True:
            for index, item in enumerate(self._queue):
                if (
                    item.get("type") == type
                    and all(item.get(k) == v for k, v in match.items())
                    and (where is None or where(item))
                ):
                    del self._queue[: index + 1]
                    return item
            self._queue.clear()
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"no {type} {match or ''} in {timeout}s; seen {self.types()}")
            self._fill(remaining)

    def drain(self, quiet: float = 0.3) -> list[dict]:
        """Everything that arrives until nothing has come for `quiet` seconds."""
        got = list(self._queue)
        self._queue.clear()
        while self._fill(quiet):
            got.extend(self._queue)
            self._queue.clear()
        return got

    def types(self) -> list[str]:
        return [item.get("type") for item in self.seen]

    def closed_with(self, timeout: float = 10) -> int:
        """Read until the server closes the socket; the close code."""
        deadline = time.monotonic() + timeout
        try:
            while time.monotonic() < deadline:
                self._fill(max(0.01, deadline - time.monotonic()))
        except ConnectionClosed as closed:
            return closed.rcvd.code if closed.rcvd else None
        raise AssertionError(f"still open after {timeout}s; seen {self.types()}")

    def close(self) -> None:
        self.ws.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def handshake_refused(ws_url: str, session_id: int, *, origin: str, cookie: str | None = None) -> int:
    """The HTTP status of a refused handshake."""
    try:
        LiveSocket(ws_url, session_id, cookie=cookie, origin=origin).close()
    except InvalidStatus as refused:
        return refused.response.status_code
    return 101


def eventually(check, timeout: float = 10, interval: float = 0.05):
    """Wait until `check()` is truthy (what a server does after a socket
    closes happens after the client has returned); its last value."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(interval)
