"""Layering: nothing outside workbench/tui imports textual (DESIGN.md, "Layers")."""

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "workbench"


def _imported_roots(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    roots = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


def test_only_tui_imports_textual():
    offenders = [
        str(p.relative_to(PACKAGE.parent))
        for p in PACKAGE.rglob("*.py")
        if "tui" not in p.relative_to(PACKAGE).parts and "textual" in _imported_roots(p)
    ]
    assert offenders == []


def test_layer_check_sees_imports(tmp_path):
    # The checker itself must notice a textual import, or the test above proves nothing.
    f = tmp_path / "m.py"
    f.write_text("def f():\n    from textual.app import App\n")
    assert "textual" in _imported_roots(f)


def test_textual_serve_is_not_textual_and_the_web_surface_never_loads_it(tmp_path):
    # `workbench web` (workbench/rpc/web.py) uses textual-serve, a separate package that runs the
    # TUI in a pseudo-terminal: the layer rule tells the two apart, and serving loads no Textual.
    import subprocess
    import sys

    f = tmp_path / "m.py"
    f.write_text("from textual_serve.server import Server\n")
    assert _imported_roots(f) == {"textual_serve"}
    code = ("import sys, workbench.rpc.web; from textual_serve.server import Server; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] == 'textual'))")
    done = subprocess.run([sys.executable, "-c", code], cwd=PACKAGE.parent, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
