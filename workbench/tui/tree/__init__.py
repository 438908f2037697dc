"""The session tree pane (issue 6): `SessionTree` and its row widget."""

from workbench.tui.tree.widget import SessionTree, Summariser, TreeLines

__all__ = ["SessionTree", "Summariser", "TreeLines"]
