"""The suite's one ShipStation account stand-in: in memory behind `httpx.MockTransport`, or served over HTTP on
127.0.0.1 (`serve()`) for a server running in a child process.

It answers the read endpoints the product uses (both API prefixes) from a few dicts, pages and filters `GET /labels`
like the real API, counts every request, and records any request whose URL leaves the API prefix so a test can
assert there were none. `answers` overrides the answer for a "METHOD /path" (an error, say). Faults that no answer
can make (resets, truncated bodies, slow answers) come from the socket-level fault server (`fault_server.py`).
"""

from __future__ import annotations

import asyncio
import heapq
import json
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import unquote

import httpx

from shipstation_mcp.config import Settings
from shipstation_mcp.times import parse_timestamp

NOW = datetime(2026, 5, 20, 12, 0, tzinfo=UTC)


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def event(when: datetime, description: str, code: str = "IT", *, city: str = "MEMPHIS", detail: str | None = None):
    out: dict[str, Any] = {
        "occurred_at": iso(when),
        "description": description,
        "city_locality": city,
        "state_province": "TN",
        "country_code": "US",
        "status_code": code,
    }
    if detail:
        out["status_detail_code"] = detail
    return out


def tracking(
    number: str,
    status: str,
    *,
    carrier: str = "ups",
    events: list[dict[str, Any]] | None = None,
    estimated: datetime | None = None,
    detail: str | None = None,
    exception: str | None = None,
    delivered_at: datetime | None = None,
) -> dict[str, Any]:
    return {
        "tracking_number": number,
        "carrier_code": carrier,
        "status_code": status,
        "status_detail_code": detail,
        "exception_description": exception,
        "estimated_delivery_date": iso(estimated) if estimated else None,
        "actual_delivery_date": iso(delivered_at) if delivered_at else None,
        "tracking_url": f"https://track.example/{number}",
        "events": events or [],
    }


@dataclass
class FakeShipStation:
    """The account's data, and the transport that serves it."""

    api: str = "v2"
    host: str = "https://api.shipstation.com"
    labels: list[dict[str, Any]] = field(default_factory=list)
    label_tracking: dict[str, dict[str, Any]] = field(default_factory=dict)
    number_tracking: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    shipments: dict[str, dict[str, Any]] = field(default_factory=dict)
    carriers: list[dict[str, Any]] = field(
        default_factory=lambda: [{"carrier_id": "se-1", "carrier_code": "ups", "friendly_name": "UPS"}]
    )
    answers: dict[str, tuple[int, Any]] = field(default_factory=dict)
    requests: list[httpx.Request] = field(default_factory=list)
    off_prefix: list[str] = field(default_factory=list)
    hits: Counter[str] = field(default_factory=Counter)

    @property
    def prefix(self) -> str:
        return "/v2" if self.api == "v2" else "/v1"

    def settings(self, api_key: str = "test-key-bulk", **overrides: Any) -> Settings:
        values: dict[str, Any] = {"api_key": api_key, "api": self.api, "rate_limit": 100_000, "max_retries": 0}
        values.update(overrides)
        return Settings(**values)

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)

    @contextmanager
    def serve(self) -> Iterator[str]:
        """Serve this account over HTTP on 127.0.0.1 until the block ends; yields its base URL."""
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                request = httpx.Request(
                    self.command,
                    f"{base_url}{self.path}",
                    headers=list(self.headers.items()),
                    content=self.rfile.read(length) if length else b"",
                )
                response = fake.handle(request)
                self.send_response(response.status_code)
                for name, value in response.headers.items():
                    if name.lower() not in {"content-length", "transfer-encoding", "connection"}:
                        self.send_header(name, value)
                self.send_header("Content-Length", str(len(response.content)))
                self.end_headers()
                self.wfile.write(response.content)

            do_GET = do_POST = do_PUT = do_DELETE = _answer

            def log_message(self, *_: object) -> None:
                pass

        httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        base_url = f"http://127.0.0.1:{httpd.server_address[1]}"
        self.host = "http://127.0.0.1"
        thread = threading.Thread(target=httpd.serve_forever, daemon=True)
        thread.start()
        try:
            yield base_url
        finally:
            httpd.shutdown()
            httpd.server_close()

    # ------------------------------------------------------------------ data helpers

    def add_label(
        self,
        label_id: str,
        number: str,
        *,
        created: datetime,
        tracking_status: str = "in_transit",
        info: dict[str, Any] | None = None,
        shipment_id: str | None = None,
        carrier: str = "ups",
        voided: bool = False,
    ) -> None:
        self.labels.append(
            {
                "label_id": label_id,
                "status": "voided" if voided else "completed",
                "voided": voided,
                "shipment_id": shipment_id or f"se-s{label_id[3:]}",
                "created_at": iso(created),
                "ship_date": iso(created),
                "tracking_number": number,
                "tracking_status": tracking_status,
                "carrier_code": carrier,
                "tracking_url": f"https://track.example/{number}",
            }
        )
        if info is not None:
            self.label_tracking[label_id] = info

    # ------------------------------------------------------------------ HTTP

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        url = request.url
        path = url.raw_path.decode("ascii").split("?")[0]
        dot_segment = any(part in {".", ".."} for part in path.split("/"))
        if f"{url.scheme}://{url.host}" != self.host or not path.startswith(self.prefix + "/") or dot_segment:
            self.off_prefix.append(str(url))
            return httpx.Response(400, json={"errors": [{"message": "outside the API prefix"}]})
        if f"{request.method} {path}" in self.answers:
            status, body = self.answers[f"{request.method} {path}"]
            return httpx.Response(status, json=body)
        segments = [unquote(p) for p in path.split("/")[2:]]
        key = "/".join(segments[:1] + (["{id}"] if len(segments) > 1 else []) + segments[2:])
        self.hits[key] += 1
        q = url.params
        if request.method != "GET":
            if segments[:1] == ["tracking"]:
                return httpx.Response(204)
            if segments[:2] == ["environment", "webhooks"]:
                return httpx.Response(201, json={"webhook_id": "se-w1", "url": "https://x.example", "event": "track"})
            return httpx.Response(405)
        match segments:
            case ["labels"]:
                return self._labels(q)
            case ["labels", label_id]:
                label = next((lb for lb in self.labels if lb["label_id"] == label_id), None)
                return _json(label) if label else _not_found()
            case ["labels", label_id, "track"]:
                info = self.label_tracking.get(label_id)
                return _json(info) if info else _not_found()
            case ["tracking"]:
                info = self.number_tracking.get((q.get("carrier_code", ""), q.get("tracking_number", "")))
                return _json(info) if info else _not_found()
            case ["shipments"]:
                return self._shipments(q)
            case ["shipments", "external_shipment_id", external]:
                found = next((s for s in self.shipments.values() if s.get("external_shipment_id") == external), None)
                return _json(found) if found else _not_found()
            case ["shipments", shipment_id]:
                found = self.shipments.get(shipment_id)
                return _json(found) if found else _not_found()
            case ["carriers"]:
                return _json({"carriers": self.carriers})
            case ["environment", "webhooks"]:
                return _json([])
        return _not_found()

    def _labels(self, q: httpx.QueryParams) -> httpx.Response:
        rows = list(self.labels)
        if "tracking_number" in q:
            rows = [r for r in rows if r["tracking_number"] == q["tracking_number"]]
        if "shipment_id" in q:
            rows = [r for r in rows if r["shipment_id"] == q["shipment_id"]]
        if "label_status" in q:
            rows = [r for r in rows if r["status"] == q["label_status"]]
        start, end = parse_timestamp(q.get("created_at_start")), parse_timestamp(q.get("created_at_end"))
        if start:
            rows = [r for r in rows if parse_timestamp(r["created_at"]) >= start]
        if end:
            rows = [r for r in rows if parse_timestamp(r["created_at"]) <= end]
        rows.sort(key=lambda r: r["created_at"], reverse=q.get("sort_dir") == "desc")
        return _page(rows, q, "labels")

    def _shipments(self, q: httpx.QueryParams) -> httpx.Response:
        rows = list(self.shipments.values())
        if "store_id" in q:
            rows = [r for r in rows if r.get("store_id") == q["store_id"]]
        if "shipment_number" in q:
            rows = [r for r in rows if r.get("shipment_number") == q["shipment_number"]]
        return _page(rows, q, "shipments")


