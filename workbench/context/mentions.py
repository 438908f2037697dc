"""`@path` mentions and pasted image paths: what a prompt attaches when it is sent.

Every `@path` naming a file in the workspace attaches it: text as a block headed with its path
(cut over MAX_ATTACH_BYTES, with a note), an image as pi's ImageContent, a binary refused with a
note the user sees. `@folder/` attaches a listing. A pasted absolute path to an image file (as a
terminal pastes a dropped file, quoted or not) attaches that image. The prompt text itself is
sent as typed.
"""

from __future__ import annotations

import os
import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from workbench.context.images import ImageAttachment, ImageError, load_image, looks_like_image_path, sniff_mime

MAX_ATTACH_BYTES = 100 * 1024  # per text file
MAX_LISTING = 500              # entries of an @folder/ listing
_SNIFF = 8192

# `@` at the start or after whitespace/opening punctuation; quoted form for paths with spaces
_MENTION = re.compile(r'(?:^|(?<=[\s(\[{"\']))@(?:"([^"]+)"|([^\s"\'()\[\]{},;]+))')
_PASTED = re.compile(r"""(?:^|(?<=\s))(?:'([^']+)'|"([^"]+)"|((?:~|/)(?:[^\s\\]|\\ )+))""")


@dataclass
class PreparedInput:
    text: str
    blocks: list[dict[str, Any]] = field(default_factory=list)  # attached text / image blocks
    notes: list[str] = field(default_factory=list)              # what the user should see
    attached: list[str] = field(default_factory=list)           # one line per attachment
    images: list[ImageAttachment] = field(default_factory=list)

    def content(self) -> list[dict[str, Any]]:
        return [{"type": "text", "text": self.text}, *self.blocks]

    def add_image(self, image: ImageAttachment) -> None:
        label = image.label()
        self.blocks.append({"type": "text", "text": label})
        self.blocks.append(image.content())
        self.images.append(image)
        self.attached.append(label)


def mention_spans(text: str) -> list[tuple[int, int, str]]:
    """(start, end, path) of every `@path` in the text; a trailing `.`/`:`/`!`/`?` is punctuation."""
    out = []
    for m in _MENTION.finditer(text):
        raw = m.group(1) or m.group(2) or ""
        end = m.end()
        if m.group(2):
            stripped = raw.rstrip(".:!?")
            end -= len(raw) - len(stripped)
            raw = stripped
        if raw:
            out.append((m.start(), end, raw))
    return out


def _inside(path: Path, root: Path) -> bool:
    return path == root or path.is_relative_to(root)


def _read_head(path: Path) -> bytes:
    with open(path, "rb") as fh:
        return fh.read(_SNIFF)


def attach_file(prepared: PreparedInput, raw: str, path: Path, workspace: Path, *, label: str) -> None:
    try:
        head = _read_head(path)
    except OSError as exc:
        prepared.notes.append(f"@{raw}: cannot be read ({exc.strerror or exc}): not attached")
        return
    if sniff_mime(head[:16]) is not None:
        try:
            prepared.add_image(load_image(path, name=label))
        except ImageError as exc:
            prepared.notes.append(f"@{raw}: {exc.message}: not attached")
        return
    if b"\x00" in head:
        prepared.notes.append(f"@{raw} is a binary file: not attached (only text files and PNG, JPEG, GIF "
                              "or WebP images can be)")
        return
    try:
        with open(path, "rb") as fh:
            data = fh.read(MAX_ATTACH_BYTES + 1)
            size = fh.seek(0, 2)
    except OSError as exc:
        prepared.notes.append(f"@{raw}: cannot be read ({exc.strerror or exc}): not attached")
        return
    cut = len(data) > MAX_ATTACH_BYTES
    text = data[:MAX_ATTACH_BYTES].decode("utf-8", errors="replace")
    if cut:
        text = text.rstrip("\ufffd")
        note = (f"[{label} was cut: the first {MAX_ATTACH_BYTES // 1024} KB of {size // 1024} KB are attached; "
                "read the file for the rest]")
        text += "\n" + note
        prepared.notes.append(f"@{raw} is {size // 1024} KB: only the first {MAX_ATTACH_BYTES // 1024} KB are attached")
    prepared.blocks.append({"type": "text", "text": f'<file path="{label}">\n{text.rstrip(chr(10))}\n</file>'})
    prepared.attached.append(f"{label} ({_size(size)}{', cut' if cut else ''})")


