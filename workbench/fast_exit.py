"""The end of a headless run: leave the process at once, once everything promised is done.

After `run_completed` the session file is already durable (each entry was written and
fdatasynced before its event went out), the provider, hooks and MCP servers are closed. What a
normal interpreter exit does next is tear down every module and garbage-collect the whole object
graph (the SDKs' pydantic models alone are ~190k objects): 0.4–1 s of CPU that writes nothing.
So the command-line entry runs the atexit handlers (queued session writes, weakref finalizers,
temp directories), flushes stdout and stderr, and calls `os._exit`. A live non-daemon thread
would still have work to do: then the normal exit runs instead.
"""

from __future__ import annotations

import atexit
import os
import sys
import threading


def exit_now(code: int) -> None:
    """Exit with `code` without tearing the interpreter down; falls back to `sys.exit` when a
    non-daemon thread is still running (its work may not be done)."""
    main = threading.main_thread()
    if any(t is not main and t.is_alive() and not t.daemon for t in threading.enumerate()):
        sys.exit(code)
    atexit._run_exitfuncs()  # what the interpreter would run: writers' queues, finalizers, temp dirs
    for stream in (sys.stdout, sys.stderr):
        try:
            if stream is not None:
                stream.flush()
        except (OSError, ValueError):  # a closed pipe (`| head`): nothing more can reach the reader
            pass
    os._exit(code)
