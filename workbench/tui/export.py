"""/export's formats live below the TUI (workbench/export/), shared with `workbench sessions export`."""

from workbench.export.markdown import export_markdown, fence

__all__ = ["export_markdown", "fence"]
