"""workbench/sdk_lazy.py on the real SDKs, each in a fresh process (what is imported depends on
what ran before): a `workbench -p` run imports far less of the SDK before its first request, and
the parts it leaves out still work when something uses them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.fakes.anthropic_server import FakeHTTPServer, Reply, anthropic_error, anthropic_stream, text
from tests.fakes.openai_server import openai_error, openai_stream

ROOT = Path(__file__).resolve().parents[1]

# The `workbench` command, noting sys.modules when the first connection to the model server opens.
AT_FIRST_REQUEST = textwrap.dedent("""
    import json, os, sys
    out = os.environ["MODULES_OUT"]
    def hook(event, args):
        if event == "socket.connect" and not os.path.exists(out):
            with open(out, "w") as f:
                json.dump(sorted(sys.modules), f)
    sys.addaudithook(hook)
    import workbench.cli as cli
    sys.argv[0] = "workbench"
    cli.entry()
""")

# sdk package -> what a `-p` run must not have imported before its first request
NOT_BEFORE_REQUEST = {
    "anthropic": ["anthropic.lib.vertex", "anthropic.lib.bedrock", "anthropic.lib.foundry", "anthropic.lib.aws",
                  "anthropic.lib.google_cloud", "anthropic.lib.tools", "anthropic.resources.beta", "aiohttp"],
    "openai": ["openai.resources.responses", "openai.types.responses.response", "openai.resources.beta"],
}


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("ANTHROPIC_LOG", "OPENAI_LOG", "WORKBENCH_LAZY_SDK")}
    env.update(WORKBENCH_HOME=str(tmp_path / "home"), PYTHONPATH=str(ROOT), ANTHROPIC_API_KEY="k",
               OPENAI_API_KEY="k", **extra)
    return env


def _modules_at_first_request(provider: str, tmp_path: Path, lazy: bool) -> tuple[list[str], list]:
    answer = anthropic_stream([text("Hello there")]) if provider == "anthropic" else openai_stream(text="Hello there")
    out = tmp_path / f"modules-{provider}-{lazy}.json"
    ws = tmp_path / "ws"
    ws.mkdir(exist_ok=True)
    with FakeHTTPServer([answer]) as srv:
        env = _env(tmp_path, MODULES_OUT=str(out), ANTHROPIC_BASE_URL=srv.url, OPENAI_BASE_URL=srv.url + "/v1",
                   WORKBENCH_LAZY_SDK="1" if lazy else "0")
        model = "claude-sonnet-4-5" if provider == "anthropic" else "gpt-4.1"
        p = subprocess.run([sys.executable, "-c", AT_FIRST_REQUEST, "-p", "say hello", "--provider", provider,
                            "--model", model], env=env, cwd=ws, capture_output=True, text=True, timeout=120)
        requests = list(srv.requests)
    assert p.returncode == 0, p.stderr
    assert p.stdout.strip() == "Hello there"
    return json.loads(out.read_text()), requests


@pytest.mark.parametrize("provider", ["anthropic", "openai"])
def test_a_headless_run_imports_only_what_its_request_needs(provider, tmp_path):
    lazy, requests = _modules_at_first_request(provider, tmp_path, lazy=True)
    eager, _ = _modules_at_first_request(provider, tmp_path, lazy=False)  # WORKBENCH_LAZY_SDK=0

    assert requests[0].method == "POST" and requests[0].json["stream"] is True  # the SDK's own request
    assert requests[0].path.endswith("/messages" if provider == "anthropic" else "/chat/completions")
    loaded = [m for m in NOT_BEFORE_REQUEST[provider] if m in lazy]
    assert loaded == [], f"imported before the first request: {loaded}"
    assert set(NOT_BEFORE_REQUEST[provider]) & set(eager)  # the switch: the whole SDK, as before
    count = lambda modules: sum(m.split(".")[0] == provider for m in modules)  # noqa: E731
    assert count(lazy) < count(eager) / 2, (count(lazy), count(eager))
    # workbench's own: no TUI, and no MCP client machinery when no server is configured
    assert not [m for m in lazy if m.startswith(("textual", "workbench.tui", "workbench.mcp.pool", "mcp."))]


USES_ANTHROPIC = textwrap.dedent("""
    import asyncio, json, sys
    from workbench import sdk_lazy
    assert sdk_lazy.install()
    from anthropic._client import AsyncAnthropic   # as workbench's provider does
    client = AsyncAnthropic(base_url=sys.argv[1], api_key="k", max_retries=0)
    msgs = [{"role": "user", "content": "hi"}]
    out = {}
    async def main():
        stream = await client.messages.create(model="claude-sonnet-4-5", max_tokens=9, messages=msgs, stream=True)
        out["events"] = [event.type async for event in stream]
        out["lazy_root"] = "anthropic.lib.vertex" not in sys.modules
        beta = await client.beta.messages.create(model="claude-sonnet-4-5", max_tokens=9, messages=msgs,
                                                 betas=["context-management-2025-06-27"])
        out["beta"] = [type(beta).__module__, type(beta).__name__, beta.content[0].text]
        try:
            await client.messages.create(model="claude-sonnet-4-5", max_tokens=9, messages=msgs)
        except Exception as exc:
            out["error"] = exc
    asyncio.run(main())
    import anthropic
    from anthropic.types.beta import BetaMessage
    err = out.pop("error")
    out["error"] = [isinstance(err, anthropic.RateLimitError), type(err).__module__, err.status_code]
    out["same_class"] = anthropic.AsyncAnthropic is AsyncAnthropic and anthropic.types.beta.BetaMessage is BetaMessage
    out["vertex"] = anthropic.AnthropicVertex.__name__
    names = {}
    exec("from anthropic import *", names)
    out["star"] = sorted(set(anthropic.__all__) - set(names))
    print(json.dumps(out))
