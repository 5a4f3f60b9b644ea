"""`make run`'s front door: one address for the person, two servers behind.

Pages are served by gunicorn (WSGI workers: Django's WSGI path costs a
fraction of its ASGI path per request, see bench/README.md), websockets and
`/healthz` by daphne (ASGI). In production nginx does this routing
(deploy/nginx.conf); on one machine this small router does it, so that
`make run` still serves everything on http://HOST:PORT/ with no other server
to install.

It looks at the first line of each connection only: a request for `/ws/...`
or `/healthz` goes to the ASGI server, any other to the WSGI server; then it
copies bytes both ways until one side closes. gunicorn's sync workers answer
one request per connection (`Connection: close`), so a browser never sends
a second request down a connection routed for the first; a websocket stays
on the connection it was opened on. Headers are passed through untouched:
the servers see the browser's Host and Origin (the websocket origin check
and CSRF work as without the router) and the router's loopback address as
the peer.

    python -m config.router --bind 127.0.0.1:8000 --pages unix:var/run/pages.sock --asgi unix:var/run/asgi.sock

The two servers listen on Unix sockets named after the public port, so
several `make run` on other ports never collide on an internal one.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal

logger = logging.getLogger("bridgeline.router")

ASGI_PREFIXES = (b"/ws/", b"/healthz")
REQUEST_LINE_LIMIT = 16 * 1024
CHUNK = 64 * 1024
BAD_REQUEST = b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
BAD_GATEWAY = b"HTTP/1.1 502 Bad Gateway\r\nContent-Type: text/plain\r\nContent-Length: 33\r\nConnection: close\r\n\r\nThe server is starting or down.\r\n"


Backend = tuple[str, int] | str  # (host, port) or the path of a Unix socket


def backend_for(request_line: bytes, *, pages: Backend, asgi: Backend) -> Backend | None:
    """Where a request goes by its request line (`GET /ws/live/1/ HTTP/1.1`);
    None when the line is not an HTTP request line."""
    parts = request_line.split()
    if len(parts) != 3 or not parts[2].startswith(b"HTTP/"):
        return None
    target = parts[1]
    if b"://" in target:  # absolute form: keep only the path
        target = b"/" + target.split(b"://", 1)[1].partition(b"/")[2]
    return asgi if target.startswith(ASGI_PREFIXES) else pages


async def _copy(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(CHUNK):
            writer.write(data)
            await writer.drain()
    except (ConnectionError, OSError):
        pass


async def _copy_then_eof(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await _copy(reader, writer)
    with contextlib.suppress(ConnectionError, OSError, RuntimeError):
        if writer.can_write_eof():
            writer.write_eof()


async def _close(writer: asyncio.StreamWriter) -> None:
    writer.close()
    with contextlib.suppress(ConnectionError, OSError):
        await writer.wait_closed()


class Router:
    def __init__(self, *, pages: Backend, asgi: Backend):
        self.pages = pages
        self.asgi = asgi

    async def handle(self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        try:
            try:
                request_line = await client_reader.readuntil(b"\n")
            except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
                return
            backend = backend_for(request_line, pages=self.pages, asgi=self.asgi)
            if backend is None:
                client_writer.write(BAD_REQUEST)
                return
            try:
                if isinstance(backend, str):
                    server_reader, server_writer = await asyncio.open_unix_connection(backend)
                else:
                    server_reader, server_writer = await asyncio.open_connection(*backend)
            except OSError:
                logger.warning("router: nothing answers on %s", backend)
                client_writer.write(BAD_GATEWAY)
                return
            server_writer.write(request_line)
            # The exchange ends when the server's side ends. A client that
            # stops sending (EOF) is passed on as such and still gets the
            # rest of its answer.
            to_server = asyncio.create_task(_copy_then_eof(client_reader, server_writer))
            try:
                await _copy(server_reader, client_writer)
            finally:
                to_server.cancel()
                await _close(server_writer)
        finally:
            await _close(client_writer)


def _address(value: str) -> tuple[str, int]:
    host, _, port = value.rpartition(":")
    return host.strip("[]") or "127.0.0.1", int(port)


def _backend(value: str) -> Backend:
    return value.removeprefix("unix:") if value.startswith("unix:") else _address(value)


async def serve(bind: tuple[str, int], pages: Backend, asgi: Backend) -> None:
    router = Router(pages=pages, asgi=asgi)
    server = await asyncio.start_server(router.handle, *bind, limit=REQUEST_LINE_LIMIT, backlog=1024, reuse_address=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    async with server:
        await stop.wait()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bind", required=True, type=_address, help="HOST:PORT the person browses")
    parser.add_argument("--pages", required=True, type=_backend, help="unix:PATH or HOST:PORT of the WSGI server (gunicorn)")
    parser.add_argument("--asgi", required=True, type=_backend, help="unix:PATH or HOST:PORT of the ASGI server (daphne)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    asyncio.run(serve(args.bind, args.pages, args.asgi))


if __name__ == "__main__":
    main()
