"""The request engine: how every request to ShipStation is sent, whatever the API family.

The family (`families.py`) says where the API lives, how a request proves who sends it, how its rate-limit headers
and error bodies read; its endpoint adapter says which paths answer which question. The engine:

- builds every URL from segments, each percent-encoded as one path segment, so an id can never change the path
  or add a query;
- retries idempotent requests (GET, tracking start/stop) on 429, 5xx, connection errors, timeouts and garbled
  bodies, with exponential backoff and jitter, honouring `Retry-After`; never retries other 4xx;
- maps failures to the small hierarchy in `errors.py`, carrying status, request id and ShipStation's messages;
- never puts a credential in an exception, a log line or its own `repr` (nor lets ShipStation's messages echo it);
- waits for the process-wide rate limiter before every attempt, holds its slot until the answer is in, and feeds
  429s and the family's rate-limit headers back to it (`state/limiter.py`);
- serves reads from a bounded, single-flight response cache with per-answer lifetimes (`state/cache.py`).
"""

from __future__ import annotations

import asyncio
import functools
import inspect
import json
import logging
import random
import time
import zlib
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Self, TypeVar
from urllib.parse import parse_qsl, quote, urlsplit

import anyio
import httpx
from pydantic import BaseModel, ValidationError

from .. import __version__
from ..config import Settings
from ..errors import (
    AuthenticationError,
    InvalidInput,
    MalformedResponse,
    NetworkError,
    NotFoundError,
    RateLimitedError,
    RequestRejectedError,
    RequestTimeout,
    ServerError,
    ShipStationError,
)
from ..redact import Redactor
from ..state.cache import ResponseCache, cache_bytes
from ..state.limiter import RateLimiter, shared_limiter
from ..times import utc_text
from .families import ApiFamily, family_of
from .status import status_info

logger = logging.getLogger(__name__)

USER_AGENT = f"shipstation-mcp/{__version__}"
MAX_RETRY_AFTER = 60.0
"""Longest `Retry-After` we wait out; beyond it we give up at once and say when to try again."""
MAX_TOTAL_WAIT = 90.0
"""Most time one call spends sleeping between retries, so a tool answers before a client gives up on it."""
SEQUENCE_BUDGET = 120.0
"""Most time one call spends on all its attempts and the pauses between them (the rate limiter's queue aside)."""
MAX_RESPONSE_BYTES = 16 * 1024 * 1024
"""Largest answer read, after decompression: ShipStation's biggest pages are well under 1 MiB."""
BACKOFF_BASE = 0.5
BACKOFF_CAP = 8.0
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504, 520, 521, 522, 523, 524})
MAX_ERROR_MESSAGES = 5
MAX_MESSAGE_CHARS = 300
TERMINAL_TTL = 24 * 3600.0
"""Lifetime of answers that cannot change any more: delivered tracking, voided labels."""
SHIPMENT_TTL = 60.0
"""Lifetime of shipment and label answers (and label searches)."""


@dataclass
class _Failure:
    """An attempt that got no usable answer."""

    error: ShipStationError
    wait: float | None = None
    """Retry-After of the answer, in seconds."""
    slept_out_pause: bool = False
    """The limiter's pause already covers the wait: the next acquire need not wait it again."""
    retryable: bool = True
    """Whether the failure is of a kind a retry may cure (no answer, 429, 5xx)."""


class _Default:
    def __repr__(self) -> str:
        return "DEFAULT"


DEFAULT: Any = _Default()

ModelT = TypeVar("ModelT", bound=BaseModel)
Sleep = Callable[[float], Awaitable[None]]


def encode_segment(value: str) -> str:
    """Percent-encode `value` as exactly one path segment (`/`, `?`, `#`, `%` and dot-segments included)."""
    encoded = quote(value, safe="")
    if encoded in {".", ".."}:
        encoded = encoded.replace(".", "%2E")
    return encoded


def _clip(text: str, limit: int = MAX_MESSAGE_CHARS) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


