

def test_a_skill_file_is_parsed_once_per_version(tmp_path, monkeypatch):
    from workbench.context import skills as S

    folder = tmp_path / "release-notes"
    folder.mkdir()
    (folder / "SKILL.md").write_text("---\nname: release-notes\ndescription: Write the notes.\n---\nbody\n")
    parsed = []
    real = S.split_front_matter
    monkeypatch.setattr(S, "split_front_matter", lambda text: (parsed.append(1), real(text))[1])
    first = S.load_skill(folder, S.SkillScope.PROJECT)
    assert S.load_skill(folder, S.SkillScope.PROJECT) is first and len(parsed) == 1  # a mob's second member
    (folder / "SKILL.md").write_text("---\nname: release-notes\ndescription: Write the release notes.\n---\n")
    assert S.load_skill(folder, S.SkillScope.PROJECT).description == "Write the release notes."
    assert len(parsed) == 2
