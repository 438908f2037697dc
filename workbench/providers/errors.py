"""Classify whatever a provider call raised into a `ProviderError` with a kind and a message a
person understands. Works for both official SDKs (which share the Stainless exception shapes),
the raw httpx/httpx2 errors that escape mid-stream, and stream `error` events."""

from __future__ import annotations

import asyncio
import email.utils
import re
import socket
import time
from typing import Any, Mapping

from workbench.providers.base import ErrorKind, ProviderError
from workbench.text import sanitize

# Anthropic / OpenAI `error.type` (or `code`) values → kinds
_TYPE_KINDS: dict[str, ErrorKind] = {
    "overloaded_error": "overloaded",
    "rate_limit_error": "rate_limited",
    "rate_limit_exceeded": "rate_limited",
    "api_error": "server_error",
    "server_error": "server_error",
    "internal_server_error": "server_error",
    "timeout_error": "timeout",
    "authentication_error": "auth",
    "permission_error": "auth",
    "invalid_api_key": "auth",
    "invalid_request_error": "invalid_request",
    "not_found_error": "invalid_request",
    "request_too_large": "invalid_request",
    "context_length_exceeded": "context_too_long",
}

_CONTEXT_TOO_LONG = re.compile(
    r"prompt is too long|context length|context_length_exceeded|maximum context|context window"
    r"|too many tokens|exceeds the context|input is too long", re.IGNORECASE)



def parse_retry_after(headers: Mapping[str, str] | None, *, now: float | None = None) -> float | None:
    """Seconds to wait, from `retry-after-ms` (milliseconds) or `retry-after` (seconds or an
    HTTP date). None when absent or unparseable."""
    if not headers:
        return None
    lower = {k.lower(): v for k, v in headers.items()}
    raw_ms = lower.get("retry-after-ms")
    if raw_ms is not None:
        try:
            value = float(raw_ms) / 1000.0
            if value >= 0:
                return value
        except ValueError:
            pass
    raw = lower.get("retry-after")
    if raw is None:
        return None
    try:
        value = float(raw)
        return value if value >= 0 else None
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(raw)
    except (TypeError, ValueError):
        return None
    if when is None:
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


def _clean(text: str, limit: int = 500) -> str:
    text = sanitize(text).strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _body_error(body: Any) -> tuple[str | None, str | None]:
    """(type-or-code, message) from an error body: {"error": {...}} or the error object itself."""
    if isinstance(body, Mapping):
        inner = body.get("error") if isinstance(body.get("error"), Mapping) else body
        etype = inner.get("type") or inner.get("code")
        message = inner.get("message")
        return (str(etype) if etype else None), (str(message) if message else None)
    if isinstance(body, str) and body.strip():
        return None, body
    return None, None


def _seconds(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value:.0f} s" if value >= 1 else f"{value * 1000:.0f} ms"


