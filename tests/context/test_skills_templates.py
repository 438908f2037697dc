"""Skills (scopes, clashes, diagnostics) and prompt templates (arguments, clashes)."""

from __future__ import annotations

from pathlib import Path

import pytest

from workbench.context.prompts import expand_command
from workbench.context.project import ProjectContext
from workbench.context.skills import SkillEngine, SkillError, SkillNotFound, SkillScope, skill_roots
from workbench.context.templates import TemplateArgumentError, TemplateSet, expand


def skill(root: Path, folder: str, text: str) -> Path:
    d = root / folder
    d.mkdir(parents=True, exist_ok=True)
    (d / "SKILL.md").write_text(text)
    return d


def good(name: str, desc: str = "Does a thing.") -> str:
    return f"---\nname: {name}\ndescription: {desc}\n---\nBody of {name}.\n"


def test_a_broken_skill_among_good_ones(tmp_path):
    ws, cfg = tmp_path / "ws", tmp_path / "cfg"
    root = ws / ".agents" / "skills"
    skill(root, "alpha", good("alpha"))
    skill(root, "no-front", "just text")
    skill(root, "bad-yaml", "---\nname: [unclosed\n---\n")
    skill(root, "Upper", good("Upper"))
    skill(root, "mismatch", good("other-name"))
    skill(root, "nodesc", "---\nname: nodesc\n---\nx")
    (root / "binary").mkdir()
    (root / "binary" / "SKILL.md").write_bytes(b"\xff\x00\xfe")
    (root / "helpers").mkdir()  # no SKILL.md: not a skill, not a problem
    skill(ws / ".workbench" / "skills", "beta", good("beta"))
    engine = SkillEngine.discover(skill_roots(ws, cfg, home=tmp_path / "home"))
    assert set(engine.skills) == {"alpha", "beta", "write-a-skill"}
    kinds = {d.path.parent.name: d.kind for d in engine.diagnostics}
    assert kinds == {"no-front": SkillError.PARSE, "bad-yaml": SkillError.PARSE, "Upper": SkillError.PARSE,
                     "mismatch": SkillError.PARSE, "nodesc": SkillError.PARSE, "binary": SkillError.LOAD}
    messages = {d.path.parent.name: d.message for d in engine.diagnostics}
    assert "does not match its folder" in messages["mismatch"]
    assert "not valid YAML (line" in messages["bad-yaml"]
    assert "no `description`" in messages["nodesc"]
    section = engine.prompt_section()
    assert "<name>alpha</name>" in section and str(root / "alpha" / "SKILL.md") in section
    assert "no-front" not in section


def test_project_beats_user_beats_builtin_and_the_clash_is_reported(tmp_path):
    ws, cfg, home = tmp_path / "ws", tmp_path / "cfg", tmp_path / "home"
    skill(ws / ".agents" / "skills", "deploy", good("deploy", "project one"))
    skill(cfg / "skills", "deploy", good("deploy", "user one"))
    skill(home / ".agents" / "skills", "write-a-skill", good("write-a-skill", "user override of a builtin"))
    engine = SkillEngine.discover(skill_roots(ws, cfg, home=home))
    assert engine.skills["deploy"].scope is SkillScope.PROJECT
    assert engine.skills["write-a-skill"].scope is SkillScope.USER
    clashes = [d for d in engine.diagnostics if d.kind is SkillError.CLASH]
    assert {(d.name, d.scope) for d in clashes} == {("deploy", SkillScope.USER),
                                                    ("write-a-skill", SkillScope.BUILTIN)}


def test_skill_command_sends_the_body_then_the_arguments_and_unknown_is_skill_not_found(tmp_path):
    ws, cfg = tmp_path / "ws", tmp_path / "cfg"
    skill(ws / ".agents" / "skills", "review", good("review"))
    project = ProjectContext.load(ws, config_dir=cfg)
    text, source = expand_command("/skill:review src/app.py please", project)
    assert source == "skill:review"
    assert "Body of review." in text and text.endswith("\n\nsrc/app.py please")
    assert text.index("Body of review.") < text.index("src/app.py please")
    with pytest.raises(SkillNotFound) as info:
        expand_command("/skill:nope", project)
    assert info.value.code == "SKILL_NOT_FOUND" and info.value.exit_code == 41


def test_member_skill_list_limits_and_reports_missing(tmp_path):
    ws, cfg = tmp_path / "ws", tmp_path / "cfg"
    skill(ws / ".agents" / "skills", "a", good("a"))
    skill(ws / ".agents" / "skills", "b", good("b"))
    project = ProjectContext.load(ws, config_dir=cfg, skill_names=["a", "zzz"])
    assert set(project.skills.skills) == {"a"}
    assert any(d.kind is SkillError.NOT_FOUND and d.name == "zzz" for d in project.skills.diagnostics)


def test_template_with_quoted_arguments():
    body = "Compare $1 with $2.\nAll: $ARGUMENTS\nMissing: [$3]"
    out = expand(body, '"src/a file.py" \'b.py\'')
    assert out == "Compare src/a file.py with b.py.\nAll: \"src/a file.py\" 'b.py'\nMissing: []"
    with pytest.raises(TemplateArgumentError):
        expand(body, '"unclosed')
    assert expand("No placeholders.", "extra words") == "No placeholders.\n\nextra words"


def test_templates_project_user_and_builtin_clash(tmp_path):
    ws, cfg = tmp_path / "ws", tmp_path / "cfg"
    (ws / ".workbench" / "prompts").mkdir(parents=True)
    (cfg / "prompts").mkdir(parents=True)
    (ws / ".workbench" / "prompts" / "fix.md").write_text(
        "---\ndescription: Fix an issue\nargument-hint: <issue>\n---\nFix issue $1 now.\n")
    (cfg / "prompts" / "fix.md").write_text("user fix")
    (cfg / "prompts" / "explain.md").write_text("Explain $ARGUMENTS simply.\n")
    (cfg / "prompts" / "new.md").write_text("clashes with /new")
    (cfg / "prompts" / "broken.md").write_text("---\n: : :\n")
    found = TemplateSet.discover(ws, cfg, builtin_names=["new", "help"])
    assert sorted(found.templates) == ["explain", "fix"]
    fix = found.get("fix")
    assert fix.scope == "project" and fix.description == "Fix an issue" and fix.argument_hint == "<issue>"
    assert fix.expand("'#12 and more'") == "Fix issue #12 and more now.\n"
    problems = {p.path.name: p.message for p in found.problems}
    assert "built-in command" in problems["new.md"]
    assert "shadowed by the project template" in problems["fix.md"]
    assert "never closed" in problems["broken.md"]
    project = ProjectContext.load(ws, config_dir=cfg, builtin_commands=["new"])
    assert expand_command("/explain monads", project) == ("Explain monads simply.\n", "template:explain")
    assert expand_command("/unknown x", project) is None
