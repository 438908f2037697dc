"""Import only the parts of a provider SDK that a run uses (issue 20, headless start).

`import anthropic` runs ~3,300 modules, nearly all pydantic models a run never touches: each
package `__init__` of the SDK re-exports every module below it (`anthropic.types.beta` alone is
~2,000), and the root package imports the Bedrock, Vertex, Foundry, AWS and Google Cloud clients.
This meta-path finder changes *when* package bodies run, never what they bind; nothing on disk is
touched and every request still goes through the SDK's own client:

* a package of `anthropic` / `openai` whose `__init__` holds nothing but imports, a docstring and a
  literal `__all__` (checked with `ast`; anything else — a call, a definition, `if TYPE_CHECKING`, a
  star import, a name that would shadow a submodule — and it loads as usual) binds each name on its
  first use, by running the one import that binds it (PEP 562 laziness, applied from outside);
* the root `anthropic` package, whose body also configures logging and sets `__module__` on the
  classes it exports, runs its whole body on the first use of a name that body binds; importing a
  submodule (`anthropic._client`, as the provider does) does not run it. With `ANTHROPIC_LOG` set
  it loads at once, so the SDK's logging is configured as usual.

`importlib.util.LazyLoader` is not enough here: its modules load on any attribute access, including
the `__path__` the import system reads to import a submodule and the `from m import Name` the SDK
uses everywhere; wrapped around every SDK module it leaves not one of them unloaded on this path.

The `ast` reading of a package body is cached per file (size, mtime, Python version) in the cache
directory. `WORKBENCH_LAZY_SDK=0` switches all of this off (docs/performance.md).
"""

from __future__ import annotations

import ast
import contextlib
import importlib
import importlib.abc
import importlib.machinery
import marshal
import os
import sys
import threading
import types
from importlib.util import resolve_name
from typing import Any

PACKAGES = ("anthropic", "openai")
# root packages whose whole body waits for its first use -> the variable that makes it load at once
DEFERRED_ROOTS = {"anthropic": "ANTHROPIC_LOG"}
_FORMAT = 2  # of the cached plans: a change to the reading must change it
_installed = False
_install_lock = threading.Lock()


def enabled() -> bool:
    return os.environ.get("WORKBENCH_LAZY_SDK", "1").strip().lower() not in ("0", "off", "false", "no")


def install() -> bool:
    """Put the finder first on `sys.meta_path` (once). It affects SDK packages not imported yet."""
    global _installed
    if not enabled():
        return False
    with _install_lock:
        if not _installed:
            sys.meta_path.insert(0, Finder(PACKAGES, DEFERRED_ROOTS))
            _installed = True
    return True


class Finder(importlib.abc.MetaPathFinder):
    def __init__(self, packages: tuple[str, ...], deferred_roots: dict[str, str]) -> None:
        self.packages = packages
        self.deferred_roots = deferred_roots

    def find_spec(self, name: str, path: Any, target: Any = None) -> Any:
        if name.partition(".")[0] not in self.packages:
            return None
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        if (spec is None or target is not None or not spec.submodule_search_locations
                or not isinstance(spec.loader, importlib.machinery.SourceFileLoader)):
            return spec  # a module, or importlib.reload(): as usual (found once here rather than twice)
        deferred = name in self.deferred_roots
        if deferred and os.environ.get(self.deferred_roots[name]):
            return spec
        plan = _plan(name, spec, deferred)
        if plan is not None:
            spec.loader = _Loader(spec.loader, plan)
        return spec


class _Package(types.ModuleType):
    """A package whose names are bound on first use, by its `_Loader`."""

    def __getattr__(self, name: str) -> Any:
        loader = getattr(self.__dict__.get("__spec__"), "loader", None)
        if not isinstance(loader, _Loader):
            raise AttributeError(f"module {self.__name__!r} has no attribute {name!r}")
        return loader.resolve(self, name)

    def __dir__(self) -> list[str]:
        loader = getattr(self.__dict__.get("__spec__"), "loader", None)
        if isinstance(loader, _Loader):
            loader.resolve_all(self)
        return sorted(self.__dict__)


class _Loader(importlib.abc.Loader):
    """Wraps the package's own loader. `plan` is ("names", {name: (module, attribute)}) for a
    re-exporting body, or ("body", names the body may bind) for a deferred root."""

    def __init__(self, loader: Any, plan: tuple[str, Any]) -> None:
        self.loader = loader
        self.kind, self.table = plan
        self.pending = False  # a deferred body not run yet
        self.lock = threading.RLock()  # the body itself may ask for its names (from . import x)

    def __getattr__(self, name: str) -> Any:  # get_source, get_resource_reader, ...: the real loader's
        return getattr(self.loader, name)

    def create_module(self, spec: Any) -> Any:
        return _Package(spec.name)

    def exec_module(self, module: Any) -> None:
        if self.kind == "body":
            self.pending = True
            return
        for name, (source, value) in self.table.items():
            if source is None:  # the docstring, a literal __all__
                module.__dict__[name] = value

    def resolve(self, module: Any, name: str) -> Any:
        if self.kind == "names":
            where = self.table.get(name)
            if where is None or where[0] is None:
                if name == "__all__":  # `import *` without an __all__ takes every public name bound
                    self.resolve_all(module)
                raise AttributeError(f"module {module.__name__!r} has no attribute {name!r}")
            value = module.__dict__[name] = _import_value(*where)
            return value
        if self.pending and name not in self.table and not name.startswith("__"):
            try:  # a submodule the body does not rebind (anthropic._client): that submodule alone
                return importlib.import_module(f"{module.__name__}.{name}")
            except ModuleNotFoundError as exc:
                if exc.name != f"{module.__name__}.{name}":
                    raise
        # SDK modules never read the root's names while being imported (in a normal import the root
        # is half-initialised then), so no import lock is held by whoever waits here
        with self.lock:
            run, self.pending = self.pending, False
            if run:
                self.loader.exec_module(module)
        try:
            return module.__dict__[name]
        except KeyError:
            raise AttributeError(f"module {module.__name__!r} has no attribute {name!r}") from None

    def resolve_all(self, module: Any) -> None:
        if self.kind == "body":
            with contextlib.suppress(AttributeError):
                self.resolve(module, "__all__")  # a dunder: runs the body
            return
        for name, (source, _) in self.table.items():
            if source is not None and name not in module.__dict__:
                self.resolve(module, name)


