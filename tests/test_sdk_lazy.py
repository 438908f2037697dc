"""The lazy SDK packages of workbench/sdk_lazy.py, on a small package built for the test: what
runs when, that every name still resolves to what the package's own body binds, the cache of
the `ast` reading, and the switches. (tests/test_sdk_lazy_sdks.py runs the real SDKs.)"""

from __future__ import annotations

import importlib
import json
import os
import sys
import textwrap
import threading
import types
from pathlib import Path

import pytest

from workbench import sdk_lazy

FILES = {
    "_trace.py": "events = []\n",
    "__init__.py": '''
        """The root: its body runs on the first use of a name it binds."""
        from . import types
        from ._trace import events
        events.append("root")
        from ._client import Client
        from .sub import *
        VERSION = "1.0"
    ''',
    "_client.py": '''
        from ._trace import events
        events.append("_client")
        from .types import Message

        class Client:
            message = Message
    ''',
    "types/__init__.py": '''
        """Types."""
        from __future__ import annotations

        import json as _json
        from .message import Message as Message
        from .beta import BetaThing
        from . import beta
        from .. import _trace as trace

        __all__ = ["Message", "BetaThing"]
    ''',
    "types/message.py": 'from .._trace import events\nevents.append("types.message")\nclass Message: ...\n',
    "types/beta.py": 'from .._trace import events\nevents.append("types.beta")\nclass BetaThing: ...\n',
    "sub/__init__.py": 'from .a import A\n__all__ = ["A"]\n',
    "sub/a.py": 'from .._trace import events\nevents.append("sub.a")\nclass A: ...\n',
    "noall/__init__.py": "from .m import P, Q\nfrom .m import _private\n",
    "noall/m.py": "class P: ...\nclass Q: ...\n_private = 1\n",
    "impure/__init__.py": 'from .x import X\nY = 1\n',
    "impure/x.py": 'from .._trace import events\nevents.append("impure.x")\nclass X: ...\n',
    "shadow/__init__.py": "from .f import f\n",
    "shadow/f.py": "def f():\n    return 'the function'\n",
}


def _write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = root / "fakesdk" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"))


def _purge() -> None:
    for name in [n for n in sys.modules if n == "fakesdk" or n.startswith("fakesdk.")]:
        del sys.modules[name]
    importlib.invalidate_caches()


