import asyncio

import pytest

from workbench.providers.base import ToolSpec
from workbench.tools.base import Effect, RetryPolicy, Tool, ToolResult
from workbench.tools.registry import ToolRegistry, builtin_registry
from workbench.tools.schema import validate


def test_builtins_registered_with_pi_argument_names(registry):
    assert registry.names() == ["read", "write", "edit", "ls", "find", "grep", "bash"]
    props = {t.name: set(t.parameters["properties"]) for t in registry}
    assert props["read"] == {"path", "offset", "limit"}
    assert props["write"] == {"path", "content"}
    assert props["edit"] == {"path", "oldText", "newText"}
    assert props["ls"] == {"path", "limit"}
    assert props["find"] == {"pattern", "path", "limit"}
    assert {"pattern", "path", "glob", "ignoreCase", "limit"} <= props["grep"]
    assert props["bash"] == {"command", "timeout"}
    effects = {t.name: t.effect for t in registry}
    assert effects == {"read": Effect.READ, "write": Effect.WRITE, "edit": Effect.WRITE, "ls": Effect.READ,
                       "find": Effect.READ, "grep": Effect.READ, "bash": Effect.EXEC}


def test_specs_are_provider_tool_specs(registry):
    specs = registry.specs()
    assert all(isinstance(s, ToolSpec) for s in specs)
    edit = next(s for s in specs if s.name == "edit")
    assert edit.parameters["required"] == ["path", "oldText", "newText"]
    assert "exactly once" in edit.description


@pytest.mark.parametrize("name,args,expected", [
    ("edit", {"path": "a", "newText": "x"}, ["edit: missing required argument 'oldText'"]),
    ("read", {"path": 3}, ["read: argument 'path' must be a string, got number 3"]),
    ("read", {"path": "a", "offset": 0}, ["read: argument 'offset' must be at least 1, got 0"]),
    ("read", {"path": "a", "limit": "10"}, ["read: argument 'limit' must be an integer, got string \"10\""]),
    ("read", {"path": "a", "offset": True}, ["read: argument 'offset' must be an integer, got boolean true"]),
    ("read", {"path": "a", "lines": 5}, ["read: unknown argument 'lines' (allowed: path, offset, limit)"]),
    ("grep", {"pattern": "x", "ignoreCase": "yes"},
     ["grep: argument 'ignoreCase' must be a boolean (true or false), got string \"yes\""]),
    ("bash", {"command": ""}, ["bash: argument 'command' must not be empty"]),
    ("nope", {}, ["unknown tool 'nope'; available tools: read, write, edit, ls, find, grep, bash"]),
    ("bash", {"__invalid_json__": "{\"command\": "},
     ["bash: the arguments are not valid JSON: {\"command\": "]),
    ("write", ["a"], ["write: arguments must be an object, got array [\"a\"]"]),
])
def test_validation_messages(registry, name, args, expected):
    assert registry.validate(name, args) == expected


def test_valid_arguments_have_no_errors(registry):
    assert registry.validate("read", {"path": "a", "offset": 2, "limit": 5}) == []
    assert registry.validate("bash", {"command": "ls", "timeout": 1.5}) == []


def test_schema_enum_items_and_nested():
    schema = {"type": "object", "properties": {
        "mode": {"enum": ["a", "b"]},
        "tags": {"type": "array", "items": {"type": "string"}},
        "opt": {"type": "object", "properties": {"n": {"type": "integer", "maximum": 3}}, "required": ["n"]},
    }, "additionalProperties": {"type": "number"}}
    errors = validate(schema, {"mode": "c", "tags": ["x", 1], "opt": {"n": 4}, "extra": "s"})
    assert errors == [
        "argument 'mode' must be one of \"a\", \"b\", got \"c\"",
        "argument 'tags[1]' must be a string, got number 1",
        "argument 'opt.n' must be at most 3, got 4",
        "argument 'extra' must be a number, got string \"s\"",
    ]
    assert validate(schema, {"opt": {}}) == ["missing required argument 'opt.n'"]
    assert validate(schema, {"mode": "a", "tags": [], "opt": {"n": 3}, "extra": 1.5}) == []


async def test_execute_returns_validation_errors_without_running(ctx):
    ran = []

    class Probe(Tool):
        name = "probe"
        parameters = {"type": "object", "properties": {"n": {"type": "integer"}}, "required": ["n"],
                      "additionalProperties": False}

        async def run(self, args, ctx):
            ran.append(args)
            return ToolResult("ran")

    reg = ToolRegistry([Probe()])
    result = await reg.execute("probe", {"n": "x"}, ctx)
    assert result.is_error and "must be an integer" in result.content
    assert ran == []
    assert (await reg.execute("probe", {"n": 1}, ctx)).content == "ran"


async def test_execute_timeout_and_retry(ctx):
    calls = []

    class Slow(Tool):
        name = "slow"
        timeout_s = 0.05

        async def run(self, args, ctx):
            await asyncio.sleep(5)
            return ToolResult("never")

    class Flaky(Tool):
        name = "flaky"
        retry = RetryPolicy(max_attempts=3, backoff_s=0.001)

        async def run(self, args, ctx):
            calls.append(1)
            if len(calls) < 3:
                raise OSError("transient")
            return ToolResult("third time")

    class Broken(Tool):
        name = "broken"

        async def run(self, args, ctx):
            raise RuntimeError("boom")

    reg = ToolRegistry([Slow(), Flaky(), Broken()])
    slow = await reg.execute("slow", {}, ctx)
    assert slow.is_error and "timed out after 0.05 seconds" in slow.content
    flaky = await reg.execute("flaky", {}, ctx)
    assert flaky.content == "third time" and len(calls) == 3
    broken = await reg.execute("broken", {}, ctx)
    assert broken.is_error and broken.content == "broken failed: RuntimeError: boom"


def test_register_rejects_duplicates():
    reg = builtin_registry()
    with pytest.raises(ValueError, match="already registered"):
        reg.register(reg.get("read"))


def test_summaries(registry):
    s = lambda name, **a: registry.get(name).summary(a)  # noqa: E731
    assert s("read", path="src/cli.py") == "src/cli.py"
    assert s("read", path="src/cli.py", offset=1, limit=40) == "src/cli.py:1-40"
    assert s("read", path="a.py", offset=10) == "a.py:10-"
    assert s("edit", path="a.py", oldText="x", newText="y") == "a.py"
    assert s("write", path="a.py", content="x") == "a.py"
    assert s("bash", command="git status") == "git status"
    assert s("bash", command="x" * 200) == "x" * 79 + "…"
    assert s("bash", command="make\nmake install") == "make…"
    assert s("grep", pattern="def \\w+") == "/def \\w+/ in ."
    assert s("grep", pattern="x", path="src") == "/x/ in src"
    assert s("find", pattern="*.py") == "*.py"
    assert s("ls") == "."
    assert s("ls", path="src") == "src"
