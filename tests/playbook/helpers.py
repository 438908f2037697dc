"""Shared playbooks for the playbook tests."""

from pathlib import Path

from workbench.playbook.loader import load_playbook

RELEASE = '''
[playbook]
relevance_threshold = 0.5
max_matches = 3

[[guidelines]]
id = "tests-first"
condition = "the user asks to change code"
action = "Write or update a test first."
priority = 5
match = ["fix", "bug"]
tools = ["bash"]

[[guidelines]]
id = "ticket"
condition = "the user mentions a ticket"
action = "Quote the ticket number in the commit message."
required_context = ["ticket"]
match = ["ticket"]

[[guidelines]]
id = "tone"
condition = "the user sounds frustrated"
action = "Acknowledge it briefly, then get to work."
priority = 1

[[guidelines]]
id = "release"
condition = "the user wants to cut a release"
action = "Follow the release journey."
match = ["release", "ship it"]
starts_journey = "release"
priority = 3

[[guidelines]]
id = "changelog"
condition = "a release is being prepared"
action = "Update CHANGELOG.md."
journey = "release"
step = "bump"

[[journeys]]
id = "release"
name = "Release"
description = "Cut a release"

[[journeys.steps]]
id = "bump"
name = "bump the version"
description = "Bump the version number in pyproject.toml."
transitions = [{ to = "test", condition = "the version is bumped", match = ["bumped"] }]

[[journeys.steps]]
id = "test"
name = "run the tests"
description = "Run the whole test suite."
guidelines = ["tests-first"]
required_context = ["version"]
[[journeys.steps.transitions]]
to = "publish"
condition = "the tests pass"
match = ["tests pass", "green"]
[[journeys.steps.transitions]]
to = "bump"
condition = "the tests fail and the version must change again"
priority = -1

[[journeys.steps]]
id = "publish"
name = "publish"
description = "Tag and publish."
is_terminal = true
'''


def write_playbook(ws: Path, text: str = RELEASE) -> Path:
    path = ws / ".workbench" / "playbook.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def release_playbook(ws: Path):
    write_playbook(ws)
    pb = load_playbook(ws)
    assert pb.problems == (), pb.problems
    return pb
