"""The webhook receiver: verifies ShipStation's tracking webhooks and stores each update once.

A delivery is checked in this order, and nothing is parsed or written before every check passed:

0. A request with `X-ShipStation-MCP-Challenge` is not a delivery: `setup_tracking_webhook` asking whether a URL
   leads here. With a usable secret it gets `challenge_answer` (200), otherwise 404; nothing is read or stored.

1. `X-Webhook-Secret`, when there is a secret (`SHIPSTATION_WEBHOOK_SECRET`, or the per-install one
   `setup_tracking_webhook` stored in the data folder): missing → 404, wrong → 401.
2. The signature headers `x-shipengine-rsa-sha256-key-id`, `…-signature`, `x-shipengine-timestamp` (unless
   `SHIPSTATION_WEBHOOK_VERIFY=false`): missing → 404, as ShipStation's guide suggests, so probes learn nothing.
3. A declared body over 1 MiB → 413.
4. Timestamp more than 5 minutes from our clock (either way) → 400.
5. The key id must name a known key (see Keys below) → 401 once a fresh key set does not hold it; 503 (retried)
   when the key set cannot be fetched, or no refetch is allowed yet (the id may be a key ShipStation just started
   using, and ShipStation never retries a 401).
6. The body is read in chunks and abandoned past 1 MiB → 413; past `MAX_BUFFERED_BYTES` held by all deliveries
   at once → 503.
7. RSA-SHA256 (PKCS#1 v1.5) over `signed_message(timestamp, raw body)` with that key → 401 if it does not verify.
8. Only then the JSON is parsed, nesting limited to `MAX_JSON_DEPTH` (422). `API_TRACK` and `TRACK_EVENT_V2`
   payloads are stored; other resource types are acknowledged and ignored (answering an error would only make
   ShipStation resend them). A value the store cannot keep → 422 before anything is written.

ShipStation's classic API (V1) signs nothing: its notices are told apart by the `?secret=` of their target URL and
handled by `classic_hooks` (the secret, then the resource fetched by us from an allow-listed V1 host).

Whose update: ShipStation's signing keys are shared by every account, so a signature proves ShipStation sent a
delivery, not that it is for this account. Only a delivery carrying this account's secret may start watching a
number nobody watches; the store keeps other unsolicited updates apart and bounded (`IncomingEvent.watch_if_new`).

Storing: a verified update is committed to the event store before the 2xx answer. Its dedupe key is the SHA-256 of
the payload's canonical JSON (keys sorted, no whitespace), so a repeated delivery of the same update — ShipStation
retrying, or a proxy replaying — is stored once however it is formatted, while any new fact (a new scan, status,
date) makes a new event. A store failure answers 503 so ShipStation delivers again.

Keys: the JWKS is fetched when the receiver starts and refreshed in the background every hour, so a delivery signed
with a known key never waits on the network. A delivery naming an unknown key id triggers one refetch (key
rotation). That is the only outbound call a delivery can ever wait on, and it is bounded three ways: one fetch in
flight at a time (concurrent deliveries share it), at most one such refetch per `REFETCH_COOLDOWN` (so random key
ids sent by an attacker cannot make us hammer the JWKS URL: inside the cooldown an unknown key is deferred at once),
and the delivery waits at most `UNKNOWN_KEY_WAIT` seconds (the fetch itself carries on in the background). Rejecting
an unknown key outright would have been faster still, but would lose the first updates after every key rotation if
ShipStation does not retry them. Deliveries that carry this install's secret and those that do not (an install
without one, or a probe) have a refetch budget each, so a probe naming a made-up key id never spends the refetch a
genuine delivery needs; an unknown id that could not be checked yet gets 503, so ShipStation delivers it again.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import logging
import math
import re
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from dataclasses import replace as with_fields
from datetime import UTC, datetime, timedelta
from typing import Any

import anyio
import anyio.abc
import httpx
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from pydantic import ValidationError
from starlette.datastructures import Headers
from starlette.types import Receive, Scope, Send

from .. import __version__
from ..answers.tracking import summarize_tracking
from ..api.families import FAMILIES
from ..api.ids import normalize_carrier_code, normalize_tracking_number
from ..api.models import TrackingInfo
from ..api.status import status_info
from ..config import CHALLENGE_HEADER, LiveSettings, challenge_answer, is_loopback_host, stored_webhook_secret
from ..errors import InvalidInput
from ..logs import quoted, redact_everywhere
from ..state.store import EventStore, IncomingEvent, StoredEvent, Terminal, UnstorableValue, check_storable
from ..times import parse_timestamp
from .classic_hooks import ClassicNotice, Fetch, query_secret, read_notice, secret_matches, tracking_numbers

logger = logging.getLogger(__name__)

MAX_BODY_BYTES = 1024 * 1024
MAX_BUFFERED_BYTES = 64 * 1024 * 1024
TIMESTAMP_TOLERANCE = timedelta(minutes=5)
JWKS_REFRESH_INTERVAL = 3600.0
JWKS_RETRY_AFTER_FAILURE = 30.0
REFETCH_COOLDOWN = 60.0
UNKNOWN_KEY_WAIT = 2.0
JWKS_FETCH_TIMEOUT = 10.0
MAX_JWKS_BYTES = 256 * 1024
MIN_RSA_BITS = 2048

KEY_ID_HEADER = "x-shipengine-rsa-sha256-key-id"
SIGNATURE_HEADER = "x-shipengine-rsa-sha256-signature"
TIMESTAMP_HEADER = "x-shipengine-timestamp"
SECRET_HEADER = "x-webhook-secret"  # noqa: S105 - a header name, not a secret
CLASSIC_FETCH_WAIT = 20.0
"""Longest a V1 notice waits for its resource to be fetched before it is answered 503 (ShipStation resends)."""
TRACKING_RESOURCE_TYPES = frozenset().union(*(family.tracking_resource_types for family in FAMILIES.values()))
CHALLENGE_CHARS = re.compile(r"[A-Za-z0-9_-]{16,128}")
UNUSABLE_SECRET = "\0unusable"  # noqa: S105 - a marker that never equals a header value (no NUL in headers)


# ----------------------------------------------------------------------------- JSON with bounded nesting

MAX_JSON_DEPTH = 64
_ESCAPES = re.compile(rb"\\.", re.DOTALL)
_STRINGS = re.compile(rb'"[^"]*"')
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")


class TooDeep(ValueError):
    """JSON nested deeper than `MAX_JSON_DEPTH`: refused before parsing (it would exhaust Python's recursion)."""


def json_depth(raw: bytes) -> int:
    """How deeply arrays and objects nest in `raw` (brackets inside strings do not count)."""
    bare = _STRINGS.sub(b"", _ESCAPES.sub(b"", raw)).translate(None, _NOT_BRACKETS)
    depth = deepest = 0
    for byte in bare:
        depth += 1 if byte in b"[{" else -1
        deepest = max(deepest, depth)
    return deepest


def loads_limited(raw: bytes | str, max_depth: int = MAX_JSON_DEPTH) -> Any:
    """`json.loads`, refusing (`TooDeep`, a ValueError) anything nested deeper than `max_depth` before parsing."""
    data = raw.encode("utf-8", "replace") if isinstance(raw, str) else raw
    if json_depth(data) > max_depth:
        raise TooDeep(f"JSON nested deeper than {max_depth} levels")
    return json.loads(raw)


# ----------------------------------------------------------------------------- signatures


def signed_message(timestamp: str, body: bytes) -> bytes:
    """The bytes ShipStation signs: `"{timestamp}.{raw body}"`.

    The one place that knows this layout: if ShipStation's documentation ever says otherwise, change it here only.
    """
    return timestamp.encode("utf-8") + b"." + body


def verify_signature(public_key: rsa.RSAPublicKey, timestamp: str, body: bytes, signature_b64: str) -> bool:
    """True when `signature_b64` is a valid RSA-SHA256 PKCS#1 v1.5 signature of the signed message."""
    try:
        signature = base64.b64decode(signature_b64.strip(), validate=True)
    except (binascii.Error, ValueError):
        return False
    try:
        public_key.verify(signature, signed_message(timestamp, body), padding.PKCS1v15(), hashes.SHA256())
    except InvalidSignature:
        return False
    return True


def parse_signature_timestamp(value: str) -> datetime | None:
    """`x-shipengine-timestamp` as an aware datetime: ISO 8601 (zone-less means UTC) or Unix seconds/milliseconds."""
    text = value.strip()
    if not text or len(text) > 64:
        return None
    try:
        number = float(text)
    except ValueError:
        return parse_timestamp(text)
    if not math.isfinite(number):
        return None
    if number > 1e11:  # milliseconds
        number /= 1000
    try:
        return datetime.fromtimestamp(number, UTC)
    except (OverflowError, OSError, ValueError):
        return None


def _b64url_int(value: object) -> int:
    if not isinstance(value, str) or not value:
        raise ValueError("not a base64url string")
    return int.from_bytes(base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)), "big")


