"""ShipStation's classic API (V1) webhooks at the receiver: unsigned notices accepted only with the install's secret
in the target URL, their resource fetched by us with the account's own credentials from an allow-listed V1 host
only, and the tracking numbers it lists kept on the watch list."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from shipstation_mcp.api.models import Label
from shipstation_mcp.config import LiveSettings, Settings
from shipstation_mcp.live.classic_hooks import resource_fetcher
from shipstation_mcp.live.receiver import JwksCache, WebhookReceiver
from shipstation_mcp.state.store import SQLiteEventStore

pytestmark = pytest.mark.anyio

NOW = datetime(2026, 5, 12, 15, 30, tzinfo=UTC)
SECRET = "install-secret-0123456789abcdef"
SHIP_NOTIFY = {
    "resource_type": "SHIP_NOTIFY",
    "resource_url": "https://ssapi11.shipstation.com/shipments?storeID=171654&includeShipmentItems=False",
}
V1 = Path(__file__).resolve().parents[3] / "shared" / "real-payloads" / "v1"


class Receiving:
    """A receiver with an in-memory store and a recording resource fetcher."""

    def __init__(self, labels: list[Label], *, secret: str | None = SECRET) -> None:
        self.labels = labels
        self.fetched: list[str] = []
        settings = LiveSettings(webhook_secret=secret, webhook_jwks_url="https://jwks.example.invalid/jwks")
        self.store: SQLiteEventStore | None = None
        jwks = JwksCache(settings.webhook_jwks_url, offline=True)
        self.receiver = WebhookReceiver(
            settings, lambda: self.store, jwks=jwks, clock=lambda: NOW, fetch_resource=self.fetch
        )

    async def fetch(self, url: str) -> list[Label]:
        self.fetched.append(url)
        return self.labels

    async def post(self, body: Any, *, query: str = f"?secret={SECRET}") -> httpx.Response:
        self.store = self.store or await SQLiteEventStore.open(None)
        transport = httpx.ASGITransport(app=self.receiver)
        async with httpx.AsyncClient(transport=transport, base_url="http://receiver.test") as http:
            content = body if isinstance(body, bytes) else json.dumps(body).encode()
            return await http.post(f"/webhooks/shipstation{query}", content=content)

    async def watched(self) -> dict[str, str | None]:
        assert self.store is not None
        return {s.tracking_number: s.carrier_code for s in await self.store.subscriptions()}


LABELS = [
    Label(label_id="1", tracking_number="9400111899562764298812", carrier_code="usps"),
    Label(label_id="2", tracking_number="1Z4X53V5032442XXXX", carrier_code="ups"),
    Label(label_id="3", tracking_number="9400111899562764290090", carrier_code="usps", voided=True),
]


async def test_a_ship_notice_with_the_secret_is_fetched_and_its_numbers_kept() -> None:
    hook = Receiving(LABELS)
    answer = await hook.post(SHIP_NOTIFY)
    assert answer.status_code == 200 and answer.json() == {"status": "watched", "tracking_numbers": 2}
    assert hook.fetched == [SHIP_NOTIFY["resource_url"]]
    assert await hook.watched() == {"9400111899562764298812": "usps", "1Z4X53V5032442XXXX": "ups"}  # not the voided


@pytest.mark.parametrize(
    ("query", "status"),
    [(f"?secret={SECRET}x", 401), ("?secret=", 401), ("", 404)],
    ids=["wrong secret", "empty secret", "no secret: a signed delivery is expected"],
)
async def test_a_notice_without_the_right_secret_is_refused_before_anything_is_fetched(query: str, status: int) -> None:
    hook = Receiving(LABELS)
    answer = await hook.post(SHIP_NOTIFY, query=query)
    assert answer.status_code == status
    assert hook.fetched == [] and await hook.watched() == {}


async def test_without_an_install_secret_no_v1_notice_can_be_proved() -> None:
    hook = Receiving(LABELS, secret=None)
    answer = await hook.post(SHIP_NOTIFY, query="?secret=anything")
    assert answer.status_code == 404 and hook.fetched == []


@pytest.mark.parametrize(
    "url",
    [
        "https://evil.example.com/shipments",
        "https://ssapi11.shipstation.com.evil.example.com/shipments",
        "http://ssapi11.shipstation.com/shipments",
        "https://user:pw@ssapi11.shipstation.com/shipments",
        "https://ssapi11.shipstation.com:8443/shipments",
        "https://ssapi11.shipstation.com/accounts/listtags",
        "https://ssapiX.shipstation.com/shipments",
        "https://api.shipstation.com/v2/labels",
    ],
)
async def test_a_resource_url_off_the_v1_hosts_is_never_fetched(url: str) -> None:
    hook = Receiving(LABELS)
    answer = await hook.post({"resource_type": "SHIP_NOTIFY", "resource_url": url})
    assert answer.status_code == 422 and "ssapi" in answer.text
    assert hook.fetched == []


@pytest.mark.parametrize(
    "body",
    [b"not json", {"resource_type": "TRACK", "resource_url": SHIP_NOTIFY["resource_url"]}, ["SHIP_NOTIFY"]],
    ids=["not json", "unknown event", "not an object"],
)
async def test_a_body_that_is_no_v1_notice_is_refused(body: Any) -> None:
    hook = Receiving(LABELS)
    answer = await hook.post(body)
    assert answer.status_code in (400, 422) and hook.fetched == []


async def test_an_order_notice_is_acknowledged_with_no_numbers() -> None:
    hook = Receiving([])
    answer = await hook.post(
        {"resource_type": "ORDER_NOTIFY", "resource_url": "https://ssapi13.shipstation.com/orders?importBatch=x"}
    )
    assert answer.status_code == 200 and answer.json()["tracking_numbers"] == 0


async def test_a_failed_fetch_asks_shipstation_to_resend() -> None:
    hook = Receiving(LABELS)

    async def broken(url: str) -> list[Label]:
        raise httpx.ConnectError("down")

    hook.receiver._fetch_resource = broken
    answer = await hook.post(SHIP_NOTIFY)
    assert answer.status_code == 503 and "retry-after" in answer.headers


async def test_the_fetcher_sends_the_account_credentials_to_the_named_v1_host_only() -> None:
    seen: list[httpx.Request] = []
    rows = {
        "shipments": [{"shipmentId": 7, "orderId": 9, "trackingNumber": "1Z999AA10123456784", "carrierCode": "ups"}]
    }

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=rows)

    settings = Settings(api_key="v1-key-123", api_secret="v1-secret-456", api="v1", max_retries=0)
    fetch = resource_fetcher(settings, transport=httpx.MockTransport(handle))
    assert fetch is not None
    labels = await fetch(SHIP_NOTIFY["resource_url"])
    assert [(lbl.tracking_number, lbl.carrier_code) for lbl in labels] == [("1Z999AA10123456784", "ups")]
    assert str(seen[0].url) == SHIP_NOTIFY["resource_url"]
    assert seen[0].headers["authorization"] == "Basic djEta2V5LTEyMzp2MS1zZWNyZXQtNDU2"  # v1-key-123:v1-secret-456
    assert resource_fetcher(Settings(api_key="k", api="v2")) is None  # V2 deliveries are signed and carry their data


@pytest.mark.skipif(not V1.is_dir(), reason="../shared/real-payloads/v1 is absent")
@pytest.mark.parametrize(
    ("name", "fetched"),
    [
        ("itemshipnotify_ssapiX_batch.json", False),  # a placeholder host: refused
        ("ordernotify_ssapi13_austonian.json", True),
        ("ordernotify_ssapi13_importbatch.json", True),
        ("shipnotify_ssapi11_storeid.json", True),
    ],
)
async def test_real_v1_notices_through_the_receiver(name: str, fetched: bool) -> None:
    notice = json.loads((V1 / "webhook" / name).read_text())
    hook = Receiving(LABELS[:1])
    answer = await hook.post(notice)
    assert (answer.status_code == 200) is fetched
    assert hook.fetched == ([notice["resource_url"]] if fetched else [])
