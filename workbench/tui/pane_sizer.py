"""Applies tui/pane_widths.py to the app: sizes the Session pane and the side column on a wide
screen, moves a pane's edge from the keyboard, remembers the result in the user's config, and
makes room for a diff shown side by side in the Approvals pane."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from workbench.tui import pane_widths as pw

if TYPE_CHECKING:
    from workbench.tui.app import WorkbenchApp

SIDE_BY_SIDE_MIN = 70  # the side column can show a diff side by side from this width on
SAVE_DELAY = 1.0       # seconds after the last key press before the widths are written


class PaneSizer:
    def __init__(self, app: WorkbenchApp, stored: tuple[Any, Any]) -> None:
        self.app = app
        self.shares = pw.Shares(pw.Shares.clean(stored[0]), pw.Shares.clean(stored[1]))
        self._applied: tuple[int, int] | None = None
        self._save_timer: Any = None
        self.save_delay = SAVE_DELAY

    # --- layout ----------------------------------------------------------------------------
    def _wide(self) -> bool:
        from workbench.tui.app import NARROW_WIDTH

        return self.app.size.width >= NARROW_WIDTH

    def widths(self, side_at_least: int | None = None) -> tuple[int, int]:
        screen = self.app.screen_stack[0] if self.app.screen_stack else self.app.screen
        if side_at_least is None:
            approvals = self.app.approvals
            current = approvals.current
            side_at_least = pw.SIDE_BY_SIDE_WIDTH if approvals.side and current is not None and current.diff else 0
        return pw.widths(self.app.size.width, self.shares,
                         session_shown=not screen.has_class("-hide-session"),
                         side_shown=not screen.has_class("-hide-side"), side_at_least=side_at_least)

    def apply(self) -> None:
        """Set the widths for the terminal's size (idempotent; cheap when nothing changed)."""
        session_pane = self.app.session_pane
        side = session_pane.parent.children[-1] if session_pane.parent is not None else None
        if side is None:  # not composed yet
            return
        if not self._wide():  # overlays with the stylesheet's widths
            if self._applied is not None:
                session_pane.styles.width = None
                side.styles.width = None
                self._applied = None
            return
        wanted = self.widths()
        if wanted == self._applied:
            return
        self._applied = wanted
        if wanted[0]:
            session_pane.styles.width = wanted[0]
        if wanted[1]:
            side.styles.width = wanted[1]

    def side_by_side_fits(self) -> bool:
        return self._wide() and self.widths(pw.SIDE_BY_SIDE_WIDTH)[1] >= SIDE_BY_SIDE_MIN

    # --- keyboard ----------------------------------------------------------------------------
    def move_edge(self, direction: int) -> None:
        """alt+left (-1) / alt+right (+1) moves the inner edge of the focused side pane: the
        Session pane's right edge when it has the focus, else the side column's left edge."""
        app = self.app
        if not self._wide():
            app.notify("The panes can be resized on a terminal 140 columns wide or more.", timeout=3)
            return
        focused = app.focused
        in_session = focused is not None and (focused is app.session_pane or app.session_pane in focused.ancestors)
        total = app.size.width
        session, side = self.widths(0)
        if in_session:
            target = max(pw.SESSION_MIN, session + direction * pw.STEP)
            self.shares = pw.Shares(pw.share_of(target, total), self.shares.side)
        else:
            target = max(pw.SIDE_MIN, side - direction * pw.STEP)
            self.shares = pw.Shares(self.shares.session, pw.share_of(target, total))
        before = (session, side)
        self.apply()
        if self.widths(0) == before:
            app.notify("The panes cannot move further that way (the conversation keeps "
                       f"{pw.CENTER_MIN} columns; a pane keeps its minimum)", timeout=2)
            return
        self._schedule_save()

    def _schedule_save(self) -> None:
        if self._save_timer is not None:
            self._save_timer.stop()
        self._save_timer = self.app.set_timer(self.save_delay, self._save)

    def _save(self) -> None:
        self._save_timer = None
        shares = self.shares

        def write() -> None:
            from workbench.config_write import ConfigWriteError, set_user_setting

            try:
                for key, value in (("session_width", shares.session), ("side_width", shares.side)):
                    if value is not None:
                        set_user_setting("ui", key, value)
            except ConfigWriteError as exc:
                self.app.call_from_thread(self.app.notify, f"Pane widths not saved: {exc}",
                                          severity="warning", timeout=6)

        self.app.run_worker(write, thread=True, group="save-panes")