@pytest.fixture
def pkg(tmp_path, monkeypatch):
    monkeypatch.setenv("WORKBENCH_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("FAKESDK_LOG", raising=False)
    _write(tmp_path / "src", FILES)
    sys.path.insert(0, str(tmp_path / "src"))
    finder = sdk_lazy.Finder(("fakesdk",), {"fakesdk": "FAKESDK_LOG"})
    sys.meta_path.insert(0, finder)
    _purge()
    try:
        yield tmp_path / "src" / "fakesdk"
    finally:
        sys.meta_path.remove(finder)
        sys.path.remove(str(tmp_path / "src"))
        _purge()


def _events() -> list[str]:
    return sys.modules["fakesdk._trace"].events if "fakesdk._trace" in sys.modules else []


def test_a_submodule_is_imported_without_the_root_body_or_unused_reexports(pkg):
    import fakesdk

    assert _events() == []  # nothing has run yet
    from fakesdk._client import Client

    assert _events() == ["_client", "types.message"]  # not the root, not types.beta, not sub
    assert Client.message is sys.modules["fakesdk.types.message"].Message
    assert type(fakesdk).__name__ == "_Package"


def test_each_name_of_a_reexporting_package_is_what_its_body_binds(pkg):
    import fakesdk.types as t

    assert t.__doc__ == "Types." and t.__all__ == ["Message", "BetaThing"]
    assert _events() == []
    assert t.BetaThing is sys.modules["fakesdk.types.beta"].BetaThing
    assert _events() == ["types.beta"]
    assert t.Message is sys.modules["fakesdk.types.message"].Message
    assert t._json is json and t.beta is sys.modules["fakesdk.types.beta"]
    assert t.trace is sys.modules["fakesdk._trace"]  # from .. import _trace as trace
    assert not hasattr(t, "Nope")
    with pytest.raises(AttributeError, match="fakesdk.types.*Nope"):
        t.Nope  # noqa: B018
    assert {"Message", "BetaThing", "beta", "_json", "trace"} <= set(dir(t))


def test_star_imports_take_all_or_every_public_name(pkg):
    namespace: dict[str, object] = {}
    exec("from fakesdk.noall import *", namespace)
    # no __all__: every public name, the submodule `m` the body imported included, as without the finder
    assert {n for n in namespace if not n.startswith("__")} == {"P", "Q", "m"}
    namespace = {}
    exec("from fakesdk.types import *", namespace)
    assert {n for n in namespace if not n.startswith("__")} == {"Message", "BetaThing"}


def test_the_root_body_runs_once_on_the_first_name_it_binds(pkg):
    import fakesdk

    from fakesdk._client import Client

    assert "root" not in _events()
    assert fakesdk.Client is Client  # bound by the body: the body runs
    assert _events().count("root") == 1 and "sub.a" in _events()
    assert fakesdk.VERSION == "1.0" and fakesdk.A is sys.modules["fakesdk.sub.a"].A
    with pytest.raises(AttributeError):
        fakesdk.nothing_of_that_name  # noqa: B018
    assert _events().count("root") == 1


def test_a_name_only_a_star_import_binds_runs_the_body(pkg):
    import fakesdk

    assert fakesdk.A is sys.modules["fakesdk.sub.a"].A  # from .sub import *: not known beforehand
    assert "root" in _events() and fakesdk.types is sys.modules["fakesdk.types"]
    assert {"A", "Client", "VERSION", "types"} <= set(dir(fakesdk))


def test_the_root_body_runs_once_when_two_threads_want_it(pkg):
    import fakesdk

    start = threading.Barrier(4)
    seen: list[object] = []

    def use() -> None:
        start.wait()
        seen.append(fakesdk.Client)

    threads = [threading.Thread(target=use) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert len(seen) == 4 and len(set(map(id, seen))) == 1
    assert _events().count("root") == 1


def test_its_variable_loads_the_root_at_once(pkg, monkeypatch):
    monkeypatch.setenv("FAKESDK_LOG", "debug")
    import fakesdk

    assert "root" in _events() and type(fakesdk) is types.ModuleType


def test_other_bodies_load_as_usual(pkg):
    import fakesdk.impure as impure
    import fakesdk.shadow as shadow

    assert "impure.x" in _events() and impure.Y == 1 and type(impure) is types.ModuleType
    import fakesdk.shadow.f  # noqa: F401 — the submodule of the same name as the function

    assert shadow.f() == "the function"  # `from .f import f` rebinds the name: not made lazy


def test_reload_runs_the_real_body(pkg):
    import fakesdk.types as t

    importlib.reload(t)
    assert "Message" in vars(t) and "BetaThing" in vars(t)


def test_the_reading_is_cached_and_read_again_when_the_file_changes(pkg, monkeypatch, tmp_path):
    import fakesdk.types  # noqa: F401

    cache = tmp_path / "home" / "cache" / "sdk-imports"
    assert len(list(cache.glob("*.marshal"))) == 2  # the root and types
    _purge()

    def no_parse(*a, **k):
        raise AssertionError("parsed again")

    monkeypatch.setattr(sdk_lazy.ast, "parse", no_parse)
    import fakesdk.types as t

    assert t.Message.__name__ == "Message"  # from the cache
    monkeypatch.undo()
    monkeypatch.setenv("WORKBENCH_HOME", str(tmp_path / "home"))
    init = pkg / "types" / "__init__.py"
    init.write_text(init.read_text() + "from .message import Message as Renamed\n")
    os.utime(init, ns=(os.stat(init).st_atime_ns, os.stat(init).st_mtime_ns + 10**9))
    _purge()
    import fakesdk.types as t2

    assert t2.Renamed is t2.Message


def test_a_broken_cache_file_is_read_past(pkg, tmp_path):
    import fakesdk.types  # noqa: F401

    for f in (tmp_path / "home" / "cache" / "sdk-imports").glob("*.marshal"):
        f.write_bytes(b"\x00garbage")
    _purge()
    import fakesdk.types as t

    assert t.BetaThing.__name__ == "BetaThing"


def test_the_switch_turns_it_off(monkeypatch):
    monkeypatch.setenv("WORKBENCH_LAZY_SDK", "0")
    assert sdk_lazy.install() is False
    monkeypatch.setenv("WORKBENCH_LAZY_SDK", "1")
    assert sdk_lazy.enabled()