def _import_value(source: str, attr: str | None) -> Any:
    if attr is None:  # `import x as y`, `from . import x`
        return importlib.import_module(source)
    origin = importlib.import_module(source)
    try:
        return getattr(origin, attr)
    except AttributeError:  # `from pkg import submodule`, as the import statement does
        return importlib.import_module(f"{source}.{attr}")


def _plan(name: str, spec: Any, deferred: bool) -> tuple[str, Any] | None:
    """What to do with this package, from its `__init__` source (cached), or None: load as usual."""
    try:
        st = os.stat(spec.origin)
    except OSError:
        return None
    key = (_FORMAT, sys.version_info[:2], name, deferred, st.st_mtime_ns, st.st_size)
    cache = _cache_file(spec.origin)
    try:
        cached_key, plan = marshal.loads(cache.read_bytes()) if cache else (None, None)
        if cached_key == key:
            return plan
    except (OSError, EOFError, ValueError, TypeError):
        pass
    try:
        tree = ast.parse(spec.loader.get_source(name) or "")
    except (SyntaxError, ValueError, OSError, ImportError):
        return None
    submodules = _submodules(spec.submodule_search_locations)
    plan = _bound_names(tree) if deferred else _reexports(tree, name, submodules)
    if cache is not None:
        try:
            cache.parent.mkdir(parents=True, exist_ok=True)
            tmp = cache.with_name(f"{cache.name}.{os.getpid()}.tmp")
            tmp.write_bytes(marshal.dumps((key, plan)))
            os.replace(tmp, cache)
        except (OSError, ValueError):
            pass  # a read-only home: read the source again next time
    return plan


_cache_dirs: dict[str | None, Any] = {}  # WORKBENCH_HOME -> the directory (resolved once, not per package)


def _cache_file(origin: str) -> Any:
    import hashlib

    home = os.environ.get("WORKBENCH_HOME")
    try:
        if home not in _cache_dirs:
            from workbench.config import cache_dir

            _cache_dirs[home] = cache_dir() / "sdk-imports"
        digest = hashlib.blake2b(origin.encode(), digest_size=12).hexdigest()
        return _cache_dirs[home] / f"{digest}.marshal"
    except Exception:  # noqa: BLE001 — no usable home: no cache
        return None


def _submodules(locations: list[str]) -> set[str]:
    found: set[str] = set()
    for location in locations:
        try:
            entries = os.listdir(location)
        except OSError:
            continue
        found.update(e[:-3] if e.endswith(".py") else e for e in entries)
    return found


def _reexports(tree: ast.Module, package: str, submodules: set[str]) -> tuple[str, Any] | None:
    """("names", {bound name: (module, attribute or None)}) when the body only imports, has a
    docstring and a literal `__all__` (those two as (None, value)); None for any other body."""
    table: dict[str, tuple[str | None, Any]] = {}
    for index, node in enumerate(tree.body):
        if isinstance(node, ast.ImportFrom):  # `from __future__ import annotations` binds a name too
            base = resolve_name("." * node.level + (node.module or ""), package) if node.level else node.module
            for alias in node.names:
                bound = alias.asname or alias.name
                if alias.name == "*" or base is None:
                    return None
                if node.module is None and node.level == 1 and alias.name == bound and bound in submodules:
                    table[bound] = (f"{package}.{bound}", None)  # from . import x: the submodule itself
                elif bound in submodules:
                    return None  # rebinds a submodule's name: the body's order would matter
                else:
                    table[bound] = (base, alias.name)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                bound = alias.asname or alias.name
                if (alias.asname is None and "." in alias.name) or bound in submodules:
                    return None
                table[bound] = (alias.name, None)
        elif (index == 0 and isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
              and isinstance(node.value.value, str)):
            table["__doc__"] = (None, node.value.value)
        elif (isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name)
              and node.targets[0].id == "__all__"):
            try:
                table["__all__"] = (None, [str(n) for n in ast.literal_eval(node.value)])
            except (ValueError, TypeError, SyntaxError):
                return None
        else:
            return None
    return "names", table


def _bound_names(tree: ast.Module) -> tuple[str, Any]:
    """("body", names the body may bind): using one runs the body; any other name that is a
    submodule imports just that. Over-counting only runs the body sooner."""
    bound: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module is None and node.level == 1:
            bound.update(a.asname for a in node.names if a.asname not in (None, a.name))  # from . import x
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            bound.update((a.asname or a.name).partition(".")[0] for a in node.names)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            bound.add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bound.add(node.name)
    return "body", frozenset(bound)