class RequestEngine:
    """Sends requests to one ShipStation API family: limiter, cache, retries, deadlines, bounded reads, redaction.
    `ShipStationClient` (client.py) adds the family's endpoints on top."""

    def __init__(
        self,
        settings: Settings,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        sleep: Sleep = asyncio.sleep,
        rng: random.Random | None = None,
        limiter: RateLimiter | None = DEFAULT,
        cache: ResponseCache | None = DEFAULT,
    ) -> None:
        """`limiter`: by default the process-wide one for this key and host (`state.limiter.shared_limiter`); None
        turns rate limiting off. `cache`: by default a fresh `ResponseCache` for this client; None turns it off."""
        self.settings = settings
        self.family: ApiFamily = family_of(settings)
        self._sleep = sleep
        self._rng = rng or random.Random()  # noqa: S311 - jitter, not cryptography
        self.limiter = shared_limiter(settings) if limiter is DEFAULT else limiter
        self.cache = ResponseCache(max_bytes=cache_bytes(settings)) if cache is DEFAULT else cache
        self._transport = transport
        self._http_client: httpx.AsyncClient | None = None
        self._closed = False

    @property
    def _http(self) -> httpx.AsyncClient:
        """The HTTP client, made at the first request: its TLS context costs start-up time a tools/list never needs."""
        if self._http_client is None:
            if self._closed:
                raise RuntimeError("this ShipStationClient is closed")
            self._http_client = httpx.AsyncClient(
                transport=self._transport,
                timeout=httpx.Timeout(self.settings.timeout),
                headers={
                    **self.family.auth_headers(self.settings),
                    "User-Agent": USER_AGENT,
                    "Accept": "application/json",
                    # Only what `_Inflater` can decode in bounded steps.
                    "Accept-Encoding": "gzip, deflate",
                },
                follow_redirects=False,
            )
        return self._http_client

    def __repr__(self) -> str:
        return f"ShipStationClient(api={self.settings.api!r}, root={self.settings.display_root!r})"

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        self._closed = True
        if self._http_client is not None:
            await self._http_client.aclose()

    # ----------------------------------------------------------------- plumbing

    def url_for(self, segments: Sequence[str]) -> str:
        """Absolute URL for path `segments` below the API prefix, each encoded as one segment."""
        if any(str(s) == "" for s in segments):
            # `/shipments/` is the list endpoint, not a shipment: an empty id would answer another question.
            raise InvalidInput("An id is empty; send one such as se-123456.")
        return self.settings.api_root + "".join("/" + encode_segment(str(s)) for s in segments)

    def cached(self, segments: Sequence[str], *, params: Mapping[str, Any] | None = None) -> bool:
        """Whether `get_json(segments, params=params)` would be answered by this process's cache (a shared cache
        in Redis is not asked: False)."""
        holds = getattr(self.cache, "holds", None)
        return bool(holds(self._cache_key(segments, params))) if holds is not None else False

    def _cache_key(self, segments: Sequence[str], params: Mapping[str, Any] | None) -> tuple[Any, ...]:
        return (self.url_for(segments), tuple(sorted(_clean_params(params).items())))

    async def get_json(
        self,
        segments: Sequence[str],
        *,
        params: Mapping[str, Any] | None = None,
        ttl: Callable[[Any], float] | None = None,
    ) -> Any:
        """GET and decode. With a `ttl` rule (answer -> seconds to keep it) the answer may come from the cache."""
        if ttl is None or self.cache is None:
            return await self.request("GET", segments, params=params)
        key = self._cache_key(segments, params)
        fetch = functools.partial(self.request, "GET", segments, params=params)
        return await self.cache.get(key, fetch, ttl, self._error_ttl)

    # Lifetime rules: how long an answer may be reused, judged from the answer itself.

    def tracking_ttl(self, data: Any) -> float:
        if not self.settings.cache_ttl:
            return 0.0
        if isinstance(data, dict) and status_info(data.get("status_code")).delivered:
            return TERMINAL_TTL
        return self.settings.cache_ttl

    def label_ttl(self, data: Any) -> float:
        if not self.settings.cache_ttl:
            return 0.0
        if isinstance(data, dict) and (data.get("voided") is True or data.get("status") == "voided"):
            return TERMINAL_TTL
        return SHIPMENT_TTL

    def shipment_ttl(self, data: Any) -> float:
        return SHIPMENT_TTL if self.settings.cache_ttl else 0.0

    def _error_ttl(self, error: Exception) -> float:
        """'Not found' is an answer too (kept 60 s, so a bulk re-run does not ask again); other errors are not."""
        return SHIPMENT_TTL if isinstance(error, NotFoundError) and self.settings.cache_ttl else 0.0

    async def request(
        self,
        method: str,
        segments: Sequence[str],
        *,
        params: Mapping[str, Any] | None = None,
        json_body: Any = None,
        idempotent: bool | None = None,
        absolute_url: str | None = None,
    ) -> Any:
        """Send one logical request, retrying when that is safe; return the decoded JSON body (None if empty).
        `absolute_url` (checked by the caller against the family's allow-list) replaces `segments`: a V1 webhook
        names the resource to fetch on a numbered host."""
        url, path, query = self.url_for(segments), "/" + "/".join(str(s) for s in segments), _clean_params(params)
        if absolute_url:  # its own query travels as parameters (httpx would replace it with `params`)
            parts = urlsplit(absolute_url)
            url, path = parts._replace(query="", fragment="").geturl(), parts.path
            query = dict(parse_qsl(parts.query, keep_blank_values=True)) | query
        retryable = method.upper() == "GET" if idempotent is None else idempotent
        attempts_allowed = 1 + (self.settings.max_retries if retryable else 0)
        waited = 0.0
        slept_out_pause = False

        limiter = self.limiter
        deadline = time.monotonic() + max(SEQUENCE_BUDGET, self.settings.timeout)
        for attempt in range(1, attempts_allowed + 1):
            permit = None
            if limiter is not None:
                try:
                    permit = await limiter.acquire(self._sleep, skip_pause=slept_out_pause)
                except RateLimitedError as exc:
                    exc.method, exc.path, exc.attempts = method, path, max(1, attempt - 1)
                    raise
            budget = min(self.settings.timeout, deadline - time.monotonic())
            try:
                outcome = await self._attempt(method, url, path, query, json_body, budget=budget, permit=permit)
            finally:
                # Released only once the answer is in: the server counted the request at some moment until then.
                if limiter is not None and permit is not None:
                    released = limiter.release(permit)
                    if inspect.isawaitable(released):  # a shared limiter frees the slot for every process (Redis)
                        with anyio.CancelScope(shield=True):  # even when cancelled; bounded by Redis's timeout
                            await released
            if not isinstance(outcome, _Failure):
                return outcome
            error, wait, slept_out_pause = outcome.error, outcome.wait, outcome.slept_out_pause
            error.attempts = attempt
            if not (retryable and outcome.retryable) or attempt == attempts_allowed:
                raise error
            delay = self._retry_delay(error, wait, attempt, waited=waited, deadline=deadline, method=method, path=path)
            waited += delay
            logger.info(
                "%s %s failed (%s); retry %d of %d in %.2f s",
                method,
                path,
                type(error).__name__,
                attempt,
                attempts_allowed - 1,
                delay,
            )
            await self._sleep(delay)
        raise AssertionError("unreachable")  # pragma: no cover

    async def _attempt(
        self,
        method: str,
        url: str,
        path: str,
        query: dict[str, str],
        json_body: Any,
        *,
        budget: float,
        permit: Any,
    ) -> Any:
        """One try: the decoded answer, or a `_Failure` saying what went wrong and whether a retry may help."""
        started = time.perf_counter()
        try:
            response = await self._send(method, url, query, json_body, budget=budget, path=path)
            data = self._decode(response, method=method, path=path) if response.is_success else None
        except ShipStationError as exc:
            return _Failure(exc)
        except (httpx.TimeoutException, TimeoutError):
            return _Failure(
                RequestTimeout(
                    f"No complete answer within {budget:g} s (connecting, headers and body together).",
                    method=method,
                    path=path,
                )
            )
        except (httpx.TransportError, httpx.DecodingError) as exc:
            return _Failure(NetworkError(_transport_failure(exc), method=method, path=path))
        if self.limiter is not None and permit is not None:
            self.limiter.observe(self.family.rate_headers.read(response.headers), permit)
        if logger.isEnabledFor(logging.DEBUG):
            elapsed = (time.perf_counter() - started) * 1000
            logger.debug("%s %s -> %s in %.0f ms", method, path, response.status_code, elapsed)
        if response.is_success:
            return data
        error = self._error_from_response(response, method=method, path=path)
        wait = self.family.retry_after(response.headers)
        within_cap = wait is not None and wait <= MAX_RETRY_AFTER
        if response.status_code == 429 and self.limiter is not None:
            # A Retry-After beyond what we wait out fails this call only: pausing every later call for
            # it would let one answer (or a proxy's mistake) lock the process out for hours.
            penalty = self.limiter.penalize(wait if within_cap else None)
            if inspect.isawaitable(penalty):  # a shared limiter tells the other processes (Redis)
                await penalty
        return _Failure(
            error,
            wait=wait,
            slept_out_pause=response.status_code == 429 and within_cap,
            retryable=response.status_code in RETRY_STATUSES,
        )

    def _retry_delay(
        self,
        error: ShipStationError,
        wait: float | None,
        attempt: int,
        *,
        waited: float,
        deadline: float,
        method: str,
        path: str,
    ) -> float:
        """How long to wait before the next try; raises `error` when waiting would pass a cap or the deadline."""
        if wait is not None and wait > MAX_RETRY_AFTER:
            logger.warning("%s %s: Retry-After %.0f s is too long to wait; giving up", method, path, wait)
            raise error
        delay = wait if wait is not None else self._backoff(attempt)
        if time.monotonic() + delay + 0.1 >= deadline:
            logger.warning("%s %s: retrying would pass the %.0f s deadline; giving up", method, path, SEQUENCE_BUDGET)
            raise error
        if waited + delay > MAX_TOTAL_WAIT:
            logger.warning("%s %s: retrying would pass the %.0f s budget; giving up", method, path, MAX_TOTAL_WAIT)
            raise error
        return delay

    async def _send(
        self, method: str, url: str, query: dict[str, str], json_body: Any, *, budget: float, path: str
    ) -> httpx.Response:
        """One attempt, finished within `budget` seconds in all, its body (decompressed) at most
        `MAX_RESPONSE_BYTES`: httpx's own timeout is per network read, so a body dripped a byte at a time, or a
        huge or highly compressed one, would otherwise hold the call (and memory) without limit."""
        try:
            request = self._http.build_request(method, url, params=query, json=json_body)
        except httpx.InvalidURL:
            # Only an id or filter far longer than any real one gets here; nothing was sent.
            raise InvalidInput(
                f"A value for {method} {path.split('/')[1]} is too long to send to ShipStation (the request would "
                f"be {len(url) + sum(len(v) for v in query.values())} characters); ids and numbers are at most a "
                "few dozen characters: check the value."
            ) from None
        with anyio.fail_after(max(0.01, budget)):
            response = await self._http.send(request, stream=True)
            try:
                chunks = await self._read_bounded(response, method=method, path=path)
            finally:
                await response.aclose()
        # The body was read (and decoded) above; a fresh Response keeps status, headers and request with it.
        return httpx.Response(
            response.status_code,
            headers=[(k, v) for k, v in response.headers.multi_items() if k.lower() != "content-encoding"],
            content=b"".join(chunks),
            request=response.request,
        )

    @staticmethod
    async def _read_bounded(response: httpx.Response, *, method: str, path: str) -> list[bytes]:
        chunks: list[bytes] = []
        size = 0
        inflate = _Inflater(response.headers.get("content-encoding", ""))
        # A transport that read (and decoded) the body itself, such as httpx.MockTransport, hands it over whole.
        raws = _already_read(response) if response.is_stream_consumed else response.aiter_raw()
        if response.is_stream_consumed:
            inflate = _Inflater("")
        async for raw in raws:
            for chunk in inflate.feed(raw, MAX_RESPONSE_BYTES - size + 1):
                size += len(chunk)
                chunks.append(chunk)
            if size > MAX_RESPONSE_BYTES:
                raise MalformedResponse(
                    f"ShipStation's answer was larger than {MAX_RESPONSE_BYTES // (1024 * 1024)} MiB "
                    "(after decompression), so it was not read. Ask for less at once (a smaller page_size "
                    "or a narrower filter); if SHIPSTATION_BASE_URL points at a proxy, check it.",
                    status=response.status_code,
                    request_id=response.headers.get("x-request-id"),
                    method=method,
                    path=path,
                )
        return chunks + inflate.finish()

    def _backoff(self, attempt: int) -> float:
        ceiling = min(BACKOFF_CAP, BACKOFF_BASE * 2 ** (attempt - 1))
        return ceiling / 2 + self._rng.uniform(0, ceiling / 2)

    def _decode(self, response: httpx.Response, *, method: str = "GET", path: str = "") -> Any:
        if not response.content:
            return None
        try:
            # A successful answer may echo a credential too (a field repeating the request): never past here.
            return self._redact.json(json.loads(response.content))
        except (ValueError, UnicodeDecodeError, RecursionError):  # RecursionError: absurdly deep JSON
            raise MalformedResponse(
                f"ShipStation's answer (HTTP {response.status_code}, {len(response.content)} bytes) was not valid "
                "JSON; it may have been cut off.",
                status=response.status_code,
                request_id=response.headers.get("x-request-id"),
                method=method,
                path=path or response.request.url.path,
            ) from None

    def _error_from_response(self, response: httpx.Response, *, method: str, path: str) -> ShipStationError:
        status = response.status_code
        body = self.family.error_body(_json_or_none(response))
        # Scrub before clipping, so a clipped message cannot keep part of an echoed key.
        messages = [_clip(self._scrub(e.message)) for e in body.errors if e.message][:MAX_ERROR_MESSAGES]
        codes = [self._scrub(e.error_code) for e in body.errors if e.error_code]
        request_id = body.request_id or response.headers.get("x-request-id")
        request_id = self._scrub(request_id) if request_id else None
        summary = f"{method} {path} answered HTTP {status}"
        if messages:
            summary += ": " + "; ".join(messages)
        kwargs: dict[str, Any] = {
            "status": status,
            "request_id": request_id,
            "messages": messages,
            "error_code": codes[0] if codes else None,
            "method": method,
            "path": path,
        }
        if status in (401, 403):
            return AuthenticationError(summary, **kwargs)
        if status == 404:
            return NotFoundError(summary, **kwargs)
        if status == 429:
            retry_after = self.family.retry_after(response.headers)
            return RateLimitedError(summary, retry_after=retry_after, **kwargs)
        if status >= 500:
            return ServerError(summary, **kwargs)
        return RequestRejectedError(summary, **kwargs)

    @functools.cached_property
    def _redact(self) -> Redactor:
        """Every credential of the family (the key, a V1 secret), matched whole, split, in any case or in part."""
        if self.settings.demo:  # the demo's placeholder key is an ordinary word, not a secret
            return Redactor()
        return Redactor(self.family.credentials(self.settings))

    def _scrub(self, text: str) -> str:
        """Text from ShipStation without the credentials (an error message may echo the key it was sent)."""
        return self._redact(text)

    def parse(self, model: type[ModelT], data: Any) -> ModelT:
        if not isinstance(data, dict):
            raise self.unexpected("GET", model.__name__, "a JSON object")
        try:
            return model.model_validate(data)
        except ValidationError:
            raise self.unexpected("GET", model.__name__, f"a {model.__name__}") from None

    @staticmethod
    def unexpected(method: str, what: str, expected: str) -> MalformedResponse:
        return MalformedResponse(
            f"ShipStation's answer for {what} was not {expected}; the API may have changed.",
            method=method,
            path=what,
        )