def public_keys_from_jwks(document: object) -> dict[str, rsa.RSAPublicKey]:
    """RSA signing keys by key id. Keys of other types, or malformed or weak ones, are skipped."""
    keys: dict[str, rsa.RSAPublicKey] = {}
    entries = document.get("keys") if isinstance(document, dict) else None
    for entry in entries if isinstance(entries, list) else []:
        if not isinstance(entry, dict) or entry.get("kty") != "RSA" or entry.get("use", "sig") != "sig":
            continue
        kid = entry.get("kid")
        if not isinstance(kid, str) or not kid:
            continue
        try:
            key = rsa.RSAPublicNumbers(_b64url_int(entry.get("e")), _b64url_int(entry.get("n"))).public_key()
        except (ValueError, binascii.Error):
            logger.debug("JWKS key %r is malformed; skipped", kid[:64])
            continue
        if key.key_size < MIN_RSA_BITS:
            logger.warning("JWKS key %r has only %d bits; skipped", kid[:64], key.key_size)
            continue
        keys[kid] = key
    return keys


class KeyMiss(str):
    """Why no key was found: `UNKNOWN` (a fresh key set does not hold it) or `UNCHECKED` (no refetch allowed yet)."""


UNKNOWN = KeyMiss("unknown")
UNCHECKED = KeyMiss("unchecked")


