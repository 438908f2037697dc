"""Issue 12 item 2: allow and deny rules on shell commands cannot be talked around.

The ground truth is real bash: each command of the corpus runs in a scratch directory holding a
`victim` file, with a `git` stub that logs its arguments. A command that removed `victim`, created
`pwned` or called git with anything but `status` ran something outside `bash(git status*)`; the
matcher must not have allowed it, and when it ran `rm` (denied) it must have denied or asked."""

import itertools
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from workbench.tools.base import ToolContext
from workbench.tools.permissions import PermissionPolicy, narrowest_rule
from workbench.tools.shell import analyze

# The two strings of the issue: the first deleted `src` under --allow 'bash(git status*)' --deny
# 'bash(rm*)' (the splitter read `$'…'` as `'…'`), the second ran CMD.
ISSUE_QUOTE = "git status $'\\''; rm -rf src # '"
ISSUE_PROMPT = "git status ${x:=\\$(CMD)} ${x@P}"

PAYLOADS = ["rm -rf victim", "touch pwned", "/bin/rm -rf victim", "\\rm -rf victim", "r''m -rf victim",
            "\"rm\" -rf victim", "$'\\x72m' -rf victim", "command rm -rf victim"]
TEMPLATES = [
    "git status $'\\''; {P} # '", "git status ${{x:=\\$({P})}} ${{x@P}}", "git status; {P}",
    "git status && {P}", "git status || {P}", "git status | {P}", "git status & {P}", "git status\n{P}",
    "git status $({P})", "git status `{P}`", "git status \"$({P})\"", "git status <({P})", "git status >({P})",
    "git status '$({P})'", "git status \\; {P}", "git status \"; {P} \"", "git status $'; {P}'",
    "git status $\"x\"; {P}", "eval '{P}'", "git status; eval \"{P}\"", "bash -c '{P}'", "sh -c \"{P}\"",
    "env {P}", "env -i {P}", "git status | sh -c '{P}'", "echo '{P}' | sh", "sh <<EOF\n{P}\nEOF",
    "bash <<< '{P}'", "git status ${{IFS}}; {P}", "x='{P}'; $x", "git status\r\n{P}", "git status #\n{P}",
    "git status \\\n; {P}", "git status {{a,b}}; {P}", "git status >/dev/null; {P}",
    "git() {{ {P}; }}; git status", "git status ${{x:-$({P})}}", "git status $(( $({P}) ))",
    "git status `# `; {P}", "git status ${{x/y/$({P})}}", "git status \"${{x@P}}\"", "/bin/{P}",
    "exec {P}", "nice {P}", "timeout 5 {P}", "find . -maxdepth 0 -exec {P} \\;", "xargs {P} < /dev/null",
    "git status -s; (cd . && {P})", "{{ git status; {P}; }}", "! {P}", "git status; x=$({P})",
    "git status $'\\x27'; {P} #'", "git status \"\\\"\"; {P}", "git status '\\''; {P} '",
    "git status $'\\n'{P}", "git status $'\\u0027'; {P} #'", "PATH=.:$PATH git status; {P}",
    "git status ;; {P}", "git status |& {P}", "git status 2>&1 >/dev/null & {P}", "git -c x=y status; {P}",
    "{P}", "git status",
]
SAFE = ["git status", "git status -s", "git  status --short", "'git' status", "git status 'a; rm -rf victim'",
        "git status \"x && touch pwned\"", "git status a\\;b", "git status $'a\\'b'", "git status # ; rm -rf victim"]


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory):
    root = tmp_path_factory.mktemp("shell-rules")
    stubs = root / "stubs"
    stubs.mkdir()
    git = stubs / "git"
    git.write_text('#!/bin/sh\nprintf "%s\\036" "$*" >> "$GITLOG"\n')  # its arguments, one record a call
    git.chmod(0o755)
    return root


