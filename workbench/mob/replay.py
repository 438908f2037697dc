"""Replay scripts for a mob: one replay script per member, by identity.

A mob script file is JSON: `{"version": 1, "members": {"lead": <replay script>, "w1": ...}}`,
each value a replay script exactly as `--provider replay` reads it (docs/providers.md). A
directory works too: one `<identity>.json` replay script per member. A member without a script is
refused when it is spawned, with an error naming it (the model that asked to spawn it is told).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Mapping

from workbench.errors import InvalidParams
from workbench.mob.definition import Profile
from workbench.mob.environment import ProviderFactory


def parse_mob_scripts(data: Any, *, source: str = "<mob script>") -> dict[str, Any]:
    from workbench.providers.replay import parse_script

    if not isinstance(data, dict) or not isinstance(data.get("members"), dict):
        raise InvalidParams(f"{source}: a mob replay script is an object with a \"members\" object "
                            "mapping each member's identity to its replay script")
    if data.get("version", 1) != 1:
        raise InvalidParams(f"{source}: unsupported mob script version {data.get('version')!r} (expected 1)")
    return {identity: parse_script(script, source=f"{source}: members.{identity}")
            for identity, script in data["members"].items()}


def load_mob_scripts(path: str | Path) -> dict[str, Any]:
    """identity -> ReplayScript, from a mob script file or a directory of `<identity>.json`."""
    from workbench.providers.replay import load_script

    path = Path(path)
    if path.is_dir():
        return {p.stem: load_script(p) for p in sorted(path.glob("*.json"))}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InvalidParams(f"cannot read the mob replay script {path}: {exc.strerror or exc}") from None
    except json.JSONDecodeError as exc:
        raise InvalidParams(f"{path}:{exc.lineno}: invalid JSON: {exc.msg}") from None
    return parse_mob_scripts(data, source=str(path))


def dump_mob_scripts(scripts: Mapping[str, Any]) -> str:
    members = {identity: json.loads(script.to_json()) for identity, script in scripts.items()}
    return json.dumps({"version": 1, "members": members}, indent=2)


def replay_factory(scripts: Mapping[str, Any], *, delay_scale: float = 1.0, model: str = "replay") -> ProviderFactory:
    """A provider factory playing each member's own script."""
    from workbench.providers.replay import ReplayProvider

    def factory(identity: str, profile_name: str, profile: Profile) -> tuple[Any, str]:
        script = scripts.get(identity)
        if script is None:
            known = ", ".join(sorted(scripts)) or "none"
            raise InvalidParams(f"no replay script for member {identity!r} (scripts for: {known})")
        return ReplayProvider(script, model=model, delay_scale=delay_scale), model

    return factory
