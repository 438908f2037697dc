"""The resume picker: find a session (this folder or all), preview it, rename/delete, open or fork.

`ResumeScreen(store, cwd, current_path=None)` dismisses with a `ResumeChoice` (the path, and
whether to open it read-only or fork it) or None. Listing all folders and reading message text
for the search run in worker threads, so the screen stays responsive on large stores.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from workbench.sessions.listing import SessionInfo
from workbench.sessions.locks import is_locked
from workbench.sessions.manager import SessionManager
from workbench.sessions.tree_view import content_text, one_line
from workbench.tui.tree.label import LabelScreen
from workbench.tui.widgets.ordered_keys import OrderedInput


@dataclass(frozen=True)
class ResumeChoice:
    path: Path
    readonly: bool = False  # locked by another process: open without writing
    fork: bool = False  # copy it to a new session instead of opening it


def fuzzy_score(query: str, text: str) -> int | None:
    """Every word of `query` must occur in `text` (case-insensitive): as a substring (best,
    earlier is better) or as a subsequence of characters (fuzzy). None: no match."""
    text = text.lower()
    score = 0
    for word in query.lower().split():
        at = text.find(word)
        if at >= 0:
            score += 1000 - min(at, 999)
            continue
        pos = 0
        for ch in word:
            pos = text.find(ch, pos)
            if pos < 0:
                return None
            pos += 1
        score += 100
    return score


# A match in the name beats one in the first message, which beats one deep in the text.
FIELD_BONUS = (("name", 3000), ("first_message", 2000))


def rank(query: str, info: SessionInfo, text: str) -> int | None:
    """How well a session matches: the best single field wins (name, first message, all its
    text); words spread over several fields still match, ranked below. None: no match."""
    best: int | None = None
    for field, bonus in FIELD_BONUS:
        score = fuzzy_score(query, getattr(info, field) or "")
        if score is not None:
            best = max(best or 0, score + bonus)
    if best is not None:
        return best
    score = fuzzy_score(query, text)
    if score is not None:
        return score
    spread = fuzzy_score(query, " ".join(filter(None, [info.name, info.first_message, info.cwd, info.mob_id,
                                                       info.mob_member, text])))
    return None if spread is None else spread - 1000


def session_text(path: Path, limit: int = 200_000) -> str:
    """All user/assistant message text of a session file (for the search), up to `limit` chars."""
    parts: list[str] = []
    size = 0
    try:
        with open(path, "rb") as fh:
            for raw in fh:
                if b'"message"' not in raw:
                    continue
                try:
                    entry = json.loads(raw)
                except ValueError:
                    continue
                msg = entry.get("message") if isinstance(entry, dict) else None
                if isinstance(msg, dict) and msg.get("role") in ("user", "assistant"):
                    text = content_text(msg.get("content"))
                    parts.append(text)
                    size += len(text)
                    if size > limit:
                        break
    except OSError:
        return ""
    return "\n".join(parts)


def last_exchange(path: Path) -> tuple[str | None, str | None]:
    """The last user message and the last assistant answer on the session's current path."""
    manager = SessionManager.open(path, readonly=True)
    try:
        user = answer = None
        for entry in reversed(manager.get_branch()):
            msg = entry.get("message") if entry.get("type") == "message" else None
            if not isinstance(msg, dict):
                continue
            if answer is None and msg.get("role") == "assistant":
                text = content_text(msg.get("content"))
                if text.strip():
                    answer = text
            if msg.get("role") == "user":
                user = content_text(msg.get("content"))
                break
        return user, answer
    finally:
        manager.close()


def grouped(infos: list[SessionInfo]) -> list[tuple[SessionInfo, int]]:
    """Sessions with their forks under them (depth), each level by recent activity."""
    by_path = {str(i.path.absolute()): i for i in infos}
    children: dict[str, list[SessionInfo]] = {}
    roots: list[SessionInfo] = []
    for info in infos:
        parent = info.parent_session
        if parent and parent in by_path and parent != str(info.path.absolute()):
            children.setdefault(parent, []).append(info)
        else:
            roots.append(info)
    out: list[tuple[SessionInfo, int]] = []
    stack = [(info, 0) for info in reversed(sorted(roots, key=lambda i: i.modified, reverse=True))]
    seen: set[str] = set()
    while stack:
        info, depth = stack.pop()
        key = str(info.path.absolute())
        if key in seen:
            continue
        seen.add(key)
        out.append((info, depth))
        kids = sorted(children.get(key, []), key=lambda i: i.modified, reverse=True)
        stack.extend((kid, depth + 1) for kid in reversed(kids))
    return out