def _page(rows: list[dict[str, Any]], q: httpx.QueryParams, name: str) -> httpx.Response:
    size = max(1, int(q.get("page_size", "25")))
    page = max(1, int(q.get("page", "1")))
    pages = max(1, -(-len(rows) // size))
    return _json({name: rows[(page - 1) * size : page * size], "total": len(rows), "page": page, "pages": pages})


def _json(data: Any) -> httpx.Response:
    return httpx.Response(200, content=json.dumps(data).encode(), headers={"content-type": "application/json"})


def _not_found() -> httpx.Response:
    return httpx.Response(
        404,
        json={
            "request_id": "req-404",
            "errors": [{"error_source": "shipstation", "error_type": "validation", "message": "not found"}],
        },
    )


class VirtualTime:
    """A clock that only moves when someone sleeps: tests see the limiter's waits without waiting."""

    def __init__(self) -> None:
        self.now = 0.0

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += max(0.0, seconds)
        await asyncio.sleep(0)


def hours_ago(hours: float) -> datetime:
    return NOW - timedelta(hours=hours)


class Timeline:
    """A virtual clock with a scheduler: concurrent sleepers wake in time order, and time only moves once every
    task is asleep, so many requests in flight at once see the same timeline a real clock would give them."""

    SETTLE = 8
    """Event-loop turns given to woken tasks before the next sleeper wakes (a wake-up chain here is ≤ 4 deep)."""

    def __init__(self) -> None:
        self.now = 0.0
        self._sleepers: list[tuple[float, int, asyncio.Future[None]]] = []
        self._count = 0

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        await self.sleep_until(self.now + max(0.0, seconds))

    async def sleep_until(self, moment: float) -> None:
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._count += 1
        heapq.heappush(self._sleepers, (max(moment, self.now), self._count, future))
        await future

    async def run(self, coroutines: list[Any]) -> None:
        tasks = [asyncio.ensure_future(c) for c in coroutines]
        try:
            while True:
                for _ in range(self.SETTLE):
                    await asyncio.sleep(0)
                if all(task.done() for task in tasks):
                    break
                if not self._sleepers:
                    raise AssertionError("every task waits and nobody sleeps: a deadlock")
                moment, _, future = heapq.heappop(self._sleepers)
                if future.done():  # its sleeper was cancelled (a lookup that lost a race)
                    continue
                self.now = max(self.now, moment)
                future.set_result(None)
        finally:
            for task in tasks:
                task.cancel()
        await asyncio.gather(*tasks)
