"""A scripted HTTP/1.1 server on 127.0.0.1 for provider tests — never the internet.

It runs its own asyncio loop in a thread, so it works from sync tests, async tests and Textual
pilot tests alike. Request #n (counting from 0) gets the n-th scripted response; every request is
recorded (method, path, headers, JSON body) so tests can assert what the client sent.

    with FakeHTTPServer([SSE(events), Reply(429, {...}, headers={"retry-after": "2"})]) as srv:
        client = AsyncAnthropic(base_url=srv.url, api_key="test", max_retries=0)
        ...
        assert srv.requests[0].json["model"] == "claude-sonnet-4-5"

A script entry may also be a callable `(RecordedRequest) -> SSE | Reply` for answers that depend
on what was sent. When the script runs out, `default` answers (a 500 saying so, unless set).
"""

from __future__ import annotations

import asyncio
import json
import threading
from dataclasses import dataclass, field
from typing import Any, Callable, Union


@dataclass
class RecordedRequest:
    method: str
    path: str
    headers: dict[str, str]  # lower-cased names
    body: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.body) if self.body else None


@dataclass
class SSE:
    """A streamed 200 response with `text/event-stream` body, chunked.

    events: (event name or None, data string) pairs. `delay` seconds between events;
    `drop_after=n` writes n events then kills the socket mid-body (no terminating chunk), the way
    a dying connection looks to the client."""

    events: list[tuple[str | None, str]]
    delay: float = 0.0
    drop_after: int | None = None
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    first_byte_delay: float = 0.0  # before the status line (for client timeouts)
    stall_after: int | None = None  # after this many events (0: right after the headers), send nothing more


@dataclass
class Reply:
    """A plain response: dict/list bodies are sent as JSON, str as text."""

    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # before answering


@dataclass
class Hang:
    """Accept the request and never answer (until the server stops): for timeout tests."""


Response = Union[SSE, Reply, Hang]
ScriptEntry = Union[Response, Callable[[RecordedRequest], Response]]

_REASONS = {200: "OK", 400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found",
            413: "Payload Too Large", 422: "Unprocessable Entity", 429: "Too Many Requests",
            500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable", 529: "Overloaded"}


def sse_frame(event: str | None, data: str) -> bytes:
    text = f"event: {event}\n" if event else ""
    for line in data.split("\n"):
        text += f"data: {line}\n"
    return (text + "\n").encode()


class FakeHTTPServer:
    def __init__(self, script: list[ScriptEntry] | None = None, *, default: Response | None = None):
        self.script: list[ScriptEntry] = list(script or [])
        self.default = default
        self.requests: list[RecordedRequest] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._server: asyncio.base_events.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self._lock = threading.Lock()
        self.port = 0

    # -- lifecycle -------------------------------------------------------------------------
    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def add(self, *entries: ScriptEntry) -> None:
        with self._lock:
            self.script.extend(entries)

    def start(self) -> "FakeHTTPServer":
        ready = threading.Event()

        def run() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            self._server = loop.run_until_complete(asyncio.start_server(self._handle, "127.0.0.1", 0))
            self.port = self._server.sockets[0].getsockname()[1]
            ready.set()
            loop.run_forever()
            loop.run_until_complete(self._shutdown())
            loop.close()

        self._thread = threading.Thread(target=run, name="fake-http-server", daemon=True)
        self._thread.start()
        ready.wait(5)
        return self

    async def _shutdown(self) -> None:
        if self._server is not None:
            self._server.close()
        for writer in list(self._writers):
            writer.transport.abort()
        tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    def stop(self) -> None:
        if self._loop is not None and self._thread is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(5)
            self._loop = None

    def __enter__(self) -> "FakeHTTPServer":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    async def __aenter__(self) -> "FakeHTTPServer":
        return self.start()

    async def __aexit__(self, *exc: object) -> None:
        self.stop()

    # -- serving ---------------------------------------------------------------------------
    def _next_response(self, request: RecordedRequest) -> Response:
        with self._lock:
            n = len(self.requests)
            self.requests.append(request)
            entry = self.script[n] if n < len(self.script) else None
        if entry is None:
            return self.default or Reply(500, {"type": "error", "error": {
                "type": "api_error", "message": f"fake server: no scripted response for request #{n}"}})
        return entry(request) if callable(entry) else entry

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._writers.add(writer)
        try:
            while True:
                request = await self._read_request(reader)
                if request is None:
                    return
                response = self._next_response(request)
                keep = await self._respond(writer, response)
                if not keep:
                    return
        except (ConnectionError, asyncio.IncompleteReadError):
            return
        except asyncio.CancelledError:
            return  # server shutting down: end quietly
        finally:
            self._writers.discard(writer)
            if not writer.transport.is_closing():
                writer.close()

    async def _read_request(self, reader: asyncio.StreamReader) -> RecordedRequest | None:
        line = await reader.readline()
        if not line:
            return None
        method, path, _ = line.decode("latin-1").split(" ", 2)
        headers: dict[str, str] = {}
        while True:
            raw = await reader.readline()
            if raw in (b"\r\n", b"\n", b""):
                break
            name, _, value = raw.decode("latin-1").partition(":")
            headers[name.strip().lower()] = value.strip()
        body = b""
        if headers.get("transfer-encoding", "").lower() == "chunked":
            while True:
                size = int((await reader.readline()).strip() or b"0", 16)
                if size == 0:
                    await reader.readline()
                    break
                body += await reader.readexactly(size)
                await reader.readline()
        elif "content-length" in headers:
            body = await reader.readexactly(int(headers["content-length"]))
        return RecordedRequest(method, path, headers, body)

    @staticmethod
    def _head(status: int, headers: dict[str, str]) -> bytes:
        lines = [f"HTTP/1.1 {status} {_REASONS.get(status, 'Status')}"]
        lines += [f"{k}: {v}" for k, v in headers.items()]
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")

    async def _respond(self, writer: asyncio.StreamWriter, response: Response) -> bool:
        if isinstance(response, Hang):
            await asyncio.Event().wait()
            return False
        if isinstance(response, Reply):
            if response.delay:
                await asyncio.sleep(response.delay)
            if isinstance(response.body, (dict, list)):
                body, ctype = json.dumps(response.body).encode(), "application/json"
            else:
                body, ctype = (response.body or "").encode(), "text/plain"
            headers = {"content-type": ctype, "content-length": str(len(body)), **response.headers}
            writer.write(self._head(response.status, headers) + body)
            await writer.drain()
            return True
        if response.first_byte_delay:
            await asyncio.sleep(response.first_byte_delay)
        headers = {"content-type": "text/event-stream", "cache-control": "no-cache",
                   "transfer-encoding": "chunked", **response.headers}
        writer.write(self._head(response.status, headers))
        for i, (event, data) in enumerate(response.events):
            if response.stall_after is not None and i >= response.stall_after:
                break
            if response.drop_after is not None and i >= response.drop_after:
                await writer.drain()
                writer.transport.abort()  # mid-body: no terminating chunk
                return False
            if response.delay and i:
                await asyncio.sleep(response.delay)
            frame = sse_frame(event, data)
            writer.write(f"{len(frame):x}\r\n".encode() + frame + b"\r\n")
            await writer.drain()
        if response.drop_after is not None and response.drop_after >= len(response.events):
            writer.transport.abort()
            return False
        if response.stall_after is not None:
            await writer.drain()
            await asyncio.Event().wait()  # a server that went silent, connection open
            return False
        writer.write(b"0\r\n\r\n")
        await writer.drain()
        return True