class JwksCache:
    """ShipStation's public keys, fetched ahead of need and refreshed in the background (see the module notes)."""

    def __init__(
        self,
        url: str,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        refresh_interval: float = JWKS_REFRESH_INTERVAL,
        retry_after_failure: float = JWKS_RETRY_AFTER_FAILURE,
        refetch_cooldown: float = REFETCH_COOLDOWN,
        unknown_key_wait: float = UNKNOWN_KEY_WAIT,
        monotonic: Callable[[], float] = time.monotonic,
        fetch_timeout: float = JWKS_FETCH_TIMEOUT,
        offline: bool = False,
    ) -> None:
        self.url = url
        self.offline = offline
        """Never fetch (the demo: nothing leaves the machine); every signed delivery then finds no key."""
        self._fetch_timeout = fetch_timeout
        self._transport = transport
        self._refresh_interval = refresh_interval
        self._retry_after_failure = retry_after_failure
        self._refetch_cooldown = refetch_cooldown
        self._unknown_key_wait = unknown_key_wait
        self._monotonic = monotonic
        self._keys: dict[str, rsa.RSAPublicKey] = {}
        self._last_refetch: dict[bool, float] = {}
        self._last_ok = False
        self._in_flight: anyio.Event | None = None
        self._tasks: anyio.abc.TaskGroup | None = None
        self._http: httpx.AsyncClient | None = None
        self.fetches = 0
        """How many times the JWKS URL was asked (for tests and diagnostics)."""

    @property
    def key_ids(self) -> list[str]:
        return sorted(self._keys)

    @property
    def available(self) -> bool:
        """False while the key set could not be fetched: an unknown key id may then be a rotation we missed."""
        return self._last_ok

    @asynccontextmanager
    async def running(self) -> AsyncIterator[JwksCache]:
        """Fetch now (in the background: start-up never waits on the network) and keep the keys fresh."""
        if self.offline:
            logger.info("Webhook signing keys are not fetched (offline demo): signed deliveries are refused")
            yield self
            return
        async with (
            httpx.AsyncClient(
                transport=self._transport,
                timeout=httpx.Timeout(JWKS_FETCH_TIMEOUT),
                follow_redirects=True,  # checked below: only to https (or loopback, for tests)
                headers={"User-Agent": f"shipstation-mcp/{__version__}", "Accept": "application/json"},
            ) as http,
            anyio.create_task_group() as tasks,
        ):
            self._http, self._tasks = http, tasks
            tasks.start_soon(self._refresher)
            try:
                yield self
            finally:
                tasks.cancel_scope.cancel()
                self._http = self._tasks = None
                self._in_flight = None

    async def _refresher(self) -> None:
        while True:
            await self._start_fetch().wait()
            await anyio.sleep(self._refresh_interval if self._last_ok else self._retry_after_failure)

    def _start_fetch(self) -> anyio.Event:
        """The fetch in flight, or a new one: never two at once."""
        if self._in_flight is None:
            assert self._tasks is not None
            self._in_flight = done = anyio.Event()
            self._tasks.start_soon(self._fetch_and_signal, done)
        return self._in_flight

    async def _fetch_and_signal(self, done: anyio.Event) -> None:
        try:
            self._last_ok = await self._fetch()
        finally:
            self._in_flight = None
            done.set()

    async def key_for(self, kid: str) -> rsa.RSAPublicKey | None:
        """The key named `kid`, or None (after one rate-limited refetch for an unknown id)."""
        found = await self.lookup(kid)
        return found if isinstance(found, rsa.RSAPublicKey) else None

    async def lookup(self, kid: str, *, proven: bool = True) -> rsa.RSAPublicKey | KeyMiss:
        """The key named `kid`; for an unknown id, wait (bounded) for one rate-limited refetch first.

        `proven`: the caller showed this install's webhook secret. Unproven callers have a refetch budget of their
        own, so a probe with a made-up key id never uses up the refetch a genuine delivery signed with a new key
        needs. `UNCHECKED` when no refetch was allowed yet or it did not finish in time (the id may be new: answer
        503, which ShipStation retries), `UNKNOWN` when a fresh key set does not hold it."""
        key = self._keys.get(kid)
        if key is not None:
            return key
        if self._tasks is None:
            return UNKNOWN
        if self._in_flight is None:
            now = self._monotonic()
            last = self._last_refetch.get(proven)
            if last is not None and now - last < self._refetch_cooldown:
                return UNCHECKED
            self._last_refetch[proven] = now
            logger.info("Unknown webhook signing key id %s: fetching the JWKS again", quoted(kid, 64))
        done = self._start_fetch()
        with anyio.move_on_after(self._unknown_key_wait):
            await done.wait()
        key = self._keys.get(kid)
        if key is not None:
            return key
        return UNKNOWN if done.is_set() and self._last_ok else UNCHECKED

    async def _fetch(self) -> bool:
        """Fetch and replace the key set. On any failure keep the keys we have; never raise."""
        if self._http is None:
            return False
        self.fetches += 1
        try:
            # httpx's timeout is per read: the deadline bounds the whole fetch, however slowly the body drips.
            with anyio.fail_after(self._fetch_timeout):
                async with self._http.stream("GET", self.url) as response:
                    if response.status_code != 200:
                        raise ValueError(f"HTTP {response.status_code}")
                    if response.url.scheme != "https" and not is_loopback_host(response.url.host):
                        raise ValueError(f"redirected to a plain-http address ({response.url.host})")
                    chunks, size = [], 0
                    async for chunk in response.aiter_bytes():
                        size += len(chunk)
                        if size > MAX_JWKS_BYTES:
                            raise ValueError(f"larger than {MAX_JWKS_BYTES} bytes")
                        chunks.append(chunk)
            keys = public_keys_from_jwks(loads_limited(b"".join(chunks)))
        except (httpx.HTTPError, ValueError, TypeError, TimeoutError, RecursionError) as exc:
            # Whatever the key set's URL answers, the receiver keeps running with the keys it had.
            reason = f"no complete answer within {self._fetch_timeout:g} s" if isinstance(exc, TimeoutError) else exc
            logger.warning(
                "Could not fetch the webhook signing keys from %s (%s); keeping %d known key(s)",
                self.url,
                reason if isinstance(exc, ValueError | TimeoutError) else type(exc).__name__,
                len(self._keys),
            )
            return False
        if not keys:
            logger.warning("The JWKS at %s holds no usable RSA signing key; keeping the old ones", self.url)
            return False
        self._keys = keys
        logger.info("Webhook signing keys loaded from %s: %s", self.url, ", ".join(sorted(keys)))
        return True


