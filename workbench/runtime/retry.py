"""Retrying provider errors: which to retry, how long to wait, and what to tell a person."""

from __future__ import annotations

import random
from dataclasses import dataclass

from workbench.providers.base import ProviderError


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 4        # attempts in total, the first one included
    base_delay: float = 1.0      # seconds before the 2nd attempt; doubles each time
    max_delay: float = 30.0
    jitter: float = 0.25         # +- this fraction of the delay, so many sessions don't retry in lockstep

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError(f"RetryPolicy.max_attempts must be at least 1, got {self.max_attempts}")

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