async def _already_read(response: httpx.Response) -> AsyncIterator[bytes]:
    yield response.content


class _Inflater:
    """Decompresses a response body in bounded steps: no single step yields more than asked for, so a small
    compressed body that inflates to gigabytes is stopped at the size limit (httpx's decoder inflates whole
    network chunks, up to 1000 times their size, before anyone can look)."""

    def __init__(self, encoding: str) -> None:
        codings = [c.strip().lower() for c in encoding.split(",") if c.strip() and c.strip().lower() != "identity"]
        if len(codings) > 1 or (codings and codings[0] not in {"gzip", "x-gzip", "deflate"}):
            raise httpx.DecodingError(f"unsupported content encoding {encoding[:40]!r}")
        self._zlib = None
        if codings:
            self._zlib = zlib.decompressobj(zlib.MAX_WBITS | 16 if "gzip" in codings[0] else zlib.MAX_WBITS)

    def feed(self, data: bytes, most: int) -> Iterator[bytes]:
        if self._zlib is None:
            yield data
            return
        try:
            while data and most > 0:
                out = self._zlib.decompress(data, most)
                most -= len(out)
                data = self._zlib.unconsumed_tail
                yield out
        except zlib.error:
            raise httpx.DecodingError("broken compressed body") from None

    def finish(self) -> list[bytes]:
        if self._zlib is None:
            return []
        try:
            return [self._zlib.flush()]
        except zlib.error:
            raise httpx.DecodingError("broken compressed body") from None