# ----------------------------------------------------------------------------- turning a payload into an event


class NotTrackingUpdate(ValueError):
    """A verified payload that is not a tracking update we can store (another webhook event, no tracking number)."""


def dedupe_key(payload: Any) -> str:
    """SHA-256 of the payload's canonical JSON: the same update stored once, however it was formatted."""
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    # surrogatepass: a lone surrogate (valid JSON, not valid Unicode) must reach check_storable's clear refusal.
    return hashlib.sha256(canonical.encode("utf-8", "surrogatepass")).hexdigest()


def tracking_event(payload: Any, body: bytes, *, received_at: datetime, watch_if_new: bool = True) -> IncomingEvent:
    """Build the event to store from a parsed webhook payload; `NotTrackingUpdate` if it is not one.

    `watch_if_new`: whether an update for a number nobody watches may start watching it. Only for deliveries that
    proved they come from this account (its webhook secret): ShipStation's signing keys are shared by all accounts,
    so a signature alone proves only that some account's webhook sent it."""
    if not isinstance(payload, dict):
        raise NotTrackingUpdate("the body is not a JSON object")
    resource_type = str(payload.get("resource_type") or "").strip().upper()
    if resource_type not in TRACKING_RESOURCE_TYPES:
        raise NotTrackingUpdate(f"resource_type {resource_type[:40] or 'missing'!r} is not a tracking update")
    data = payload.get("data")
    if not isinstance(data, dict):
        raise NotTrackingUpdate("the payload has no data object")
    try:
        info = TrackingInfo.model_validate(data)
    except ValidationError:
        raise UnstorableValue("its tracking data does not have the shape ShipStation documents") from None
    try:
        number = normalize_tracking_number(info.tracking_number or "")
    except InvalidInput:
        raise NotTrackingUpdate("the update carries no usable tracking number") from None
    try:
        carrier = normalize_carrier_code(info.carrier_code) if info.carrier_code else None
    except InvalidInput:
        carrier = None
    # ShipStation stops watching by its own status (DE, EX): that decides `terminal`. What is stored and listed
    # for the package is the reading every answer gives (a delivered scan under IT is delivered).
    status = status_info(info.status_code)
    terminal: Terminal | None = "delivered" if status.delivered else "exception" if status.exception else None
    read = summarize_tracking(info, now=received_at, max_events=0)
    newest = read.latest_event.occurred_at if read.latest_event else None
    event = IncomingEvent(
        tracking_number=number,
        dedupe_key=dedupe_key(payload),
        payload=body.decode("utf-8", errors="replace"),
        received_at=received_at,
        carrier_code=carrier,
        resource_type=resource_type,
        status_code=read.status_code,
        status_detail_code=read.detail_code,
        status_description=read.status_description,
        occurred_at=newest or info.actual_delivery_date,
        terminal=terminal,
        watch_if_new=watch_if_new,
    )
    check_storable(event)  # refused now (4xx, nothing stored) rather than failing inside the commit
    # ShipStation's own status text is no longer a column, but what could not be stored stays refused alike
    check_storable(with_fields(event, status_description=info.status_description))
    return event