def attach_folder(prepared: PreparedInput, raw: str, path: Path, label: str) -> None:
    try:
        entries = sorted(os.scandir(path), key=lambda e: e.name)
    except OSError as exc:
        prepared.notes.append(f"@{raw}: cannot be listed ({exc.strerror or exc}): not attached")
        return
    lines = []
    for entry in entries[:MAX_LISTING]:
        try:
            lines.append(entry.name + ("/" if entry.is_dir() else ""))
        except OSError:
            lines.append(entry.name)
    more = len(entries) - MAX_LISTING
    if more > 0:
        lines.append(f"[{more} more entries not listed]")
    body = "\n".join(lines) or "(empty folder)"
    prepared.blocks.append({"type": "text", "text": f'<folder path="{label}">\n{body}\n</folder>'})
    prepared.attached.append(f"{label} (listing, {len(entries)} entries)")


def _size(n: int) -> str:
    from workbench.context.images import human_bytes

    return human_bytes(n)


def prepare_prompt(text: str, workspace: Path, *, images: list[Path] | None = None) -> PreparedInput:
    """Resolve the mentions and pasted image paths of `text`; `images` are extra image files
    (headless `--image`). Images that cannot be attached raise ImageError only when they were
    given explicitly (`--image`); mentions never raise: they become notes."""
    workspace = workspace.resolve()
    prepared = PreparedInput(text)
    done: set[Path] = set()
    for _start, _end, raw in mention_spans(text):
        target = Path(os.path.expanduser(raw))
        target = (target if target.is_absolute() else workspace / target).resolve()
        if target in done:
            continue
        if not target.exists():
            prepared.notes.append(f"@{raw}: no such file or folder in the workspace: not attached")
            continue
        inside = _inside(target, workspace)
        label = target.relative_to(workspace).as_posix() if inside else str(target)
        if target.is_dir():
            if not inside:
                prepared.notes.append(f"@{raw} is outside the workspace: not attached")
                continue
            attach_folder(prepared, raw, target, (label or ".") + "/")
        elif inside:
            attach_file(prepared, raw, target, workspace, label=label)
        elif looks_like_image_path(raw):  # an image from elsewhere (a screenshot) is fine
            attach_file(prepared, raw, target, workspace, label=target.name)
        else:
            prepared.notes.append(f"@{raw} is outside the workspace: not attached")
            continue
        done.add(target)
    for raw in pasted_image_paths(text):
        target = Path(os.path.expanduser(raw)).resolve()
        if target in done or not target.is_file():
            continue
        done.add(target)
        try:
            prepared.add_image(load_image(target))
        except ImageError as exc:
            prepared.notes.append(f"{exc.message}: not attached")
    for path in images or ():
        target = Path(os.path.expanduser(str(path)))
        target = (target if target.is_absolute() else workspace / target).resolve()
        if target in done:
            continue
        done.add(target)
        prepared.add_image(load_image(target, name=Path(path).name))
    return prepared


def pasted_image_paths(text: str) -> list[str]:
    """Absolute (or ~/) image paths in the text, as a terminal pastes a dropped file: bare with
    `\\ ` escapes, or in quotes."""
    out = []
    for m in _PASTED.finditer(text):
        raw = m.group(1) or m.group(2) or m.group(3) or ""
        if m.group(3):
            try:
                raw = shlex.split(raw)[0] if "\\" in raw else raw
            except ValueError:
                continue
        if (raw.startswith("/") or raw.startswith("~")) and looks_like_image_path(raw):
            out.append(raw)
    return out
