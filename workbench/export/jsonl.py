"""JSONL export: the session file's format (pi's session v3), of the active branch or the whole file.

A branch export is a valid session file of its own: the header, then the entries root → leaf
(the ones on that path only: a label written elsewhere in the tree would dangle), so pi and
workbench can open it with that leaf as its leaf.
"""

from __future__ import annotations

import json
from typing import Any


def export_jsonl(manager: Any, *, leaf: str | None = None, whole_tree: bool = False) -> str:
    entries = list(manager.entries) if whole_tree else manager.get_branch(leaf)
    lines = [json.dumps(manager.header, ensure_ascii=False, separators=(",", ":"))]
    lines += [json.dumps(e, ensure_ascii=False, separators=(",", ":")) for e in entries]
    return "\n".join(lines) + "\n"