""")

MESSAGE = {"id": "msg_1", "type": "message", "role": "assistant", "model": "claude-sonnet-4-5",
           "content": [{"type": "text", "text": "beta hi"}], "stop_reason": "end_turn", "stop_sequence": None,
           "usage": {"input_tokens": 1, "output_tokens": 2}}


def test_what_anthropic_leaves_unloaded_still_works_when_used(tmp_path):
    with FakeHTTPServer([anthropic_stream([text("Hello")]), Reply(200, MESSAGE),
                         anthropic_error(429, "rate_limit_error", "slow down")]) as srv:
        p = subprocess.run([sys.executable, "-c", USES_ANTHROPIC, srv.url], env=_env(tmp_path), capture_output=True,
                           text=True, timeout=120)
        requests = list(srv.requests)
    assert p.returncode == 0, p.stderr
    out = json.loads(p.stdout)
    assert out["events"][0] == "message_start" and out["events"][-1] == "message_stop"
    assert out["lazy_root"] is True
    assert out["beta"] == ["anthropic.types.beta.beta_message", "BetaMessage", "beta hi"]
    assert requests[1].path.startswith("/v1/messages") and requests[1].headers["anthropic-beta"] == \
        "context-management-2025-06-27"
    assert out["error"] == [True, "anthropic", 429]  # the root's body ran: exported classes say `anthropic`
    assert out["same_class"] is True and out["vertex"] == "AnthropicVertex" and out["star"] == []


USES_OPENAI = textwrap.dedent("""
    import asyncio, json, sys
    from workbench import sdk_lazy
    assert sdk_lazy.install()
    import openai
    client = openai.AsyncOpenAI(base_url=sys.argv[1] + "/v1", api_key="k", max_retries=0)
    out = {}
    async def main():
        stream = await client.chat.completions.create(model="gpt-4.1", stream=True,
                                                      messages=[{"role": "user", "content": "hi"}])
        out["chunks"] = [chunk.choices[0].delta.content async for chunk in stream if chunk.choices]
        out["responses_unloaded"] = "openai.types.responses.response" not in sys.modules
        response = await client.responses.create(model="gpt-4.1", input="hi")
        out["response"] = [type(response).__module__, response.output_text]
        try:
            await client.chat.completions.create(model="gpt-4.1", messages=[{"role": "user", "content": "hi"}])
        except openai.RateLimitError as exc:
            out["error"] = [type(exc).__module__, exc.status_code]
    asyncio.run(main())
    from openai.types.responses import Response
    out["same_class"] = openai.types.responses.Response is Response
    print(json.dumps(out))
