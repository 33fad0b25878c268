"""What an error answer says, whatever shape ShipStation (or something in front of it) sent it in.

Shapes seen from the API and the gateways before it:

- `{"request_id": …, "errors": [{"error_type": …, "error_code": …, "message": …}, …]}` (the documented one);
- `{"request_id": …, "error": {"message": …}}` (official SDK mocks of 500s), or `"error": "text"`;
- a bare `{"message": …}` (or `Message`, `detail`, `title`: gateways, problem+json);
- an HTML page (a proxy's or load balancer's), plain text, or nothing at all.

`read_error_body` turns any of them into an `ErrorReport`: messages, codes, error types, request id. It never
raises, and never keeps more than a few short messages. Scrubbing secrets is the caller's business.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from .models import clean_text

__all__ = ["ErrorReport", "read_error_body"]

MAX_MESSAGES = 5
MAX_CHARS = 300
HTTP_METHODS = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"})
MESSAGE_KEYS = ("message", "Message", "error_description", "detail", "title", "description")
REQUEST_ID_KEYS = ("request_id", "requestId", "RequestId", "request-id")

Shape = Literal["errors", "error", "message", "html", "text", "empty", "unknown"]

_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)
_HEADING = re.compile(r"<h1[^>]*>(.*?)</h1>", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<[^>]+>")


@dataclass(frozen=True)
class ErrorReport:
    shape: Shape = "empty"
    messages: tuple[str, ...] = ()
    codes: tuple[str, ...] = ()
    error_types: tuple[str, ...] = field(default=())
    request_id: str | None = None


def _clip(text: str) -> str:
    """One line of outside data: control characters, zero-width and bidi marks out (`models.clean_text`), cut."""
    return clean_text(text, MAX_CHARS)


def _text(value: Any) -> str | None:
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        text = _clip(str(value))
        return text or None
    return None


def _message_of(item: Mapping[str, Any]) -> str | None:
    """The sentence in one error object. A `message` that is only an HTTP method (a mock that shifted its fields
    by one) is no message: then the longest other text that reads as a sentence is."""
    for key in MESSAGE_KEYS:
        text = _text(item.get(key))
        if text and text.upper() not in HTTP_METHODS:
            return text
    sentences = [t for v in item.values() if (t := _text(v)) and " " in t and t.upper() not in HTTP_METHODS]
    return max(sentences, key=len) if sentences else None


def _from_items(items: list[Any]) -> tuple[list[str], list[str], list[str]]:
    messages: list[str] = []
    codes: list[str] = []
    types: list[str] = []
    for item in items:
        if isinstance(item, str):
            text = _text(item)
            if text:
                messages.append(text)
            continue
        if not isinstance(item, Mapping):
            continue
        if (message := _message_of(item)) is not None:
            messages.append(message)
        if code := _text(item.get("error_code") or item.get("code")):
            codes.append(code)
        if kind := _text(item.get("error_type") or item.get("type")):
            types.append(kind)
    return messages, codes, types


def _request_id(data: Mapping[str, Any], headers: Mapping[str, str]) -> str | None:
    for key in REQUEST_ID_KEYS:
        if text := _text(data.get(key)):
            return text
    return _text(headers.get("x-request-id")) if headers else None


def _from_json(data: Any, headers: Mapping[str, str]) -> ErrorReport:
    if isinstance(data, list):
        data = {"errors": data}
    if not isinstance(data, Mapping):
        text = _text(data)
        return ErrorReport("text", (text,) if text else (), request_id=_request_id({}, headers))
    request_id = _request_id(data, headers)
    errors = data.get("errors")
    if isinstance(errors, list) and errors:
        shape: Shape = "errors"
        messages, codes, types = _from_items(errors)
    elif isinstance(data.get("error"), Mapping | str):
        shape = "error"
        messages, codes, types = _from_items([data["error"]])
    else:
        messages, codes, types = _from_items([{k: v for k, v in data.items() if k not in REQUEST_ID_KEYS}])
        shape = "message" if messages else "unknown"
    return ErrorReport(
        shape,
        tuple(messages[:MAX_MESSAGES]),
        tuple(codes[:MAX_MESSAGES]),
        tuple(types[:MAX_MESSAGES]),
        request_id,
    )


def _from_html(text: str) -> str | None:
    for pattern in (_TITLE, _HEADING):
        found = pattern.search(text)
        if found:
            words = _clip(html.unescape(_TAG.sub(" ", found.group(1))))
            if words:
                return words
    words = _clip(html.unescape(_TAG.sub(" ", re.sub(r"(?is)<(script|style).*?</\1>", " ", text))))
    return words[:120] or None


def read_error_body(content: bytes, headers: Mapping[str, str] | None = None) -> ErrorReport:
    """What an error answer's body says (and its request id, from the body or the `x-request-id` header)."""
    headers = headers or {}
    header_id = _text(headers.get("x-request-id"))
    if not content or not content.strip():
        return ErrorReport("empty", request_id=header_id)
    try:
        return _from_json(json.loads(content), headers)
    except (ValueError, UnicodeDecodeError, RecursionError):
        pass
    text = content[:65536].decode("utf-8", errors="replace")
    content_type = headers.get("content-type", "").lower()
    if "html" in content_type or text.lstrip()[:1] == "<":
        message = _from_html(text)
        return ErrorReport("html", (message,) if message else (), request_id=header_id)
    line = next((ln for ln in text.splitlines() if ln.strip()), "")
    message = _clip(line) if line.isprintable() else None
    return ErrorReport("text", (message,) if message else (), request_id=header_id)
