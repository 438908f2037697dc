"""Sessions in the app: switching to another session, the Session pane's tree (navigate, fork,
label, copy to the prompt) and the resume picker.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING, Any

from workbench.tui.backend import Backend

if TYPE_CHECKING:
    from workbench.tui.screens.resume import ResumeChoice
    from workbench.tui.tree import SessionTree


class SessionActions:
    """Mixed into WorkbenchApp (tui/app.py): uses its widgets, backend and state."""

    def switch_backend(self, backend: Backend) -> None:
        """Drop the current session's view and show another session (the old one is closed:
        its lock is released)."""
        if self._pump_task is not None:
            self._pump_task.cancel()
        old = getattr(self.backend, "manager", None) if self.backend is not None else None
        # A mob member's session belongs to the mob, which keeps writing to it: never close it here.
        shared = bool(getattr(self.backend, "shared_session", False))
        self.backend = backend
        self.mcp.attach(backend)
        self.approvals.queue.clear()
        self.approvals.render_queue()
        if old is not None and old is not getattr(backend, "manager", None) and not shared:
            old.close()

        async def swap() -> None:
            await self.conversation.clear()
            self._start_pump()
            await self._show_tree()
            self.refresh_now()

        self.run_worker(swap, group="swap")  # started by the worker: no coroutine left unawaited at exit

    async def _show_tree(self) -> None:
        """Mount the session tree in the Session pane (or point it at the current session) and
        apply the read-only state. A backend without a session file keeps the path list."""
        # After the conversation shows the session: indexing a big one's tree must not delay that.
        await self._history_shown.wait()
        await self._count_stored_spend()
        manager = getattr(self.backend, "manager", None)
        if manager is None:
            return
        if self.session_tree is None:
            from workbench.tui.tree import SessionTree  # with the session modules: after the first frame

            self.session_tree = SessionTree(manager, summariser=self._summarise_branch,
                                    branch_summary=self.settings.ui.branch_summary, id="session-tree")
            await self.session_pane.set_body(self.session_tree)
        else:
            self.session_tree.set_manager(manager)
        readonly = bool(getattr(self.backend, "readonly", False))
        self.prompt.disabled = readonly
        box = self.prompt_box
        box.set_class(readonly, "-readonly")
        box.border_subtitle = ("READ-ONLY: locked by another process — ctrl+f in the Session pane forks it"
                               if readonly else "Enter send · ctrl+j newline · F1 help")
        if readonly:
            self.action_focus_tree()
        elif self.focused is None:
            self.prompt.focus()
        checkpoints = getattr(getattr(self.backend, "agent", None), "checkpoints", None)
        if getattr(checkpoints, "problem", None) and not self._checkpoint_notice:  # git missing: said once
            self._checkpoint_notice = True
            self.notify(checkpoints.problem, severity="warning", timeout=8)

    async def _count_stored_spend(self) -> None:
        """The resumed session's spend so far (every assistant message parsed: ~0.4 s on 100 MB),
        counted once the conversation is painted; the status line and Budget pane then show it."""
        count = getattr(getattr(self.backend, "agent", None), "count_stored_spend", None)
        if count is None:
            return
        painted = asyncio.Event()
        self.screen.call_after_refresh(painted.set)
        await painted.wait()
        count()
        self._stats_dirty = True

    async def _summarise_branch(self, entries: list[Any], instructions: str | None) -> str:
        summarise = getattr(self.backend, "summarise_branch", None)
        if summarise is None:
            raise RuntimeError("this session has no model to summarise with")
        return await summarise(entries, instructions)

    def action_focus_tree(self) -> None:
        if self.session_tree is None:
            return
        if not self.pane_visible("session"):
            self.action_toggle_pane("session")
        self.call_after_refresh(self.session_tree.focus)

    def _tree_move_refused(self) -> bool:
        if self.backend is not None and self.backend.is_running:
            self.notify("The agent is running: move in the tree after the run (Escape interrupts it).",
                        severity="warning")
            return True
        return False

    # The session tree's messages (handler names instead of @on: the tree module loads later).
    async def on_session_tree_navigated(self, message: SessionTree.Navigated) -> None:
        """The leaf moved: the agent continues from it and the conversation shows its path."""
        if self.backend is None:
            return
        reload = getattr(self.backend, "reload_context", None)
        if reload is not None and not getattr(self.backend, "readonly", False):
            try:
                reload()
            except Exception as exc:
                self.notify(f"The agent could not follow the move: {exc}", severity="error")
        await self.conversation.clear()
        await self.conversation.load_history(self.backend.history())
        if message.prompt_text is not None:
            self.prompt.text = message.prompt_text
            self.prompt.move_cursor(self.prompt.document.end)
            self.prompt.focus()
            self.notify("Edit the message and press Enter: it starts a new branch", timeout=4)
        self.refresh_now()

    def on_session_tree_forked(self, message: SessionTree.Forked) -> None:
        if self.sessions is None or not hasattr(self.sessions, "adopt"):
            message.manager.close()
            self.notify(f"Forked to {message.path}", timeout=4)
            return
        self.switch_backend(self.sessions.adopt(message.manager))
        self.notify("Forked: you are now in the new session", timeout=3)

    def on_session_tree_copy_to_prompt(self, message: SessionTree.CopyToPrompt) -> None:
        if self.prompt.disabled:
            self.notify("The prompt is off: this session is read-only", severity="warning")
            return
        self.prompt.insert(message.text)
        self.prompt.focus()

    def on_session_tree_labelled(self, message: SessionTree.Labelled) -> None:
        self.notify(f"Label {'cleared' if not message.label else repr(message.label)} on {message.entry_id[:8]}",
                    timeout=3)

    def action_resume(self) -> None:
        """The resume picker: open the chosen session, read-only if locked, or fork it."""
        store = getattr(self.sessions, "store", None)
        if store is None:
            self.notify("Sessions on disk are not available " + ("yet: the agent is starting" if self.starting
                                                                 else "here"), severity="warning")
            return
        if self.backend is not None and self.backend.is_running:
            self.notify("/resume is not available while the agent runs", severity="warning")
            return
        current = getattr(getattr(self.backend, "manager", None), "path", None)

        def chosen(choice: ResumeChoice | None) -> None:
            if choice is None or self.sessions is None:
                return
            try:
                if choice.fork:
                    backend = self.sessions.fork_path(choice.path)  # type: ignore[attr-defined]
                elif current is not None and Path(choice.path).absolute() == Path(current).absolute():
                    return  # already open
                else:
                    backend = self.sessions.open_path(choice.path, readonly=choice.readonly)  # type: ignore[attr-defined]
            except Exception as exc:
                self.notify(f"Could not open {choice.path}: {exc}", severity="error")
                return
            self.switch_backend(backend)
            if getattr(backend, "readonly", False):
                self.notify("Opened READ-ONLY: another process has this session open. ctrl+f in the "
                            "Session pane forks it to continue.", severity="warning", timeout=8)

        from workbench.tui.screens.resume import ResumeScreen  # off the first-frame path

        self.push_screen(ResumeScreen(store(), self.cwd, current_path=current), chosen)