def _clean_params(params: Mapping[str, Any] | None) -> dict[str, str]:
    """Drop unset values and render the rest as ShipStation expects (booleans lower-case, datetimes ISO)."""
    clean: dict[str, str] = {}
    for key, value in (params or {}).items():
        if value is None or value == "":
            continue
        if isinstance(value, bool):
            clean[key] = "true" if value else "false"
        elif isinstance(value, datetime):
            clean[key] = utc_text(value)
        else:
            clean[key] = str(value)
    return clean


def _json_or_none(response: httpx.Response) -> Any:
    """An error answer's body as JSON, or None when it is empty or not JSON (an HTML page from a proxy)."""
    try:
        return json.loads(response.content) if response.content else None
    except (ValueError, UnicodeDecodeError, RecursionError):
        return None


def _transport_failure(exc: Exception) -> str:
    if isinstance(exc, httpx.ConnectError):
        return "the connection was refused or the host could not be resolved."
    if isinstance(exc, httpx.DecodingError):
        return "the answer could not be decoded (its content encoding was broken)."
    if isinstance(exc, httpx.RemoteProtocolError):
        return "the connection was closed before a complete answer arrived."
    if isinstance(exc, httpx.ReadError | httpx.WriteError):
        return "the connection was reset while talking to ShipStation."
    return f"a network error occurred ({type(exc).__name__})."
