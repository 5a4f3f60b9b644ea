"""make run's router (config/router.py) against two small servers that say
who they are: routing by the request line, the exchange both ways, a client
that stops sending early, and clear errors for garbage and a missing server."""

from __future__ import annotations

import asyncio

import pytest

from config.router import ASGI_PREFIXES, Router, backend_for

PAGES, ASGI = ("127.0.0.1", 1), ("127.0.0.1", 2)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (b"GET /en/ HTTP/1.1\r\n", PAGES),
        (b"POST /en/accounts/login/ HTTP/1.1\r\n", PAGES),
        (b"GET /h5p/0123/player/ HTTP/1.1\r\n", PAGES),
        (b"GET /ws/live/1/ HTTP/1.1\r\n", ASGI),
        (b"GET /healthz HTTP/1.1\r\n", ASGI),
        (b"GET http://127.0.0.1:8000/ws/live/1/ HTTP/1.1\r\n", ASGI),
        (b"GET http://127.0.0.1:8000/en/ HTTP/1.1\r\n", PAGES),
        (b"GET /wsx/ HTTP/1.1\r\n", PAGES),
        (b"GET /en/ws/ HTTP/1.1\r\n", PAGES),
    ],
)
def test_requests_go_to_the_server_of_their_path(line, expected):
    assert backend_for(line, pages=PAGES, asgi=ASGI) == expected


@pytest.mark.parametrize("line", [b"\r\n", b"GET /\r\n", b"hello there you\r\n", b"\x16\x03\x01\x02\x00\x01\x00\r\n"])
def test_what_is_not_a_request_line_goes_nowhere(line):
    assert backend_for(line, pages=PAGES, asgi=ASGI) is None


def test_only_websockets_and_the_health_check_go_to_asgi():
    assert ASGI_PREFIXES == (b"/ws/", b"/healthz")


async def _backend(name: bytes):
    """Answers each connection with its name and everything it received,
    once the client has stopped sending, then closes (as gunicorn's sync
    workers do after one response)."""

    async def handle(reader, writer):
        received = await reader.read(-1) if name == b"pages" else await reader.readuntil(b"\r\n\r\n")
        writer.write(name + b":" + received)
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    return server, server.sockets[0].getsockname()[:2]


async def _exchange(port: int, data: bytes, *, half_close: bool) -> bytes:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(data)
    if half_close:
        writer.write_eof()
    answer = await asyncio.wait_for(reader.read(-1), 10)
    writer.close()
    return answer


async def _with_router(check, *, pages_down: bool = False):
    pages_server, pages = await _backend(b"pages")
    asgi_server, asgi = await _backend(b"asgi")
    if pages_down:
        pages_server.close()
        await pages_server.wait_closed()
    router = await asyncio.start_server(Router(pages=pages, asgi=asgi).handle, "127.0.0.1", 0)
    try:
        return await check(router.sockets[0].getsockname()[1])
    finally:
        router.close()
        asgi_server.close()
        if not pages_down:
            pages_server.close()


def test_pages_and_websockets_reach_their_servers_with_every_byte():
    request = b"GET /en/ HTTP/1.1\r\nHost: 127.0.0.1:8000\r\n\r\n" + b"x" * 200_000
    upgrade = b"GET /ws/live/1/ HTTP/1.1\r\nHost: 127.0.0.1:8000\r\nUpgrade: websocket\r\n\r\n"

    async def check(port):
        # The page request's client stops sending and still gets its answer.
        page = await _exchange(port, request, half_close=True)
        socket_ = await _exchange(port, upgrade, half_close=False)
        return page, socket_

    page, socket_ = asyncio.run(_with_router(check))
    assert page == b"pages:" + request
    assert socket_ == b"asgi:" + upgrade


def test_garbage_gets_a_400_and_a_missing_server_a_502():
    async def check(port):
        garbage = await _exchange(port, b"\x16\x03\x01 not http\r\n", half_close=True)
        missing = await _exchange(port, b"GET /en/ HTTP/1.1\r\n\r\n", half_close=True)
        still_there = await _exchange(port, b"GET /healthz HTTP/1.1\r\n\r\n", half_close=False)
        return garbage, missing, still_there

    garbage, missing, still_there = asyncio.run(_with_router(check, pages_down=True))
    assert garbage.startswith(b"HTTP/1.1 400 ")
    assert missing.startswith(b"HTTP/1.1 502 ")
    assert still_there.startswith(b"asgi:GET /healthz")
