"""Issue 13 item 9: spawns that fail make a headless mob run fail, unless the definition allows it."""

import subprocess
import sys

import pytest

from tests.mob.test_crash_resume import ROOT, _env
from workbench.mob.replay import dump_mob_scripts
from workbench.providers.replay import ScriptBuilder

DEFINITION = '''
[mob]
id = "spawny"
orchestrator = "lead"
{extra}
[profiles.lead]
[profiles.worker]
tools = ["ls"]
'''


def _run(tmp_path, extra: str) -> subprocess.CompletedProcess:
    lead = (ScriptBuilder()
            .turn().tool_call("spawn_member", {"profile": "nosuchprofile", "identity": "w1", "task": "x"}, id="l1")
            .usage(input=10, output=5)
            .turn().text("Carried on alone.").usage(input=10, output=5)
            .build())
    (tmp_path / "mob.toml").write_text(DEFINITION.format(extra=extra))
    (tmp_path / "scripts.json").write_text(dump_mob_scripts({"lead": lead}))
    return subprocess.run([sys.executable, "-m", "workbench.cli", "mob", "run", str(tmp_path / "mob.toml"), "-p", "go",
                           "--provider", "replay", "--replay-script", str(tmp_path / "scripts.json"),
                           "--cwd", str(tmp_path), "--approve", "yolo"],
                          capture_output=True, text=True, timeout=60, env=_env(tmp_path / "home"), cwd=tmp_path)


@pytest.mark.parametrize("allowed", [False, True])
def test_a_failed_spawn_fails_the_run_unless_allowed(tmp_path, allowed):
    p = _run(tmp_path, "allow_failed_spawns = true" if allowed else "")
    assert "Carried on alone." in p.stdout
    if allowed:
        assert p.returncode == 0, p.stderr
    else:
        assert p.returncode == 30, p.stderr  # it used to exit 0, "completed"
        assert "1 spawn(s) failed" in p.stderr and "allow_failed_spawns" in p.stderr