def _chain(exc: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    cur: BaseException | None = exc
    while cur is not None and cur not in seen:
        seen.append(cur)
        cur = cur.__cause__ or cur.__context__
    return seen


def _class_names(exc: BaseException) -> set[str]:
    return {cls.__name__ for cls in type(exc).__mro__}


def _connection_detail(exc: BaseException) -> tuple[str, bool]:
    """(what happened, whether it happened mid-stream) for a connection-level failure. The most
    specific cause in the exception chain wins (a ConnectionRefusedError under a generic ConnectError)."""
    chain = _chain(exc)
    for err in chain:
        text = str(err).lower()
        if isinstance(err, ConnectionRefusedError) or "connection refused" in text or "errno 111" in text:
            return "connection refused", False
        if isinstance(err, ConnectionResetError) or "connection reset" in text:
            return "connection reset by the server", True
        if isinstance(err, socket.gaierror) or "name or service not known" in text or "nodename nor servname" in text:
            return "host not found", False
    for err in chain:
        names = _class_names(err)
        text = str(err).lower()
        if "RemoteProtocolError" in names or "incomplete" in text or "peer closed" in text:
            return "the server closed the connection mid-stream", True
        if "ReadError" in names:
            return "the connection broke while reading the answer", True
    for err in chain:
        if "ConnectError" in _class_names(err):
            return _clean(str(err), 200) or "cannot connect", False
    return _clean(str(exc), 200) or "connection failed", False


def _status_kind(status: int, etype: str | None, message: str | None) -> ErrorKind:
    if etype in _TYPE_KINDS and _TYPE_KINDS[etype] in ("overloaded", "context_too_long"):
        return _TYPE_KINDS[etype]
    if status == 429:
        return "rate_limited"
    if status == 529:
        return "overloaded"
    if status in (401, 403):
        return "auth"
    if status in (408,):
        return "timeout"
    if status >= 500:
        return "server_error"
    if status == 413 or (400 <= status < 500):
        if message and _CONTEXT_TOO_LONG.search(message):
            return "context_too_long"
        return "invalid_request"
    return "unknown"


def describe(kind: ErrorKind, *, label: str, status: int | None = None, detail: str | None = None,
             retry_after: float | None = None, base_url: str | None = None, key_env: str | None = None,
             mid_stream: bool = False) -> str:
    code = f" ({status})" if status else ""
    retry = "" if retry_after is None else (": retry now" if retry_after <= 0 else f": retry in {_seconds(retry_after)}")
    extra = f" — {detail}" if detail else ""
    where = base_url or label
    if kind == "rate_limited":
        return f"{label} rate limit{code}{retry}{extra}"
    if kind == "overloaded":
        return f"{label} is overloaded{code}{retry}{extra}"
    if kind == "server_error":
        return f"{label} server error{code}{retry}{extra}"
    if kind == "timeout":
        return f"{label} did not answer in time ({where}){extra}"
    if kind == "connection":
        if mid_stream:
            return f"Connection to {where} dropped: {detail or 'the stream ended early'}"
        return f"Cannot reach {where}: {detail or 'connection failed'}"
    if kind == "auth":
        hint = f": check {key_env}" if key_env else ""
        return f"Authentication failed{code}{hint}{extra}"
    if kind == "context_too_long":
        return f"The conversation is too long for the model's context window{code}{extra}"
    if kind == "invalid_request":
        return f"{label} rejected the request{code}{extra}"
    return f"{label} error{code}{extra}"


def classify(exc: BaseException, *, label: str, base_url: str | None = None,
             key_env: str | None = None) -> ProviderError:
    """Turn any exception raised while calling a provider into a ProviderError."""
    if isinstance(exc, ProviderError):
        return exc
    names = _class_names(exc)
    status = getattr(exc, "status_code", None)
    body = getattr(exc, "body", None)
    etype, api_message = _body_error(body)
    etype = getattr(exc, "type", None) if isinstance(getattr(exc, "type", None), str) else etype
    api_message = getattr(exc, "api_message", None) or api_message
    detail = _clean(api_message) if api_message else None

    def make(kind: ErrorKind, *, retry_after: float | None = None, mid_stream: bool = False,
             detail_: str | None = detail) -> ProviderError:
        msg = describe(kind, label=label, status=status, detail=detail_, retry_after=retry_after,
                       base_url=base_url, key_env=key_env, mid_stream=mid_stream)
        return ProviderError(kind, msg, status=status, retry_after=retry_after)

    if "APIStatusError" in names and isinstance(status, int):
        response = getattr(exc, "response", None)
        headers = getattr(response, "headers", None)
        retry_after = parse_retry_after(headers)
        if status < 400:
            # a stream `error` event after a 200: the body's type says what it was
            kind: ErrorKind = _TYPE_KINDS.get(etype or "", "server_error")
            if kind == "invalid_request" and detail and _CONTEXT_TOO_LONG.search(detail):
                kind = "context_too_long"
            status = None
            return make(kind, retry_after=retry_after)
        return make(_status_kind(status, etype, api_message), retry_after=retry_after)
    if "APITimeoutError" in names or "TimeoutException" in names or isinstance(exc, (asyncio.TimeoutError, TimeoutError)):
        return make("timeout", detail_=None)
    if ("APIConnectionError" in names or "TransportError" in names or "NetworkError" in names
            or isinstance(exc, (ConnectionError, OSError))):
        what, mid = _connection_detail(exc)
        return make("connection", mid_stream=mid, detail_=what)
    if "APIError" in names:
        # an error object inside the stream without a status (OpenAI-style `{"error": {...}}` chunk)
        kind = _TYPE_KINDS.get(etype or "", "server_error")
        if detail and _CONTEXT_TOO_LONG.search(detail):
            kind = "context_too_long"
        return make(kind, detail_=detail or _clean(str(exc)))
    return make("unknown", detail_=_clean(f"{type(exc).__name__}: {exc}"))
