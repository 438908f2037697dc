"""Structured output: `-p … --output-schema FILE.json`, retries with the validation error fed back."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from workbench.providers.replay import ScriptBuilder
from workbench.runtime.structured import StructuredRun, extract

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = {"type": "object", "properties": {"files": {"type": "integer"}, "ok": {"type": "boolean"}},
          "required": ["files", "ok"], "additionalProperties": False}


def _argv(tmp_path: Path, builder: ScriptBuilder, extra: tuple[str, ...], schema) -> list[str]:
    script = tmp_path / "script.json"
    script.write_text(builder.build().to_json())
    schema_file = tmp_path / "schema.json"
    schema_file.write_text(schema if isinstance(schema, str) else json.dumps(schema))
    return ["-p", "count the files", "--provider", "replay", "--replay-script", str(script),
            "--output-schema", str(schema_file), "--cwd", str(tmp_path), *extra]


def run(tmp_path: Path, builder: ScriptBuilder, *extra: str, schema=SCHEMA) -> subprocess.CompletedProcess:
    """The real command in a child process."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "workbench.cli", *_argv(tmp_path, builder, extra, schema)],
                          capture_output=True, text=True, timeout=60, env=env, cwd=tmp_path)


@pytest.fixture
def run_here(capsys):
    """The same command line through workbench.cli.main in this process (fast)."""
    from workbench.cli import main

    def go(tmp_path: Path, builder: ScriptBuilder, *extra: str, schema=SCHEMA) -> subprocess.CompletedProcess:
        code = main(_argv(tmp_path, builder, extra, schema))
        captured = capsys.readouterr()
        return subprocess.CompletedProcess([], code, captured.out, captured.err)

    return go


def session_messages() -> list[dict]:
    files = list((Path(os.environ["WORKBENCH_HOME"]) / "sessions").rglob("*.jsonl"))
    assert len(files) == 1
    return [json.loads(x)["message"] for x in files[0].read_text().splitlines() if '"type":"message"' in x]


def test_valid_answer_in_a_fence_prints_the_json(tmp_path):
    p = run(tmp_path, ScriptBuilder().turn().text('```json\n{"files": 3, "ok": true}\n```'))
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout) == {"files": 3, "ok": True}
    first = session_messages()[0]
    assert "JSON Schema" in first["content"][0]["text"] and '"files"' in first["content"][0]["text"]


def test_invalid_answers_are_retried_with_the_error_then_succeed(tmp_path, run_here):
    b = ScriptBuilder().turn().text("There are three files.").turn().text('{"files": "3", "ok": true}') \
        .turn().text('{"files": 3, "ok": true}')
    p = run_here(tmp_path, b, "--output-format", "jsonl")
    assert p.returncode == 0, p.stderr
    events = [json.loads(x) for x in p.stdout.splitlines()]
    done = events[-1]
    assert done["type"] == "run_completed" and done["structured_output"] == {"files": 3, "ok": True}
    assert done["extraction_error"] is None and done["turns"] == 3
    feedback = [e["text"] for e in events if e["type"] == "user_message" and e["kind"] == "follow_up"]
    assert len(feedback) == 2
    assert "not valid JSON" in feedback[0] and "files" in feedback[1] and "not of type 'integer'" in feedback[1]


def test_retries_run_out_and_the_result_says_why(tmp_path, run_here):
    b = ScriptBuilder().turn().text("nope").turn().text("still nope")
    p = run_here(tmp_path, b, "--structured-output-retries", "1")
    assert p.returncode == 30
    assert p.stdout == "" and "no structured output" in p.stderr and "not valid JSON" in p.stderr


def test_a_broken_schema_file_is_invalid_params(tmp_path, run_here):
    p = run_here(tmp_path, ScriptBuilder().turn().text("{}"), schema="{not json")
    assert p.returncode == 2 and "schema.json" in p.stderr and "line 1" in p.stderr
    p = run_here(tmp_path, ScriptBuilder().turn().text("{}"), schema={"type": "no-such-type"})
    assert p.returncode == 2 and "not a valid JSON Schema" in p.stderr


@pytest.mark.parametrize("text, ok", [
    ('{"files": 1, "ok": false}', True),
    ('  ```\n{"files": 1, "ok": false}\n```  ', True),
    ('{"files": 1}', False),
    ('{"files": 1, "ok": false, "extra": 1}', False),
    ("", False),
])
def test_extract(text, ok):
    assert extract(text, SCHEMA).ok is ok


def test_structured_run_counts_attempts():
    run_ = StructuredRun(SCHEMA, retries=1)
    assert run_.judge("x") is not None  # first failure: retry
    assert run_.judge("y") is None and run_.error and run_.value is None  # out of retries
    run_ = StructuredRun(SCHEMA, retries=0)
    assert run_.judge('{"files": 0, "ok": true}') is None and run_.value == {"files": 0, "ok": True}
