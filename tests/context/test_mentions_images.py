"""`@` mentions, pasted image paths and images: what gets attached, refused or noted; an image's
round trip through both providers' wire formats (local fake servers) and the session file."""

from __future__ import annotations

import base64

import pytest

from tests.context.images_data import gif, jpeg, png, webp
from tests.fakes.anthropic_server import anthropic_stream, text
from tests.fakes.openai_server import openai_stream
from workbench.context.images import ImageError, TextOnlyModel, dimensions, load_image, sniff_mime
from workbench.context.mentions import MAX_ATTACH_BYTES, prepare_prompt
from workbench.context.prompts import resolve_prompt
from workbench.providers import make_provider
from workbench.runtime.agent import AgentSession
from workbench.sessions.manager import SessionManager


@pytest.fixture
def ws(tmp_path):
    w = tmp_path / "ws"
    (w / "src").mkdir(parents=True)
    (w / "src" / "x.py").write_text("print('x')\n")
    (w / "shot.png").write_bytes(png(640, 480))
    (w / "blob.bin").write_bytes(b"\x00\x01\x02" * 100)
    return w


def test_text_file_is_attached_under_its_path(ws):
    p = prepare_prompt("explain @src/x.py.", ws)
    assert p.notes == []
    assert p.content()[0] == {"type": "text", "text": "explain @src/x.py."}
    assert p.blocks == [{"type": "text", "text": '<file path="src/x.py">\nprint(\'x\')\n</file>'}]
    assert p.attached == ["src/x.py (11 B)"]


def test_missing_binary_outside_and_folder(ws, tmp_path):
    (tmp_path / "secret.txt").write_text("no")
    p = prepare_prompt("@nope.py @blob.bin @../secret.txt @src/ mail me@host.org", ws)
    assert p.notes[0].startswith("@nope.py: no such file")
    assert "@blob.bin is a binary file: not attached" in p.notes[1]
    assert "@../secret.txt is outside the workspace" in p.notes[2]
    assert len(p.notes) == 3
    assert p.blocks == [{"type": "text", "text": '<folder path="src/">\nx.py\n</folder>'}]


def test_big_text_file_is_cut_with_a_note(ws):
    (ws / "big.txt").write_text("a" * (MAX_ATTACH_BYTES + 5000))
    p = prepare_prompt("@big.txt", ws)
    assert "only the first 100 KB" in p.notes[0]
    assert "[big.txt was cut" in p.blocks[0]["text"]
    assert len(p.blocks[0]["text"]) < MAX_ATTACH_BYTES + 500


def test_image_mention_and_pasted_path_attach_images(ws, tmp_path):
    outside = tmp_path / "Screen Shot.gif"
    outside.write_bytes(gif(5, 4))
    p = prepare_prompt(f"what is this @shot.png and '{outside}'", ws)
    assert p.notes == []
    size = (ws / "shot.png").stat().st_size
    assert p.attached == [f"[image: shot.png · 640×480 · {round(size / 1024)} KB]", "[image: Screen Shot.gif · 5×4 · 14 B]"]
    image = p.blocks[1]
    assert image["type"] == "image" and image["mimeType"] == "image/png"
    assert base64.b64decode(image["data"]) == (ws / "shot.png").read_bytes()
    assert p.blocks[0] == {"type": "text", "text": p.attached[0]}


def test_formats_sizes_and_refusals(tmp_path):
    for name, data, mime, dims in (("a.png", png(3, 2), "image/png", (3, 2)), ("b.jpg", jpeg(640, 480), "image/jpeg", (640, 480)),
                                   ("c.gif", gif(5, 4), "image/gif", (5, 4)), ("d.webp", webp(7, 9), "image/webp", (7, 9))):
        assert sniff_mime(data) == mime and dimensions(data, mime) == dims
        (tmp_path / name).write_bytes(data)
        assert load_image(tmp_path / name).mime_type == mime
    (tmp_path / "big.png").write_bytes(png(2, 2) + b"\x00" * (5 * 1024 * 1024))
    with pytest.raises(ImageError, match="over the 5 MB limit"):
        load_image(tmp_path / "big.png")
    (tmp_path / "huge.png").write_bytes(png(9000, 10))
    with pytest.raises(ImageError, match="at most 8000 on a side"):
        load_image(tmp_path / "huge.png")
    (tmp_path / "fake.png").write_text("not an image")
    with pytest.raises(ImageError, match="not a PNG, JPEG, GIF or WebP"):
        load_image(tmp_path / "fake.png")


def _agent(ws, sessions, provider, model):
    return AgentSession(SessionManager.create(ws, sessions_dir=sessions), provider, model=model, mode="yolo")


async def test_image_round_trip_through_anthropic(serve, ws, tmp_path):
    srv = serve([anthropic_stream([text("A red square.")]), anthropic_stream([text("Still red.")])])
    provider = make_provider("anthropic", model="claude-sonnet-4-5", base_url=srv.url, api_key="k")
    agent = _agent(ws, tmp_path / "s", provider, "claude-sonnet-4-5")
    r = resolve_prompt("describe @shot.png", None, ws)
    await agent.run(r.text, content=r.prepared.content(), attachments=r.prepared.attached)
    blocks = srv.requests[0].json["messages"][0]["content"]
    assert blocks[0] == {"type": "text", "text": "describe @shot.png"}
    image = {k: v for k, v in blocks[2].items() if k != "cache_control"}  # the cache breakpoint moves
    assert image == {"type": "image", "source": {"type": "base64", "media_type": "image/png",
                                                     "data": base64.b64encode((ws / "shot.png").read_bytes()).decode()}}
    path = agent.manager.path
    agent.manager.close()
    # the session file holds pi's ImageContent; a resumed session sends the same image again
    reopened = AgentSession(SessionManager.open(path), provider, model="claude-sonnet-4-5", mode="yolo")
    stored = reopened.messages[0]["content"][2]
    assert set(stored) == {"type", "data", "mimeType"} and stored["mimeType"] == "image/png"
    await reopened.run("and now?")
    assert srv.requests[1].json["messages"][0]["content"][2] == image
    reopened.manager.close()
    await provider.aclose()


async def test_image_round_trip_through_openai(serve, ws, tmp_path):
    srv = serve([openai_stream(text="A red square.")])
    provider = make_provider("openai", model="gpt-4.1", base_url=srv.url, api_key="k")
    agent = _agent(ws, tmp_path / "s", provider, "gpt-4.1")
    r = resolve_prompt("describe @shot.png", None, ws)
    await agent.run(r.text, content=r.prepared.content())
    parts = srv.requests[0].json["messages"][-1]["content"]
    data = base64.b64encode((ws / "shot.png").read_bytes()).decode()
    assert {"type": "image_url", "image_url": {"url": f"data:image/png;base64,{data}"}} in parts
    agent.manager.close()
    await provider.aclose()


async def test_text_only_model_is_refused_before_anything_is_sent(serve, ws, tmp_path):
    srv = serve([openai_stream(text="never")])
    provider = make_provider("openai", model="o3-mini", base_url=srv.url, api_key="k")
    agent = _agent(ws, tmp_path / "s", provider, "o3-mini")
    r = resolve_prompt("describe @shot.png", None, ws)
    with pytest.raises(TextOnlyModel, match="o3-mini accepts text only") as info:
        await agent.run(r.text, content=r.prepared.content())
    assert info.value.exit_code == 40
    assert srv.requests == [] and agent.messages == [] and not agent.is_running
    agent.manager.close()
    await provider.aclose()
