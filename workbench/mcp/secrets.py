"""Secrets of MCP configuration (env and header values): masked wherever they could be shown.

A configured value never reaches a session file, a log or the screen: listings show `••••`
instead, and `redact` replaces any occurrence of a configured value in text that came back from
a server (a tool result, an error, its stderr) before the workbench stores or shows it.
"""

from __future__ import annotations

from typing import Iterable, Mapping

MASK = "••••"
_MIN_SECRET = 3  # shorter values ("1", "on") would mask ordinary text without protecting anything


def masked(values: Mapping[str, str] | None) -> dict[str, str]:
    """The keys with every value hidden."""
    return {key: MASK for key in (values or {})}


class Redactor:
    """Replaces every known secret value in a text by the mask; longest values first, so a secret
    that contains another is hidden whole."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._secrets: list[str] = []
        self.add(secrets)

    def add(self, secrets: Iterable[str]) -> None:
        found = {s for s in secrets if isinstance(s, str) and len(s.strip()) >= _MIN_SECRET}
        self._secrets = sorted(found | set(self._secrets), key=len, reverse=True)

    def __call__(self, text: str) -> str:
        if not self._secrets or not text:
            return text
        for secret in self._secrets:
            if secret in text:
                text = text.replace(secret, MASK)
        return text

    def __bool__(self) -> bool:
        return bool(self._secrets)
