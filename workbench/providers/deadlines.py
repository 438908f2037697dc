"""Deadlines on a provider's stream, so a hostile or broken server cannot hang a run.

- idle: no content (text, thinking, tool-call deltas: what a provider yields) for N seconds ends
  the attempt. Keep-alive pings never reach here (providers consume them), so a server that sends
  pings forever times out like one that sends nothing.
- attempt: one attempt, however busy, ends after N seconds (a server trickling content).

Either ends with a retryable ProviderError("timeout") naming the limit and the setting that sets it.
"""

from __future__ import annotations

import asyncio
from typing import AsyncIterator, TypeVar

from workbench.providers.base import ProviderError

T = TypeVar("T")


async def guarded(events: AsyncIterator[T], *, idle: float | None, attempt: float | None,
                  where: str = "the provider") -> AsyncIterator[T]:
    """`events`, ended by a ProviderError when it goes quiet for `idle` seconds or runs past
    `attempt` seconds (None: no such limit)."""
    if idle is None and attempt is None:
        async for item in events:
            yield item
        return
    loop = asyncio.get_running_loop()
    end = None if attempt is None else loop.time() + attempt
    it = events.__aiter__()
    try:
        while True:
            now = loop.time()
            idle_end = None if idle is None else now + idle
            deadline = min(t for t in (idle_end, end) if t is not None)
            try:
                # the timeout wraps only the wait for the next item, never our consumer's code
                async with asyncio.timeout_at(deadline):
                    item = await it.__anext__()
            except StopAsyncIteration:
                return
            except TimeoutError:
                if end is not None and deadline == end:
                    raise ProviderError("timeout", f"{where} took longer than {attempt:g}s for one answer "
                                        "(provider.attempt_timeout)") from None
                raise ProviderError("timeout", f"{where} sent nothing for {idle:g}s "
                                    "(provider.idle_timeout, --idle-timeout)") from None
            yield item
    finally:
        aclose = getattr(it, "aclose", None)
        if aclose is not None:
            try:
                await aclose()
            except Exception:
                pass  # already failed: its own error was reported


def where_of(provider: object) -> str:
    """How a deadline message names the server: its URL when it has one."""
    try:
        url = getattr(provider, "base_url", None)
    except Exception:  # a property that needs a client
        url = None
    return url if isinstance(url, str) and url else f"the {getattr(provider, 'name', 'model')} provider"