# ----------------------------------------------------------------------------- the ASGI endpoint


@dataclass(frozen=True)
class Verdict:
    status: int
    body: str
    headers: tuple[tuple[str, str], ...] = ()


NOT_FOUND = Verdict(404, "Not Found")


class BodyTooLarge(Exception):
    pass


class BodyBudget:
    """Bytes of request bodies held at once by all deliveries in progress. Each body is capped at 1 MiB, but a
    thousand slow senders each holding most of one would still add up to a gigabyte; past the budget a delivery is
    deferred with a 503 (ShipStation retries), while genuine ones, a few KiB each, keep fitting."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.held = 0


class BudgetExhausted(Exception):
    pass


async def read_body(receive: Receive, limit: int, budget: BodyBudget | None = None) -> bytes:
    """The request body, read chunk by chunk; `BodyTooLarge` as soon as it passes `limit` bytes,
    `BudgetExhausted` when the bodies held by all deliveries together would pass `budget`."""
    chunks: list[bytes] = []
    size = 0
    try:
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                raise anyio.EndOfStream
            if message["type"] != "http.request":
                continue
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                raise BodyTooLarge
            if budget is not None:
                if budget.held + len(chunk) > budget.limit:
                    raise BudgetExhausted
                budget.held += len(chunk)
            chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks)
    finally:
        if budget is not None:
            budget.held -= sum(len(c) for c in chunks)


class WebhookReceiver:
    """ASGI endpoint for ShipStation's tracking webhooks. Serve it at `settings.webhook_path`.

    `store` gives the open event store (it is opened after this object is built); `on_stored` hears of every new
    event (the change notifier). `jwks` is required unless verification is switched off.
    """

    def __init__(
        self,
        settings: LiveSettings,
        store: Callable[[], EventStore],
        *,
        jwks: JwksCache | None,
        on_stored: Callable[[StoredEvent], Awaitable[None] | None] | None = None,
        clock: Callable[[], datetime] | None = None,
        max_body: int = MAX_BODY_BYTES,
        tolerance: timedelta = TIMESTAMP_TOLERANCE,
        fetch_resource: Fetch | None = None,
    ) -> None:
        if settings.webhook_verify and jwks is None:
            raise ValueError("signature verification needs a JwksCache")
        self.settings = settings
        self._store = store
        self.jwks = jwks
        self._on_stored = on_stored
        self._clock = clock or (lambda: datetime.now(UTC))
        self._max_body = max_body
        self._tolerance = tolerance
        self._secret: str | None = None
        self._secret_stamp: int | None = None
        self._budget = BodyBudget(MAX_BUFFERED_BYTES)
        self._fetch_resource = fetch_resource
        """Fetches a V1 notice's resource with the account's credentials (`classic_hooks.resource_fetcher`)."""

    def startup_warnings(self) -> list[str]:
        """What an operator must hear at start: how deliveries are (or are not) authenticated."""
        path = self.settings.webhook_path
        if self.settings.webhook_verify:
            return []
        if self.settings.webhook_secret:
            return [
                f"SHIPSTATION_WEBHOOK_VERIFY=false: signatures on {path} are not checked; deliveries are accepted "
                "on the X-Webhook-Secret header alone"
            ]
        return [
            f"SHIPSTATION_WEBHOOK_VERIFY=false and no SHIPSTATION_WEBHOOK_SECRET: anyone who can reach {path} can "
            "write tracking updates. Set SHIPSTATION_WEBHOOK_SECRET, or turn verification back on"
        ]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        if scope["method"] != "POST":
            verdict = Verdict(405, "Method Not Allowed", (("allow", "POST"),))
        else:
            try:
                verdict = await self.handle(Headers(scope=scope), receive, query=scope.get("query_string", b""))
            except anyio.EndOfStream:
                return  # the sender went away; nothing was stored
        await _respond(send, verdict)

    def expected_secret(self) -> str | None:
        """SHIPSTATION_WEBHOOK_SECRET, else the per-install secret `setup_tracking_webhook` stored (re-read when
        the file changes: another process may create it while this receiver runs). `UNUSABLE_SECRET` when the
        file exists but cannot be used, so deliveries are deferred rather than let in unchecked."""
        if self.settings.webhook_secret:
            return self.settings.webhook_secret
        path = self.settings.webhook_secret_path
        if path is None:
            return None
        try:
            stamp: int | None = path.stat().st_mtime_ns
        except OSError:
            stamp = None
        if stamp != self._secret_stamp:
            self._secret_stamp = stamp
            self._secret = None if stamp is None else (stored_webhook_secret(self.settings) or UNUSABLE_SECRET)
            if self._secret and self._secret is not UNUSABLE_SECRET:
                redact_everywhere(self._secret)
            if self._secret is UNUSABLE_SECRET:
                logger.error("The webhook secret file %s is unreadable; run setup_tracking_webhook again", path)
        return self._secret

    async def handle(self, headers: Headers, receive: Receive, *, query: bytes = b"") -> Verdict:
        """Every check in order of cost, so nothing unproven is read, parsed or stored."""
        nonce = headers.get(CHALLENGE_HEADER)
        if nonce is not None:
            return self._answer_challenge(nonce)
        classic_secret = query_secret(query)
        if classic_secret is not None:  # an unsigned V1 notice, proved by the secret in its target URL
            return await self._handle_classic(classic_secret, headers, receive)
        account_proven = self._check_secret(headers)
        if isinstance(account_proven, Verdict):
            return account_proven
        signed = await self._check_signature_headers(headers, proven=account_proven is True)
        if isinstance(signed, Verdict):
            return signed
        body = await self._read(receive)
        if isinstance(body, Verdict):
            return body
        if signed is not None:
            key, signature, stamp = signed
            if not verify_signature(key, stamp, body, signature):
                logger.warning("Webhook rejected: the signature does not match the body")
                return Verdict(401, "Unauthorized")
        return await self._accept(body, account_proven=account_proven)

    def _answer_challenge(self, nonce: str) -> Verdict:
        """Prove to `setup_tracking_webhook` that a URL leads here (see `challenge_answer`); nothing is read or
        stored, and without a usable secret there is nothing to prove (404)."""
        secret = self.expected_secret()
        if not secret or secret is UNUSABLE_SECRET or not CHALLENGE_CHARS.fullmatch(nonce):
            return NOT_FOUND
        return Verdict(200, challenge_answer(secret, nonce))

    async def _read(self, receive: Receive) -> bytes | Verdict:
        try:
            return await read_body(receive, self._max_body, self._budget)
        except BodyTooLarge:
            return Verdict(413, "Payload Too Large")
        except BudgetExhausted:
            logger.warning("Webhook deferred: too many large deliveries in progress at once")
            return Verdict(503, "Busy; try again later", (("retry-after", "30"),))

    async def _handle_classic(self, given: str, headers: Headers, receive: Receive) -> Verdict:
        """A V1 notice: the install's secret in the URL, then the resource fetched by us (`classic_hooks`)."""
        expected = self.expected_secret()
        if expected is None:
            return NOT_FOUND  # no secret here, so no V1 notice can be proved
        if expected is UNUSABLE_SECRET:
            return Verdict(503, "Try again later", (("retry-after", "30"),))
        if not secret_matches(given, expected):
            logger.warning("V1 webhook rejected: wrong secret in the target URL")
            return Verdict(401, "Unauthorized")
        declared = headers.get("content-length")
        if declared is not None and declared.strip().isdigit() and int(declared) > self._max_body:
            return Verdict(413, "Payload Too Large")
        body = await self._read(receive)
        if isinstance(body, Verdict):
            return body
        try:
            notice = read_notice(loads_limited(body))
        except (TooDeep, ValueError, UnicodeDecodeError):
            return Verdict(400, "The body is not a V1 webhook notice")
        if isinstance(notice, str):
            logger.warning("V1 webhook rejected: %s", notice)
            return Verdict(422, f"Not a V1 webhook notice we act on: {notice}")
        return await self._fetch_classic(notice)

    async def _fetch_classic(self, notice: ClassicNotice) -> Verdict:
        if self._fetch_resource is None:
            logger.info("V1 %s notice acknowledged: this receiver has no V1 key to fetch it with", notice.resource_type)
            return Verdict(202, '{"status":"ignored"}')
        try:
            with anyio.fail_after(CLASSIC_FETCH_WAIT):
                labels = await self._fetch_resource(notice.resource_url)
            numbers = tracking_numbers(labels)
            store = self._store()
            for number, carrier in numbers:
                await store.watch(number, carrier, at=self._clock())
        except Exception as exc:  # ShipStation resends a notice answered 503
            logger.warning("V1 %s notice deferred: %s", notice.resource_type, type(exc).__name__)
            return Verdict(503, "Try again later", (("retry-after", "60"),))
        logger.info("V1 %s notice: %d tracking number(s) kept", notice.resource_type, len(numbers))
        return Verdict(200, json.dumps({"status": "watched", "tracking_numbers": len(numbers)}))

    def _check_secret(self, headers: Headers) -> bool | Verdict:
        """Whether the delivery carries this install's secret (it then may start watching a number)."""
        expected = self.expected_secret()
        if expected is None:
            return False
        given = headers.get(SECRET_HEADER)
        if given is None:
            return NOT_FOUND
        if expected is UNUSABLE_SECRET:
            return Verdict(503, "Try again later", (("retry-after", "30"),))
        if not hmac.compare_digest(given.encode("utf-8", "replace"), expected.encode("utf-8")):
            logger.warning("Webhook rejected: wrong %s header", SECRET_HEADER)
            return Verdict(401, "Unauthorized")
        return True

    async def _check_signature_headers(
        self, headers: Headers, *, proven: bool
    ) -> tuple[rsa.RSAPublicKey, str, str] | Verdict | None:
        """The signing key, signature and timestamp to check the body against (None when checks are off)."""
        kid, signature, stamp = (headers.get(h) for h in (KEY_ID_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER))
        if self.settings.webhook_verify and not (kid and signature and stamp):
            return NOT_FOUND
        # After the cheap "is this addressed to us at all" checks: an unsigned probe learns nothing (404).
        declared = headers.get("content-length")
        if declared is not None and declared.strip().isdigit() and int(declared) > self._max_body:
            return Verdict(413, "Payload Too Large")
        if not self.settings.webhook_verify:
            return None
        assert kid and signature and stamp
        sent_at = parse_signature_timestamp(stamp)
        if sent_at is None or abs(self._clock() - sent_at) > self._tolerance:
            logger.warning("Webhook rejected: timestamp %s is more than 5 minutes off our clock", quoted(stamp, 64))
            return Verdict(400, "Stale or unreadable timestamp")
        assert self.jwks is not None
        key = await self.jwks.lookup(kid, proven=proven)  # before reading the body: random ids cost no memory
        if isinstance(key, rsa.RSAPublicKey):
            return key, signature, stamp
        if not self.jwks.available and not self.jwks.offline:
            # Our side's problem, not the sender's: ShipStation retries a 503, never a 401.
            logger.warning("Webhook deferred: the signing keys cannot be fetched (%s)", self.jwks.url)
            return Verdict(503, "Signing keys unavailable; try again later", (("retry-after", "30"),))
        if key is UNCHECKED:
            # Perhaps a key ShipStation just started using: a 401 would lose the update (it is never retried).
            logger.warning("Webhook deferred: signing key id %s is not known yet", quoted(kid, 64))
            return Verdict(503, "Unknown signing key; try again later", (("retry-after", "60"),))
        logger.warning("Webhook rejected: unknown signing key id %s", quoted(kid, 64))
        return Verdict(401, "Unauthorized")

    async def _accept(self, body: bytes, *, account_proven: bool) -> Verdict:
        """Parse, store and announce a delivery that passed every check."""
        try:
            payload = loads_limited(body)
        except TooDeep:
            # Signed, so ShipStation sent it: a 4xx it will not retry forever, and nothing stored.
            logger.warning("Webhook rejected: JSON nested deeper than %d levels", MAX_JSON_DEPTH)
            return Verdict(422, "The body nests too deeply")
        except (ValueError, UnicodeDecodeError):
            return Verdict(400, "The body is not JSON")
        try:
            event = tracking_event(payload, body, received_at=self._clock(), watch_if_new=account_proven)
            stored = await self._store().add_event(event)
        except NotTrackingUpdate as exc:
            logger.info("Webhook acknowledged and ignored: %s", exc)
            return Verdict(202, '{"status":"ignored"}')
        except UnstorableValue as exc:
            logger.warning("Webhook rejected: %s", exc)
            return Verdict(422, f"Cannot store this update: {exc}")
        except Exception:
            logger.exception("Could not store a tracking update; asking ShipStation to resend")
            return Verdict(503, "Try again later", (("retry-after", "30"),))
        if stored is None:
            logger.info("Duplicate tracking update for %s ignored", event.tracking_number)
            return Verdict(200, '{"status":"duplicate"}')
        logger.info(
            "Tracking update stored for %s: %s", event.tracking_number, event.status_description or event.status_code
        )
        if self._on_stored is not None:
            outcome = self._on_stored(stored)
            if outcome is not None:
                await outcome
        return Verdict(200, '{"status":"stored"}')


async def _respond(send: Send, verdict: Verdict) -> None:
    body = verdict.body.encode("utf-8")
    content_type = "application/json" if body.startswith(b"{") else "text/plain; charset=utf-8"
    headers = [
        (b"content-type", content_type.encode()),
        (b"content-length", str(len(body)).encode()),
        (b"cache-control", b"no-store"),
        *((k.encode(), v.encode()) for k, v in verdict.headers),
    ]
    await send({"type": "http.response.start", "status": verdict.status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