""")

RESPONSE = {"id": "resp_1", "object": "response", "created_at": 0, "model": "gpt-4.1", "status": "completed",
            "output": [{"type": "message", "id": "msg_1", "role": "assistant", "status": "completed",
                        "content": [{"type": "output_text", "text": "responses hi", "annotations": []}]}],
            "parallel_tool_calls": True, "tool_choice": "auto", "tools": []}


def test_what_openai_leaves_unloaded_still_works_when_used(tmp_path):
    with FakeHTTPServer([openai_stream(text="Hello"), Reply(200, RESPONSE),
                         openai_error(429, "slow down", type="rate_limit_error")]) as srv:
        p = subprocess.run([sys.executable, "-c", USES_OPENAI, srv.url], env=_env(tmp_path), capture_output=True,
                           text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    out = json.loads(p.stdout)
    assert "".join(c for c in out["chunks"] if c) == "Hello" and out["responses_unloaded"] is True
    assert out["response"] == ["openai.types.responses.response", "responses hi"]
    assert out["error"] == ["openai", 429] and out["same_class"] is True


# Every re-exporting package of both SDKs, all its names resolved lazily, against its own body run
# the usual way in the same process: the same objects under the same names.
SAME_NAMES = textwrap.dedent("""
    import importlib, json, os, sys, types
    from workbench import sdk_lazy
    assert sdk_lazy.install()
    checked, failed_imports, wrong = 0, [], []
    for top in sdk_lazy.PACKAGES:
        root = os.path.dirname(importlib.util.find_spec(top).origin)
        for directory, _, files in sorted(os.walk(root)):
            if "__init__.py" not in files:
                continue
            rel = os.path.relpath(directory, root)
            name = top if rel == "." else ".".join([top] + rel.split(os.sep))
            try:
                module = importlib.import_module(name)
                dir(module)
            except Exception as exc:  # an optional dependency this venv lacks (numpy, ...): checked below
                failed_imports.append(name)
                continue
            loader = module.__spec__.loader
            if not isinstance(loader, sdk_lazy._Loader):
                continue
            own = {"__name__": name, "__package__": name, "__path__": module.__path__, "__spec__": module.__spec__}
            exec(loader.loader.get_code(name), own)
            # the deferred root ran its own body on itself: its exported names are what counts
            keys = own["__all__"] if loader.kind == "body" else list(own)
            for key in keys:
                value = own[key]
                got = getattr(module, key, "<missing>")
                literal = isinstance(value, (str, list)) and got == value  # a docstring, __all__
                if key not in ("__builtins__", "__name__", "__package__", "__path__", "__spec__") and \\
                        got is not value and not literal:
                    wrong.append(f"{name}.{key}")
            # besides: submodules imported since, and `__module__`, which anthropic's root sets on `types`
            extra = set(vars(module)) - set(own) - {"__file__", "__cached__", "__loader__", "__doc__", "__module__"}
            wrong.extend(f"{name}.{k} (extra)" for k in extra if sys.modules.get(f"{name}.{k}") is not vars(module)[k])
            checked += 1
    print(json.dumps({"checked": checked, "failed_imports": failed_imports, "wrong": wrong}))
""")


@pytest.mark.slow  # imports both SDKs whole: ~6 s on a quiet machine
def test_every_lazy_package_binds_what_its_own_body_binds(tmp_path):
    p = subprocess.run([sys.executable, "-c", SAME_NAMES], env=_env(tmp_path), capture_output=True, text=True,
                       timeout=300)
    assert p.returncode == 0, p.stderr
    out = json.loads(p.stdout)
    assert out["wrong"] == []
    assert out["checked"] > 150, out  # anthropic's ~130 and openai's ~70 re-exporting packages
    for name in out["failed_imports"]:  # fails without the finder too (e.g. openai.helpers wants numpy)
        plain = subprocess.run([sys.executable, "-c", f"import {name}"], env=_env(tmp_path), capture_output=True,
                               timeout=120)
        assert plain.returncode != 0, name
