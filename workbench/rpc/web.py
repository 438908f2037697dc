"""`workbench web [--port N]`: the same app in a browser, served by textual-serve on 127.0.0.1.

textual-serve runs `workbench` in a pseudo-terminal per browser tab and streams it over a
websocket. It listens on loopback only: the page drives an agent that can edit files and run
commands, so it is never exposed to the network. Port 0 picks a free port; the address printed
is the one really bound.
"""

from __future__ import annotations

import os
import shlex
import socket
import sys
from pathlib import Path
from typing import Any

from workbench.errors import InvalidParams

HOST = "127.0.0.1"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def run_web(args: Any) -> int:
    try:
        return _serve(args)
    except InvalidParams as exc:
        sys.stderr.write(f"workbench web: {exc.message}\n")
        return exc.exit_code


def _serve(args: Any) -> int:
    # textual-serve, not Textual: it starts `workbench` in a pseudo-terminal and relays it to the
    # browser; this process never imports textual (tests/test_layers.py checks both).
    from textual_serve.server import Server

    port = int(args.port)
    if not 0 <= port <= 65535:
        raise InvalidParams(f"--port must be between 0 and 65535, got {port}")
    if port == 0:
        port = _free_port()
    cwd = Path(args.cwd or os.getcwd()).expanduser().resolve()
    if not cwd.is_dir():
        sys.stderr.write(f"workbench web: {cwd} is not a directory\n")
        return 2
    command = f"{shlex.quote(sys.executable)} -m workbench.cli --cwd {shlex.quote(str(cwd))}"
    server = Server(command, host=HOST, port=port, title="workbench")
    print(f"workbench web: serving the workbench on http://{HOST}:{port} (this machine only); Ctrl-C stops it",
          flush=True)
    try:
        server.serve()
    except OSError as exc:
        sys.stderr.write(f"workbench web: cannot listen on {HOST}:{port}: {exc.strerror or exc}\n")
        return 1
    return 0
