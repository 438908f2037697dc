"""Which SDK a headless run starts importing before argparse (workbench/sdk_preload.py)."""

import subprocess
import sys

from workbench.sdk_preload import likely_provider


def test_the_flag_wins_then_the_environment():
    assert likely_provider(["-p", "hi", "--provider", "openai"], {"ANTHROPIC_API_KEY": "k"}) == "openai"
    assert likely_provider(["--print=hi", "--provider=anthropic"], {}) == "anthropic"
    assert likely_provider(["-p", "hi"], {"ANTHROPIC_API_KEY": "k", "OPENAI_API_KEY": "k"}) == "anthropic"
    assert likely_provider(["-p", "hi"], {"OPENAI_BASE_URL": "http://x"}) == "openai"
    assert likely_provider(["-p", "hi"], {}) is None  # the config decides (or the offline demo)


def test_only_a_headless_run_preloads():
    env = {"ANTHROPIC_API_KEY": "k"}
    assert likely_provider([], env) is None  # the TUI
    assert likely_provider(["sessions", "list"], env) is None
    assert likely_provider(["mob", "run", "m.toml", "-p", "task"], env) is None


def test_preload_imports_the_sdk_in_a_daemon_thread():
    code = ("import sys, threading\n"
            "from workbench.sdk_preload import preload\n"
            "preload('openai')\n"
            "t = [t for t in threading.enumerate() if t.name == 'workbench-import-openai'][0]\n"
            "assert t.daemon\n"
            "t.join(60)\n"
            "print('openai' in sys.modules, 'anthropic' in sys.modules)\n")
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=90)
    assert p.stdout.split() == ["True", "False"], p.stderr
