"""How wide the Session pane and the side column (Approvals, Mob, Budget) are on a wide screen.

Each is a share of the terminal's width, never narrower than a minimum and never so wide that the
conversation gets cramped: at 160 columns the defaults give the widths the layout always had
(34 and 52 columns); on a wider terminal the panes grow with it. The user moves a pane's edge from
the keyboard (alt+left / alt+right); the shares are kept in the user's config (`[ui]
session_width`, `side_width`, percent of the terminal's width). Below `NARROW_WIDTH` the panes
are overlays with fixed widths (workbench.tcss) and nothing here applies.
"""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_SESSION_SHARE = 34 / 160 * 100  # percent: 34 columns at 160
DEFAULT_SIDE_SHARE = 52 / 160 * 100     # 52 columns at 160
SESSION_MIN = 24
SIDE_MIN = 40
CENTER_MIN = 48   # the conversation and the prompt keep at least this
DEFAULT_SESSION_FLOOR = 34  # with the default shares, never narrower than the classic layout
DEFAULT_SIDE_FLOOR = 52
STEP = 2          # columns per key press
SIDE_BY_SIDE_WIDTH = 88  # the side column while a diff is shown side by side (two ~40-column halves)
SHARE_MIN, SHARE_MAX = 5.0, 70.0


@dataclass(frozen=True)
class Shares:
    """Percent of the terminal's width; None: the default (which also has a floor)."""

    session: float | None = None
    side: float | None = None

    @staticmethod
    def clean(value: object) -> float | None:
        """A stored share, or None when it is not a sensible number (then the default applies)."""
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return None
        value = float(value)
        return value if SHARE_MIN <= value <= SHARE_MAX else None


def _width(total: int, share: float | None, default: float, floor: int, minimum: int) -> int:
    if share is None:
        return max(floor, round(total * default / 100))
    return max(minimum, round(total * share / 100))


def widths(total: int, shares: Shares, *, session_shown: bool = True, side_shown: bool = True,
           side_at_least: int = 0) -> tuple[int, int]:
    """(session, side) column widths for a terminal `total` columns wide. `side_at_least` widens
    the side column (a side-by-side diff), taking the room from the Session pane first."""
    session = _width(total, shares.session, DEFAULT_SESSION_SHARE, DEFAULT_SESSION_FLOOR, SESSION_MIN) if session_shown else 0
    side = _width(total, shares.side, DEFAULT_SIDE_SHARE, DEFAULT_SIDE_FLOOR, SIDE_MIN) if side_shown else 0
    if side_shown and side_at_least > side:
        side = side_at_least
    room = total - CENTER_MIN
    if session + side > room:  # the conversation keeps its minimum: shrink the Session pane, then the side
        if session_shown:
            session = max(SESSION_MIN, room - side)
        if side_shown and session + side > room:
            side = max(SIDE_MIN, room - session)
    return session, side


def share_of(columns: int, total: int) -> float:
    return round(max(SHARE_MIN, min(SHARE_MAX, columns / total * 100)), 1)
