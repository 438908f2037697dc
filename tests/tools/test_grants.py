import os
import stat
import tomllib

import pytest
from hypothesis import given, settings, strategies as st

from workbench.tools.grants import GrantError, GrantStore
from workbench.tools.permissions import PermissionPolicy, RuleError
from workbench.tools.tomledit import set_membership


@pytest.fixture
def store(tmp_path, ws):
    return GrantStore(ws, user_file=tmp_path / "home" / "config.toml")


PROJECT = """\
# project settings, edited by hand
[provider]
name = "anthropic"   # keep me
model = "claude-sonnet-4-5"

[approvals]
mode = "edits"
# rules we trust
allow = [
    "bash(git status*)",  # fast
    "edit(src/**)",
]
deny = ["read(**/.env)"]

[ui]
theme = "workbench-dark"
"""


def test_add_creates_file_0600(store, ws):
    assert store.add("bash(git status*)") is True
    path = ws / ".workbench" / "config.toml"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert tomllib.loads(path.read_text()) == {"approvals": {"allow": ["bash(git status*)"]}}
    assert [(g.rule, g.scope) for g in store.list()] == [("bash(git status*)", "project")]
    assert store.add("bash(git status*)") is False


def test_round_trip_keeps_comments_and_settings(store):
    store.project_file.parent.mkdir(parents=True)
    store.project_file.write_text(PROJECT)
    assert store.add("bash(npm test*)")
    text = store.project_file.read_text()
    assert '    "edit(src/**)",\n    "bash(npm test*)",\n]' in text
    assert "# project settings, edited by hand" in text and "# keep me" in text and "# fast" in text
    data = tomllib.loads(text)
    assert data["provider"] == {"name": "anthropic", "model": "claude-sonnet-4-5"}
    assert data["approvals"]["deny"] == ["read(**/.env)"] and data["approvals"]["mode"] == "edits"
    assert store.remove("bash(npm test*)")
    assert store.project_file.read_text() == PROJECT
    assert store.remove("bash(git status*)")
    after = store.project_file.read_text()
    assert "# fast" not in after and "# rules we trust" in after
    assert tomllib.loads(after)["approvals"]["allow"] == ["edit(src/**)"]


def test_add_to_file_without_approvals_section(store):
    store.project_file.parent.mkdir(parents=True)
    store.project_file.write_text('# mine\n[ui]\ntheme = "x"\n')
    store.add("edit(a.py)")
    assert store.project_file.read_text() == '# mine\n[ui]\ntheme = "x"\n\n[approvals]\nallow = ["edit(a.py)"]\n'


def test_add_into_section_without_allow_key(store):
    store.project_file.parent.mkdir(parents=True)
    store.project_file.write_text('[approvals]\nmode = "ask" # default\n\n[ui]\ntheme = "x"\n')
    store.add("bash(make*)")
    text = store.project_file.read_text()
    assert text == '[approvals]\nallow = ["bash(make*)"]\nmode = "ask" # default\n\n[ui]\ntheme = "x"\n'


def test_dotted_and_inline_forms(store):
    store.project_file.parent.mkdir(parents=True)
    store.project_file.write_text('approvals.allow = ["a"] # x\n[ui]\ntheme = "t"\n')
    store.add("bash(b*)")
    assert store.project_file.read_text() == 'approvals.allow = ["a", "bash(b*)"] # x\n[ui]\ntheme = "t"\n'
    store.project_file.write_text('approvals = { mode = "ask" }\n')
    with pytest.raises(GrantError, match="nothing was written"):
        store.add("bash(c*)")
    assert store.project_file.read_text() == 'approvals = { mode = "ask" }\n'


def test_user_scope_and_listing_both(store):
    store.add("bash(ls*)", scope="user")
    store.add("edit(x.py)")
    assert [(g.rule, g.scope) for g in store.list()] == [("edit(x.py)", "project"), ("bash(ls*)", "user")]
    assert stat.S_IMODE(os.stat(store.user_file).st_mode) == 0o600
    assert store.remove("bash(ls*)") is True
    assert store.remove("bash(ls*)") is False
    assert [g.rule for g in store.list()] == ["edit(x.py)"]


def test_saved_rules_load_into_policy(store, ws, ctx):
    store.add("bash(git status*)")
    policy = PermissionPolicy.load(ws, user_file=store.user_file)
    assert policy.decide("bash", {"command": "git status"}, ctx).action == "allow"


def test_refuses_broken_files_and_bad_rules(store):
    store.project_file.parent.mkdir(parents=True)
    store.project_file.write_text("[approvals\nallow = [")
    with pytest.raises(GrantError, match="not valid TOML"):
        store.add("bash(x*)")
    assert store.project_file.read_text() == "[approvals\nallow = ["
    store.project_file.write_text('[approvals]\nallow = "bash"\n')
    with pytest.raises(GrantError, match="approvals.allow is not a list"):
        store.add("bash(x*)")
    with pytest.raises(RuleError):
        store.add("bash(")


rules = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=20)
layouts = st.sampled_from([
    "",
    '[approvals]\nallow = []\n',
    '[approvals]\nallow = ["x"]  # c\nask = ["y"]\n',
    '# top\n[approvals]\nallow = [\n  "x",  # one\n  \'y\',\n]\n[ui]\ntheme = "t"\n',
    '[approvals]\nallow = [\n  # empty\n]\n',
    'title = """multi\n[approvals]\nallow = [\n"""\n[approvals]\nallow = [ "z" ]\n',
])


@settings(max_examples=60, deadline=None)
@given(layouts, st.lists(rules, max_size=4, unique=True))
def test_add_remove_round_trip(layout, new_rules):
    original = tomllib.loads(layout)
    before = original.get("approvals", {}).get("allow", [])
    new_rules = [r for r in new_rules if r not in before]
    text = layout
    for rule in new_rules:
        text = set_membership(text, ("approvals",), "allow", rule, True)
    data = tomllib.loads(text)
    assert data.get("approvals", {}).get("allow", []) == before + new_rules
    for rule in new_rules:
        text = set_membership(text, ("approvals",), "allow", rule, False)
    final = tomllib.loads(text)
    assert final.get("approvals", {}).get("allow", []) == before
    assert {k: v for k, v in final.items() if k != "approvals"} == {k: v for k, v in original.items() if k != "approvals"}
    if layout:
        assert text == layout  # removing what was added restores the file byte for byte


def test_bad_scope_or_kind_refused(store):
    with pytest.raises(ValueError, match="scope must be 'project' or 'user'"):
        store.add("bash(npm test*)", "global")
    with pytest.raises(ValueError, match="kind must be one of"):
        store.add("bash(x*)", "project", "always")
    assert not store.project_file.exists() and not store.user_file.exists()


def test_kind_first_form(store):
    assert store.add("allow", "bash(npm test*)") is True
    assert store.add("deny", "bash(rm*)") is True
    assert [(g.rule, g.scope) for g in store.list()] == [("bash(npm test*)", "project")]
    assert [g.rule for g in store.list("deny")] == ["bash(rm*)"]


def test_other_kinds(store):
    store.add("bash(rm*)", kind="deny")
    assert [(g.rule, g.scope) for g in store.list("deny")] == [("bash(rm*)", "project")]
    assert store.list() == []
    assert store.remove("bash(rm*)", "project", "deny")
