"""The fake servers other tests reuse: scripted per request, requests recorded, plain HTTP on loopback."""

import asyncio

import httpx

from tests.fakes.anthropic_server import anthropic_stream, text
from tests.fakes.http_server import SSE, FakeHTTPServer, Reply
from tests.providers.conftest import collect
from workbench.providers import make_provider
from workbench.providers.base import ProviderRequest


def test_script_entries_callables_recording_and_exhaustion():
    echo = lambda req: Reply(200, {"you_sent": req.json})  # noqa: E731
    with FakeHTTPServer([Reply(201, "created", headers={"x-extra": "1"}), echo]) as srv:
        assert srv.url.startswith("http://127.0.0.1:")
        with httpx.Client(base_url=srv.url) as client:
            first = client.post("/a", json={"n": 1})
            second = client.post("/b", json={"n": 2})
            third = client.get("/c")
    assert (first.status_code, first.text, first.headers["x-extra"]) == (201, "created", "1")
    assert second.json() == {"you_sent": {"n": 2}}
    assert third.status_code == 500 and "no scripted response for request #2" in third.text
    assert [(r.method, r.path) for r in srv.requests] == [("POST", "/a"), ("POST", "/b"), ("GET", "/c")]
    assert srv.requests[0].json == {"n": 1} and srv.requests[0].headers["content-type"] == "application/json"


def test_sse_frames_and_drop():
    with FakeHTTPServer([SSE([("greeting", "hello"), (None, "multi\nline")]),
                         SSE([(None, "one"), (None, "two")], drop_after=1)]) as srv:
        with httpx.Client(base_url=srv.url) as client:
            body = client.get("/s").text
            assert body == "event: greeting\ndata: hello\n\ndata: multi\ndata: line\n\n"
            try:
                client.get("/s").text
                dropped = False
            except httpx.RemoteProtocolError:
                dropped = True
    assert dropped


async def test_cancelling_the_consumer_closes_the_http_stream():
    srv = FakeHTTPServer([anthropic_stream([text("a b c d e f g h", pieces=8)], delay=0.05),
                          anthropic_stream([text("next")])]).start()
    try:
        p = make_provider("anthropic", model="claude-sonnet-4-5", base_url=srv.url, api_key="k")
        req = ProviderRequest(model="claude-sonnet-4-5", messages=[{"role": "user", "content": "hi"}])
        got = []

        async def consume():
            async for ev in p.stream(req):
                got.append(ev)

        task = asyncio.create_task(consume())
        while not any(e.kind == "text" for e in got):
            await asyncio.sleep(0.01)
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        assert task.cancelled() and len([e for e in got if e.kind == "text"]) < 8
        _, msg = await collect(p, req)  # the client is still usable afterwards
        assert msg["content"] == [{"type": "text", "text": "next"}]
        await p.aclose()
    finally:
        srv.stop()
