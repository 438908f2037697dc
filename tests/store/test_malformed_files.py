"""One malformed file never breaks listing (issue 13 item 23): JSON nested deeper than Python
recurses is one problem row; `sessions list`, `-c` and the picker's list still work."""

from __future__ import annotations

import json
from pathlib import Path

from workbench.cli import main
from workbench.sessions.manager import SessionManager
from workbench.sessions.paths import session_dir_for
from workbench.sessions.store import SessionStore

NEST = "[" * 1100 + "]" * 1100


def _header(sid: str, cwd: Path, extra: str = "") -> str:
    return (f'{{"type":"session","version":3,"id":"{sid}","timestamp":"2026-01-01T00:00:00.000Z",'
            f'"cwd":"{cwd}"{extra}}}\n')


def _message(text_json: str, ts: str = "2026-01-01T00:00:00.000Z") -> str:
    return (f'{{"type":"message","id":"aa000001","parentId":null,"timestamp":"{ts}",'
            f'"message":{{"role":"user","content":{text_json},"timestamp":1767225600000}}}}\n')


def _files(home: Path, ws: Path) -> tuple[Path, Path, Path]:
    directory = session_dir_for(home / "sessions", str(ws))
    directory.mkdir(parents=True)
    bad_header = directory / "2026-01-03T00-00-00-000Z_11111111-0000-4000-8000-000000000000.jsonl"
    bad_header.write_text(_header("11111111-0000-4000-8000-000000000000", ws, f',"x":{NEST}') + _message('"hi"'))
    bad_entry = directory / "2026-01-02T00-00-00-000Z_22222222-0000-4000-8000-000000000000.jsonl"
    bad_entry.write_text(_header("22222222-0000-4000-8000-000000000000", ws) + _message(NEST))
    good = directory / "2026-01-01T00-00-00-000Z_33333333-0000-4000-8000-000000000000.jsonl"
    good.write_text(_header("33333333-0000-4000-8000-000000000000", ws) + _message('"the good one"', "2026-01-01T00:00:00.000Z"))
    return bad_header, bad_entry, good


def test_listing_reports_the_deeply_nested_file_as_one_problem(home, tmp_path, capsys, monkeypatch):
    ws = tmp_path / "ws"
    ws.mkdir()
    bad_header, bad_entry, good = _files(home, ws)
    monkeypatch.chdir(ws)
    assert main(["sessions", "list", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert {Path(s["path"]) for s in out["sessions"]} == {bad_entry, good}
    assert len(out["problems"]) == 1 and str(bad_header) in out["problems"][0]
    # the picker's list and -c use the same store
    store = SessionStore.from_settings(str(ws))
    assert {info.path for info in store.list(ws)} == {bad_entry, good}
    assert store.continue_recent(ws) in (bad_entry, good)


def test_an_entry_nested_too_deeply_is_a_problem_row_not_a_crash(home, tmp_path, capsys):
    ws = tmp_path / "ws"
    ws.mkdir()
    _, bad_entry, _ = _files(home, ws)
    with SessionManager.open(bad_entry, readonly=True) as manager:
        context = manager.build_context()
        assert context.messages == []
        assert [(p.line, p.kind) for p in manager.problems] == [(2, "corrupt")]
        assert "nested too deeply" in manager.problems[0].message
    assert main(["sessions", "show", str(bad_entry)]) == 0
    assert "nested too deeply" in capsys.readouterr().out


def test_opening_the_bad_header_file_is_a_clear_error(home, tmp_path, capsys):
    ws = tmp_path / "ws"
    ws.mkdir()
    bad_header, _, _ = _files(home, ws)
    code = main(["sessions", "show", str(bad_header)])
    err = capsys.readouterr().err
    assert code not in (0, 2, 10) and str(bad_header) in err and "Traceback" not in err
