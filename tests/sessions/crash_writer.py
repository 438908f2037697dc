"""Helper process for the crash and lock tests: appends entries to a session forever,
printing each entry id only after `append` has returned (= acknowledged)."""

from __future__ import annotations

import random
import sys

from workbench.sessions import SessionManager


def main() -> None:
    path, mode = sys.argv[1], sys.argv[2]
    manager = SessionManager.open(path)
    print("ready", flush=True)
    if mode == "hold":
        sys.stdin.read()
        return
    rng = random.Random()
    while True:
        size = rng.choice((10, 200, 5_000, 30_000))
        entry_id = manager.append_message({"role": "user", "content": "x" * size, "timestamp": 1})
        sys.stdout.write(entry_id + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