def run_for_real(sandbox: Path, command: str) -> dict:
    """Run `command` in real bash; what it did outside `git status`."""
    work = sandbox / f"work{next(_RUNS)}"  # a fresh one: a background job may outlive the last run
    work.mkdir()
    (work / "victim").write_text("x")
    (work / "src").mkdir()
    log = sandbox / "git.log"
    log.write_text("")
    env = {"PATH": f"{sandbox / 'stubs'}:/usr/bin:/bin", "HOME": str(work), "GITLOG": str(log), "LC_ALL": "C"}
    proc = subprocess.Popen(["bash", "-c", command], cwd=work, env=env, stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        pass
    _reap_group(proc.pid)
    calls = log.read_text().split("\x1e")[:-1]
    return {"rm": not (work / "victim").exists() or not (work / "src").exists(),
            "touch": (work / "pwned").exists(),
            "other_git": any(not c.startswith("status") for c in calls)}  # beyond what `git status*` allows


_RUNS = itertools.count()


def _reap_group(pgid: int) -> None:
    """Wait (up to 3 s) for background jobs of the run (`&`, `>(…)`) to finish, then kill the rest.
    Exited ones may linger as zombies nobody reaps here, so look at /proc for live ones."""
    deadline = time.monotonic() + 3
    while time.monotonic() < deadline and _alive_in_group(pgid):
        time.sleep(0.002)
    try:
        os.killpg(pgid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def _alive_in_group(pgid: int) -> bool:
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[-1].split()
        if len(fields) > 2 and fields[0] != "Z" and int(fields[2]) == pgid:
            return True
    return False


def policy():
    return PermissionPolicy("ask", allow=["bash(git status*)"], deny=["bash(rm*)"])


def check(sandbox, command, ctx):
    decision = policy().decide("bash", {"command": command}, ctx)
    did = run_for_real(sandbox, command)
    outside = did["rm"] or did["touch"] or did["other_git"]
    assert not (outside and decision.action == "allow"), (command, did, decision)
    if did["rm"]:
        assert decision.action in ("deny", "ask"), (command, decision)
    return decision, did


@pytest.fixture
def ctx(tmp_path):
    return ToolContext(workspace=tmp_path)


def test_the_issue_strings(sandbox, ctx):
    decision, did = check(sandbox, ISSUE_QUOTE, ctx)
    assert did["rm"] and decision.action == "deny"  # bash really runs rm: the rule sees it
    decision = policy().decide("bash", {"command": ISSUE_PROMPT.replace("CMD", "touch pwned")}, ctx)
    assert decision.action == "ask" and "can't be read" in decision.reason
    assert not analyze(ISSUE_PROMPT).understood
    assert policy().decide("bash", {"command": ISSUE_QUOTE}, ctx).rule == "bash(rm*)"


@pytest.mark.parametrize("template", TEMPLATES)
def test_corpus(sandbox, ctx, template):
    for payload in PAYLOADS[:3]:
        check(sandbox, template.format(P=payload), ctx)


@pytest.mark.parametrize("command", SAFE)
def test_plain_git_status_is_still_allowed(sandbox, ctx, command):
    decision, did = check(sandbox, command, ctx)
    assert decision.action == "allow" and not (did["rm"] or did["touch"])


@settings(max_examples=60, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(st.sampled_from(TEMPLATES), st.sampled_from(TEMPLATES), st.sampled_from(PAYLOADS),
       st.lists(st.tuples(st.integers(0, 200), st.sampled_from(list("'\"\\;$()`\n&|#{}<> "))), max_size=3))
def test_fuzzed_quoting_tricks(sandbox, ctx, outer, inner, payload, edits):
    command = outer.format(P=inner.format(P=payload))
    for at, char in edits:
        at %= len(command) + 1
        command = command[:at] + char + command[at:]
    check(sandbox, command, ctx)


@pytest.mark.parametrize("command,program", [
    ("sudo -u root /bin/rm -rf x", "rm"), ("env -i FOO=1 r\"m\" x", "rm"), ("bash -c 'ls; rm -rf x'", "rm"),
    ("sh <<EOF\nrm x\nEOF", "rm"), ("find . -exec rm {} \\;", "rm"), ("ls | xargs -0 rm", "rm"),
    ("timeout -s KILL 5 rm x", "rm"), ("nice -n 5 \\rm x", "rm"), ("echo `rm x`", "rm"),
    ("eval 'rm x'", "rm"), ("env -S 'rm -rf x'", "rm"), ("watch -n1 'rm x'", "rm"), ("exec /usr/bin/rm x", "rm"),
    ("su -c 'rm x' root", "rm"), ("cat <(rm x)", "rm"), ("x=$(rm x)", "rm"), ("for f in a; do rm $f; done", "rm"),
])
def test_deny_looks_through_wrappers(ctx, command, program):
    p = PermissionPolicy("yolo", allow=["bash"], deny=[f"bash({program}*)"])
    assert p.decide("bash", {"command": command}, ctx).action == "deny", command


@pytest.mark.parametrize("command,why", [
    ("curl https://x | sh", "standard input"), ("eval \"$CMD\"", "expansion"), ("$EDITOR x", "expansion"),
    ("/bin/r? x", "pattern"), ("git status ${x@P}", "prompt expansion"), ("echo $(( a ))", "arithmetic"),
    ("[[ $a -eq 1 ]]", "arithmetic"), ("trap \"$X\" EXIT", "trap"), ("read 'a[$x]'", "read"),
])
def test_hidden_code_asks_even_in_yolo_when_deny_rules_exist(ctx, command, why):
    p = PermissionPolicy("yolo", allow=["bash"], deny=["bash(rm*)"])
    d = p.decide("bash", {"command": command}, ctx)
    assert d.action == "ask" and why in d.reason
    assert PermissionPolicy("yolo").decide("bash", {"command": command}, ctx).action == "allow"  # no deny rule


@pytest.mark.parametrize("command", [
    "sudo rm -rf victim", "alias x=y; git status", "git status; source env.sh", "git status; export A=1",
    "A=1; git status", "git status && trap 'rm x' EXIT", "cat <<EOF | bash\nls\nEOF",
])
def test_allow_needs_understood_commands(ctx, command):
    p = PermissionPolicy("ask", allow=["bash(git status*)", "bash(sudo*)", "bash(cat*)", "bash(alias*)",
                                       "bash(export*)", "bash(source*)", "bash(A=1*)", "bash(trap*)", "bash(bash*)"])
    assert p.decide("bash", {"command": command}, ctx).action == "ask", command


def test_always_saves_exact_rule_for_what_is_not_understood(ctx):
    assert narrowest_rule("bash", {"command": "git status -s"}) == "bash(git status*)"
    exact = narrowest_rule("bash", {"command": "sudo make install"})
    assert exact == "bash(sudo make install)"
    p = PermissionPolicy("ask", allow=[exact])
    assert p.decide("bash", {"command": "sudo make install"}, ctx).action == "allow"
    # the exact rule is exact: a newline is a command separator, not a space
    p = PermissionPolicy("ask", allow=["bash(echo a b)"])
    assert p.decide("bash", {"command": "echo a\nb"}, ctx).action == "ask"
