"""Session exports shared by the TUI's /export and `workbench sessions export`: Markdown
(markdown.py), one self-contained HTML file (html.py) and JSONL (jsonl.py)."""