class ConfirmScreen(ModalScreen[bool]):
    DEFAULT_CSS = """
    ConfirmScreen { align: center middle; }
    ConfirmScreen > Static { width: 64; height: auto; padding: 1 2; border: round $error; background: $surface; }
    """
    BINDINGS = [
        Binding("y", "answer(True)", "Yes", id="confirm.yes"),
        Binding("n,escape", "answer(False)", "No", id="confirm.no"),
    ]

    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        yield Static(Text(self.question + "\n\ny: yes · n / escape: no"))

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)


class ResumeScreen(ModalScreen[ResumeChoice | None]):
    DEFAULT_CSS = """
    ResumeScreen { align: center middle; }
    ResumeScreen > #picker { width: 95%; height: 90%; border: round $accent; background: $surface; }
    ResumeScreen #head { padding: 0 1; color: $text-muted; }
    ResumeScreen #search { margin: 0 1; }
    ResumeScreen #body { height: 1fr; }
    ResumeScreen #sessions { width: 3fr; height: 1fr; border: none; }
    ResumeScreen #preview { width: 2fr; height: 1fr; padding: 0 1; border-left: solid $panel-lighten-2; }
    ResumeScreen #keys { padding: 0 1; color: $text-muted; }
    """

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="resume.cancel"),
        Binding("enter", "open", "Open", priority=True, id="resume.open"),
        Binding("down", "move(1)", "Down", show=False, priority=True, id="resume.down"),
        Binding("up", "move(-1)", "Up", show=False, priority=True, id="resume.up"),
        Binding("ctrl+a", "toggle_scope", "All folders", priority=True, id="resume.scope"),
        Binding("ctrl+g", "toggle_grouping", "Grouped / recent", priority=True, id="resume.grouping"),
        Binding("ctrl+r", "rename", "Rename", priority=True, id="resume.rename"),
        Binding("ctrl+d", "delete", "Delete", priority=True, id="resume.delete"),
        Binding("ctrl+f", "fork", "Fork instead", priority=True, id="resume.fork"),
    ]

    def __init__(self, store: Any, cwd: Path | str, *, current_path: Path | str | None = None,
                 all_dirs: bool = False, group: bool = True) -> None:
        super().__init__()
        self.store = store
        self.cwd = Path(cwd)
        self.current_path = Path(current_path).absolute() if current_path else None
        self.all_dirs = all_dirs
        self.group = group
        self.infos: list[SessionInfo] = []
        self.shown: list[tuple[SessionInfo, int]] = []
        self.loading = False
        self.locked: set[str] = set()
        self.texts: dict[str, str] = {}  # path → all message text, filled for the search
        self.query_text = ""

    def compose(self) -> ComposeResult:
        with Vertical(id="picker"):
            yield Static(id="head")
            yield OrderedInput(placeholder="search name, first message, all text…", id="search")
            with Horizontal(id="body"):
                yield OptionList(id="sessions")
                yield Static(id="preview")
            yield Static("enter open · ctrl+a this folder/all · ctrl+g grouped/recent · ctrl+r rename · "
                         "ctrl+d delete · ctrl+f fork · escape", id="keys")

    def on_mount(self) -> None:
        self.query_one("#search", Input).focus()
        self.reload()

    # -- loading --------------------------------------------------------------------------------

    def reload(self) -> None:
        self.loading = True
        self._render_head()
        self._load(self.all_dirs)

    @work(thread=True, exclusive=True, group="resume-list")
    def _load(self, all_dirs: bool) -> None:
        infos = self.store.list(all_dirs=True) if all_dirs else self.store.list(self.cwd)
        # the session open here holds its own lock: that one is "open here", not locked
        locked = {str(i.path) for i in infos if not self._is_open(i) and is_locked(i.path)}
        self.app.call_from_thread(self._loaded, infos, locked)

    def _loaded(self, infos: list[SessionInfo], locked: set[str]) -> None:
        self.infos, self.locked, self.loading = infos, locked, False
        self._refilter()
        if self.query_text:
            self._index_texts()

    @work(thread=True, exclusive=True, group="resume-text")
    def _index_texts(self) -> None:
        todo = [i for i in self.infos if str(i.path) not in self.texts]
        for n, info in enumerate(todo, 1):
            self.texts[str(info.path)] = session_text(info.path)
            if n % 25 == 0 or n == len(todo):
                self.app.call_from_thread(self._refilter, f"searching message text {n}/{len(todo)}")

    # -- list -----------------------------------------------------------------------------------

    def _matches(self) -> list[SessionInfo]:
        if not self.query_text.strip():
            return list(self.infos)
        scored = []
        for info in self.infos:
            score = rank(self.query_text, info, self.texts.get(str(info.path), ""))
            if score is not None:
                scored.append((score, info.modified, info))
        scored.sort(key=lambda s: (s[0], s[1]), reverse=True)
        return [s[2] for s in scored]

    def _refilter(self, progress: str | None = None) -> None:
        matches = self._matches()
        if self.group and not self.query_text.strip():
            self.shown = grouped(matches)
        else:
            self.shown = [(i, 0) for i in matches]
        options = self.query_one("#sessions", OptionList)
        keep = self.selected.path if self.selected else None
        options.clear_options()
        options.add_options([Option(self._row(info, depth)) for info, depth in self.shown])
        if self.shown:
            at = next((k for k, (i, _) in enumerate(self.shown) if i.path == keep), 0)
            options.highlighted = at
        self._render_head(progress)
        self._show_preview()

    def _row(self, info: SessionInfo, depth: int) -> Text:
        row = Text(no_wrap=True, overflow="ellipsis")
        if depth:
            row.append("   " * (depth - 1) + "└─ ", style="dim")
        row.append(info.modified.astimezone().strftime("%Y-%m-%d %H:%M") + "  ", style="dim")
        if str(info.path) in self.locked:
            row.append(" locked ", style="bold reverse yellow")
            row.append(" ")
        if info.source == "pi":
            row.append(" pi ", style="reverse")
            row.append(" ")
        if info.mob_id:  # members sit under their orchestrator; the row says which mob and who
            if not depth:
                row.append(f"mob {one_line(info.mob_id, 40)} ", style="bold magenta")
            row.append(f" {one_line(info.mob_member or '?', 24)} ", style="reverse magenta")
            row.append(" ")
        if self._is_open(info):
            row.append(" open here ", style="bold reverse green")
            row.append(" ")
        if info.name:
            row.append(one_line(info.name, 40), style="bold")
            row.append(" · ")
        row.append(one_line(info.first_message, 120))
        row.append(f"  {info.message_count} msgs", style="dim")
        if self.all_dirs:
            row.append(f"  {one_line(info.cwd, 60)}", style="dim italic")
        return row

    def _render_head(self, progress: str | None = None) -> None:
        head = Text()
        head.append("Resume a session", style="bold")
        head.append(" · ")
        head.append("all folders" if self.all_dirs else f"this folder ({one_line(str(self.cwd), 60)})", style="bold")
        head.append(" · " + ("grouped by origin" if self.group and not self.query_text.strip() else "by recent activity"))
        if self.loading:
            head.append(" · loading…", style="italic")
        else:
            head.append(f" · {len(self.shown)} of {len(self.infos)}")
        if progress:
            head.append(f" · {progress}", style="italic")
        self.query_one("#head", Static).update(head)

    @property
    def selected(self) -> SessionInfo | None:
        options = self.query_one("#sessions", OptionList)
        at = options.highlighted
        return self.shown[at][0] if at is not None and 0 <= at < len(self.shown) else None

    # -- preview --------------------------------------------------------------------------------

    @on(OptionList.OptionHighlighted)
    def _highlighted(self) -> None:
        self._show_preview()

    def _show_preview(self) -> None:
        info = self.selected
        if info is None:
            self.query_one("#preview", Static).update(Text("No sessions." if not self.loading else "", style="dim"))
            return
        self._load_preview(info)

    @work(thread=True, exclusive=True, group="resume-preview")
    def _load_preview(self, info: SessionInfo) -> None:
        try:
            user, answer = last_exchange(info.path)
        except Exception as exc:  # a damaged file: say so in the preview, the list still works
            user, answer = None, f"cannot read this session: {exc}"
        self.app.call_from_thread(self._preview_loaded, info, user, answer)

    def _preview_loaded(self, info: SessionInfo, user: str | None, answer: str | None) -> None:
        if self.selected is not info:
            return
        text = Text()
        text.append(one_line(info.name or info.id, 60) + "\n", style="bold")
        text.append(f"{info.path.name}\n", style="dim")
        if self._is_open(info):
            text.append("open here: the session you are working in (enter goes back to it, ctrl+f forks it)\n",
                        style="green")
        elif str(info.path) in self.locked:
            text.append("locked by another process: opens read-only (ctrl+f forks it)\n", style="yellow")
        text.append("\nlast exchange\n", style="dim underline")
        text.append("you: ", style="bold cyan")
        text.append(one_line(user or "(none)", 400) + "\n\n")
        text.append("assistant: ", style="bold green")
        text.append(one_line(answer or "(no answer)", 800))
        self.query_one("#preview", Static).update(text)

    # -- actions --------------------------------------------------------------------------------

    @on(Input.Changed, "#search")
    def _search(self, event: Input.Changed) -> None:
        self.query_text = event.value
        self._refilter()
        if event.value.strip() and not self.loading:
            self._index_texts()

    def action_move(self, delta: int) -> None:
        options = self.query_one("#sessions", OptionList)
        if options.option_count:
            at = options.highlighted if options.highlighted is not None else 0
            options.highlighted = max(0, min(options.option_count - 1, at + delta))

    def action_toggle_scope(self) -> None:
        self.all_dirs = not self.all_dirs
        self.reload()

    def action_toggle_grouping(self) -> None:
        self.group = not self.group
        self._refilter()

    def action_open(self) -> None:
        info = self.selected
        if info is not None:
            readonly = str(info.path) in self.locked and not self._is_open(info)
            self.dismiss(ResumeChoice(info.path, readonly=readonly))

    def action_fork(self) -> None:
        info = self.selected
        if info is not None:
            self.dismiss(ResumeChoice(info.path, fork=True))

    def action_cancel(self) -> None:
        self.dismiss(None)

    def _is_open(self, info: SessionInfo) -> bool:
        return self.current_path is not None and info.path.absolute() == self.current_path

    @work(exclusive=True, group="resume-edit")
    async def action_rename(self) -> None:
        info = self.selected
        if info is None:
            return
        if str(info.path) in self.locked or self._is_open(info):
            self.notify("This session is in use; rename it from where it is open (/name).", severity="warning")
            return
        name = await self.app.push_screen_wait(LabelScreen(info.name or "", f"rename {info.path.name}"))
        if not name:
            return
        try:
            manager = SessionManager.open(info.path)
            try:
                manager.set_name(name)
            finally:
                manager.close()
        except Exception as exc:
            self.notify(f"Rename failed: {exc}", severity="error")
            return
        self.reload()

    @work(exclusive=True, group="resume-edit")
    async def action_delete(self) -> None:
        info = self.selected
        if info is None:
            return
        if self._is_open(info):
            self.notify("That is the session open now; it cannot be deleted from here.", severity="warning")
            return
        if str(info.path) in self.locked:
            self.notify("Another process has this session open; it cannot be deleted.", severity="warning")
            return
        label = one_line(info.name or info.first_message, 60)
        if not await self.app.push_screen_wait(ConfirmScreen(f"Delete the session “{label}”?\n{info.path}")):
            return
        try:
            info.path.unlink()
        except OSError as exc:
            self.notify(f"Delete failed: {exc}", severity="error")
            return
        self.notify(f"Deleted {info.path.name}")
        self.reload()
