"""Retrying provider errors: which to retry, how long to wait, and what to tell a person."""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from workbench.providers.base import ProviderError


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 4        # attempts in total, the first one included
    base_delay: float = 1.0      # seconds before the 2nd attempt; doubles each time
    max_delay: float = 30.0
    jitter: float = 0.25         # +- this fraction of the delay, so many sessions don't retry in lockstep
    # A hostile or broken server cannot hang a run (providers/deadlines.py):
    idle_timeout: float | None = 120.0    # no content for this long ends the attempt (pings don't count)
    attempt_timeout: float | None = 600.0  # one attempt, however busy
    max_retry_after: float = 60.0         # a longer retry-after fails the run, saying the server's wait

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError(f"RetryPolicy.max_attempts must be at least 1, got {self.max_attempts}")

    @classmethod
    def from_settings(cls, provider: Any = None, *, idle_timeout: float | None = None) -> "RetryPolicy":
        """From `[provider]` settings (idle_timeout, attempt_timeout, max_retry_after); a flag wins."""
        kw: dict[str, Any] = {}
        for name in ("idle_timeout", "attempt_timeout", "max_retry_after"):
            value = getattr(provider, name, None)
            if value is not None:
                kw[name] = value
        if idle_timeout is not None:
            if idle_timeout <= 0:
                raise ValueError(f"--idle-timeout must be more than 0 seconds, got {idle_timeout:g}")
            kw["idle_timeout"] = idle_timeout
        return cls(**kw)

    def refuse_wait(self, error: ProviderError) -> ProviderError | None:
        """The error to fail with when the server asks for a longer wait than we honour."""
        wait = error.retry_after
        if wait is None or wait <= self.max_retry_after:
            return None
        refused = ProviderError(error.kind, f"{error.message} — the server asks to wait {wait:g}s before "
                                f"retrying, longer than the {self.max_retry_after:g}s the workbench waits "
                                "(provider.max_retry_after); try again later",
                                status=error.status, retry_after=wait, partial=error.partial)
        return refused

    def delay(self, attempt: int, error: ProviderError, rng: random.Random | None = None) -> float:
        """Seconds to wait before attempt number `attempt` (2 = the first retry)."""
        if error.retry_after is not None:
            return max(0.0, float(error.retry_after))  # the server said when: honour it
        backoff = min(self.max_delay, self.base_delay * (2 ** (attempt - 2)))
        spread = backoff * self.jitter
        return max(0.0, backoff + (rng or random).uniform(-spread, spread))


_KIND_TEXT = {
    "rate_limited": "the provider is rate limiting requests",
    "overloaded": "the provider is overloaded",
    "server_error": "the provider had a server error",
    "timeout": "the request to the provider timed out",
    "connection": "the connection to the provider failed",
    "auth": "the provider rejected the credentials (check the API key, e.g. ANTHROPIC_API_KEY or OPENAI_API_KEY)",
    "invalid_request": "the provider rejected the request as invalid",
    "context_too_long": "the conversation is longer than the model's context window (try /compact)",
    "unknown": "the provider returned an unexpected error",
}


def describe(error: ProviderError, attempts: int = 1) -> str:
    """A sentence a person understands: the provider's own explanation (providers already word it
    for people), else what the error kind means; with how many attempts were made."""
    tries = f" (gave up after {attempts} attempts)" if attempts > 1 else ""
    if error.message:
        return f"{error.message}{tries}"
    status = f" (HTTP {error.status})" if error.status else ""
    head = _KIND_TEXT.get(error.kind, _KIND_TEXT["unknown"])
    return f"Provider error: {head}{status}{tries}"
