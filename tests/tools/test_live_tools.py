"""Live-tracking tools and the tracking resource through an in-memory MCP client; ShipStation mocked with httpx."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest
from mcp import Client

from shipstation_mcp.config import LiveSettings, Settings
from shipstation_mcp.live.receiver import CHALLENGE_HEADER, challenge_answer, tracking_event
from shipstation_mcp.state.store import SQLiteEventStore
from shipstation_mcp.tools.server import create_server
from tests.support.webhook_kit import body_of, payload

pytestmark = pytest.mark.anyio

NOW = datetime(2026, 5, 1, 14, 0, tzinfo=UTC)
V2_NUMBER = "1Z7W93X90378146521"
USPS_NUMBER = "9361289676090919095393"
SECRET = "webhook-shared-secret-0123456789"
Handler = Callable[[httpx.Request], httpx.Response]


class ShipStation:
    """Records requests and answers them with `handler`."""

    def __init__(self, handler: Handler | None = None) -> None:
        self.requests: list[httpx.Request] = []
        self.handler = handler or (lambda request: httpx.Response(204))

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return self.handler(request)


def make_server(shipstation: ShipStation, *, data_dir: Path | None = None, secret: str | None = None) -> Any:
    live = LiveSettings(data_dir=data_dir, webhook_secret=secret)
    settings = Settings(api_key="test-key", max_retries=0, live=live)
    return create_server(settings, transport=httpx.MockTransport(shipstation), clock=lambda: NOW)


async def store_update(server: Any, obj: dict[str, Any], *, received: datetime = NOW) -> None:
    stored = await (await server.live.ready()).add_event(tracking_event(obj, body_of(obj), received_at=received))
    assert stored is not None


# ----------------------------------------------------------------------------- subscribe / unsubscribe


def account_labels(request: httpx.Request) -> httpx.Response:
    """The account has a label with V2_NUMBER; everything else answers 204."""
    if request.url.path == "/v2/labels":
        label = {"label_id": "se-7", "tracking_number": V2_NUMBER, "carrier_code": "ups"}
        return httpx.Response(200, json={"labels": [label], "total": 1, "page": 1, "pages": 1})
    return httpx.Response(204)


async def test_subscribe_and_unsubscribe_also_record_the_watch_locally() -> None:
    shipstation = ShipStation(account_labels)
    server = make_server(shipstation)
    async with Client(server) as client:
        result = await client.call_tool(
            "subscribe_tracking", {"tracking_number": "1z7w 93x9-0378146521", "carrier_code": "UPS"}
        )
        assert not result.is_error
        assert result.structured_content["recorded_locally"] is True
        assert "get_tracking_updates" in result.structured_content["how_updates_arrive"]
        listed = await client.call_tool("list_tracked_packages", {})
        (package,) = listed.structured_content["packages"]
        assert package["tracking_number"] == V2_NUMBER and package["carrier_code"] == "ups"
        assert package["watching"] is True and package["started_by"] == "subscribe_tracking"

        await client.call_tool("unsubscribe_tracking", {"tracking_number": V2_NUMBER, "carrier_code": "ups"})
        listed = await client.call_tool("list_tracked_packages", {})
        (package,) = listed.structured_content["packages"]
        assert package["watching"] is False and package["stopped_because"] == "unsubscribed"
        active = await client.call_tool("list_tracked_packages", {"include_stopped": False})
        assert active.structured_content["packages"] == []
    assert [r.url.path for r in shipstation.requests] == ["/v2/tracking/start", "/v2/tracking/stop"]


async def test_failed_subscribe_records_nothing() -> None:
    server = make_server(ShipStation(lambda r: httpx.Response(400, json={"errors": [{"message": "bad carrier"}]})))
    async with Client(server) as client:
        result = await client.call_tool("subscribe_tracking", {"tracking_number": V2_NUMBER, "carrier_code": "ups"})
        assert result.is_error
        listed = await client.call_tool("list_tracked_packages", {})
        assert listed.structured_content["packages"] == []


# ----------------------------------------------------------------------------- updates


async def test_get_tracking_updates_summarises_each_update_like_track_results() -> None:
    server = make_server(ShipStation())
    async with Client(server) as client:
        await store_update(server, payload("webhook_api_track.json"), received=NOW - timedelta(hours=3))
        await store_update(server, payload("webhook_track_event_v2.json"), received=NOW - timedelta(hours=1))
        result = await client.call_tool("get_tracking_updates", {})
        assert not result.is_error
        data = result.structured_content
        assert [u["summary"]["tracking_number"] for u in data["updates"]] == [V2_NUMBER, USPS_NUMBER]
        v2, usps = (u["summary"] for u in data["updates"])
        assert (v2["status_code"], v2["detail_code"], v2["delivered"]) == ("IT", "OUT_FOR_DELIVERY", False)
        assert usps["delivered"] is True and usps["headline"].startswith("Delivered")
        assert data["updates"][1]["resource_type"] == "API_TRACK"
        assert data["headline"].startswith("2 update(s) received")
        text = result.content[0].text
        assert "Out For Delivery Today" in text and "Delivered, In/At Mailbox" in text

        one = await client.call_tool("get_tracking_updates", {"tracking_number": "9361 2896 7609 0919 0953 93"})
        assert [u["summary"]["tracking_number"] for u in one.structured_content["updates"]] == [USPS_NUMBER]

        recent = await client.call_tool("get_tracking_updates", {"since": (NOW - timedelta(hours=2)).isoformat()})
        assert [u["summary"]["tracking_number"] for u in recent.structured_content["updates"]] == [V2_NUMBER]

        limited = await client.call_tool("get_tracking_updates", {"limit": 1, "max_events": 0})
        assert len(limited.structured_content["updates"]) == 1
        assert limited.structured_content["more_updates"] == 1
        assert limited.structured_content["updates"][0]["summary"].get("events", []) == []


async def test_no_updates_says_what_to_check() -> None:
    server = make_server(ShipStation())
    async with Client(server) as client:
        result = await client.call_tool("get_tracking_updates", {"tracking_number": V2_NUMBER})
    assert result.structured_content["updates"] == []
    assert "setup_tracking_webhook" in result.structured_content["hint"]
    assert "shipstation-mcp webhooks" in result.content[0].text


async def test_bad_tracking_number_is_a_tool_error_saying_what_to_send() -> None:
    server = make_server(ShipStation())
    async with Client(server) as client:
        result = await client.call_tool("get_tracking_updates", {"tracking_number": "<script>"})
    assert result.is_error
    assert "tracking number" in result.content[0].text.lower()


async def test_tracked_packages_show_latest_status_and_when_it_changed() -> None:
    server = make_server(ShipStation())
    async with Client(server) as client:
        await store_update(server, payload("webhook_api_track.json"))
        listed = await client.call_tool("list_tracked_packages", {})
    (package,) = listed.structured_content["packages"]
    assert package["tracking_number"] == USPS_NUMBER
    assert package["status_code"] == "DE" and package["stopped_because"] == "delivered"
    assert package["status_changed_at"].startswith("2026-04-30T15:42")
    assert package["started_by"] == "webhook" and package["updates_received"] == 1
    assert "1 package(s) tracked, 0 still watched" in listed.content[0].text


async def test_tracking_resource_gives_the_latest_summary() -> None:
    server = make_server(ShipStation())
    async with Client(server) as client:
        before = json.loads((await client.read_resource(f"shipstation://tracking/{V2_NUMBER}")).contents[0].text)
        assert before["known"] is False
        await store_update(server, payload())
        after = json.loads((await client.read_resource(f"shipstation://tracking/{V2_NUMBER}")).contents[0].text)
    assert after["known"] is True
    assert after["summary"]["detail_code"] == "OUT_FOR_DELIVERY"
    assert after["headline"] == after["summary"]["headline"]


async def test_the_store_is_created_at_the_first_live_tracking_use_only(tmp_path: Path) -> None:
    server = make_server(ShipStation(), data_dir=tmp_path)
    store_file = tmp_path / "events.sqlite3"
    async with Client(server) as client:
        await client.call_tool("find_order", {"query": "10443"})  # a lookup (answered or not) needs no store
        await client.list_tools()
        assert not store_file.exists()
        result = await client.call_tool("list_tracked_packages", {})
        assert not result.is_error, result.content
        assert store_file.exists()


async def test_updates_written_by_another_process_reach_listening_clients(tmp_path: Path) -> None:
    """stdio mode: a separate `shipstation-mcp webhooks` process writes the shared store; the server notices."""
    server = make_server(ShipStation(), data_dir=tmp_path)
    server.live._poll_interval = 0.05
    async with Client(server) as client:
        uri = f"shipstation://tracking/{V2_NUMBER}"
        async with client.listen(resource_subscriptions=[uri]) as subscription:
            # The listen opens the server's store in the background, before or after this write: either way the
            # update is told. (Received now by the real clock, as a receiver stamps it, or the opening store's
            # retention would rightly drop it as months old.)
            other = await SQLiteEventStore.open(tmp_path / "events.sqlite3")
            try:
                obj = payload()
                await other.add_event(tracking_event(obj, body_of(obj), received_at=datetime.now(UTC)))
            finally:
                await other.aclose()
            with anyio.fail_after(5):
                event = await anext(aiter(subscription))
        assert event.uri == uri
        result = await client.call_tool("get_tracking_updates", {})
        assert len(result.structured_content["updates"]) == 1


# ----------------------------------------------------------------------------- webhooks


RECEIVER_HOST = "tracking.example.com"


def webhook_api(existing: list[dict[str, Any]], *, conflict: bool = False, secret: str = SECRET) -> ShipStation:
    """ShipStation's webhook endpoints, and at RECEIVER_HOST this install's receiver (answering its challenge)."""

    def handle(request: httpx.Request) -> httpx.Response:
        if request.url.host == RECEIVER_HOST:
            return httpx.Response(200, text=challenge_answer(secret, request.headers[CHALLENGE_HEADER]))
        if request.method == "POST" and request.url.path.endswith("/environment/webhooks"):
            if conflict:
                return httpx.Response(409, json={"errors": [{"message": "A webhook for track already exists"}]})
            body = json.loads(request.content)
            return httpx.Response(200, json={"webhook_id": "se-900", **body})
        if request.method == "GET" and request.url.path.endswith("/environment/webhooks"):
            return httpx.Response(200, json=existing)
        if request.method == "PUT":
            return httpx.Response(204)
        return httpx.Response(404)

    return ShipStation(handle)


async def test_setup_tracking_webhook_creates_it_with_the_secret_header() -> None:
    shipstation = webhook_api([])
    server = make_server(shipstation, secret=SECRET)
    async with Client(server) as client:
        result = await client.call_tool(
            "setup_tracking_webhook", {"url": "https://tracking.example.com/webhooks/shipstation"}
        )
    assert not result.is_error, result.content[0].text
    data = result.structured_content
    # V2 prefers track_event_v2 (tracking data inline); none existed, so one was created.
    assert (data["action"], data["webhook_id"], data["event"]) == ("created", "se-900", "track_event_v2")
    assert data["sends_secret_header"] is True
    assert SECRET not in json.dumps(data) and SECRET not in result.content[0].text
    # The URL proved it leads to the receiver, the account's webhooks were looked at, then the webhook was made.
    challenge, listing, request = shipstation.requests
    assert challenge.url.host == RECEIVER_HOST and SECRET not in str(challenge.headers) + challenge.content.decode()
    assert any("challenge" in note for note in data["notes"])
    assert (listing.method, request.method) == ("GET", "POST")
    assert json.loads(request.content) == {
        "event": "track_event_v2",
        "url": "https://tracking.example.com/webhooks/shipstation",
        "headers": [{"key": "X-Webhook-Secret", "value": SECRET}],
    }


async def test_setup_tracking_webhook_falls_back_to_track_when_v2_refuses_track_event_v2() -> None:
    def handle(request: httpx.Request) -> httpx.Response:
        if request.method == "GET":
            return httpx.Response(200, json=[])
        body = json.loads(request.content)
        if body["event"] == "track_event_v2":
            return httpx.Response(400, json={"errors": [{"message": "event must be one of ..."}]})
        return httpx.Response(200, json={"webhook_id": "se-901", **body})

    shipstation = ShipStation(handle)
    async with Client(make_server(shipstation)) as client:
        result = await client.call_tool("setup_tracking_webhook", {"url": "https://t.example.com/webhooks/shipstation"})
    assert not result.is_error, result.content[0].text
    assert (result.structured_content["event"], result.structured_content["webhook_id"]) == ("track", "se-901")
    posted = [json.loads(r.content)["event"] for r in shipstation.requests if r.method == "POST"]
    assert posted == ["track_event_v2", "track"]


async def test_setup_tracking_webhook_repoints_an_existing_tracking_webhook_instead_of_adding_one() -> None:
    existing = [{"webhook_id": "se-3", "event": "track", "url": "https://old.example/hook"}]
    shipstation = webhook_api(existing)
    async with Client(make_server(shipstation)) as client:
        result = await client.call_tool(
            "setup_tracking_webhook", {"url": "https://new.example.com/webhooks/shipstation"}
        )
    assert not result.is_error, result.content[0].text
    data = result.structured_content
    assert (data["action"], data["webhook_id"], data["event"]) == ("updated", "se-3", "track")
    assert [r.method for r in shipstation.requests] == ["GET", "PUT"]  # no second tracking webhook


async def test_setup_tracking_webhook_updates_the_existing_one_on_409() -> None:
    existing = [
        {"webhook_id": "se-1", "event": "batch", "url": "https://a.example/batch"},
        {"webhook_id": "se-2", "event": "track", "url": "https://old.example/hook"},
    ]
    shipstation = webhook_api(existing, conflict=True)
    server = make_server(shipstation)
    async with Client(server) as client:
        result = await client.call_tool(
            "setup_tracking_webhook", {"url": "https://new.example.com/webhooks/shipstation"}
        )
    assert not result.is_error, result.content[0].text
    assert result.structured_content["action"] == "updated"
    assert result.structured_content["webhook_id"] == "se-2"
    put = shipstation.requests[-1]
    assert (put.method, put.url.path) == ("PUT", "/v2/environment/webhooks/se-2")
    assert json.loads(put.content) == {"url": "https://new.example.com/webhooks/shipstation"}
    assert any("SHIPSTATION_WEBHOOK_SECRET" in note for note in result.structured_content["notes"])


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("http://127.0.0.1:8000/webhooks/shipstation", "cannot reach"),
        ("https://localhost/webhooks/shipstation", "cannot reach"),
        ("https://192.168.1.10/webhooks/shipstation", "cannot reach"),
        ("ftp://example.com/hook", "not an absolute http(s) URL"),
        ("https://user:pw@example.com/hook", "user name or password"),
    ],
)
async def test_setup_tracking_webhook_refuses_urls_shipstation_cannot_use(url: str, why: str) -> None:
    shipstation = webhook_api([])
    server = make_server(shipstation)
    async with Client(server) as client:
        result = await client.call_tool("setup_tracking_webhook", {"url": url})
    assert result.is_error
    assert why in result.content[0].text
    assert "tunnel" in result.content[0].text
    assert shipstation.requests == []


async def test_plain_http_url_is_refused_when_a_secret_would_travel_with_it() -> None:
    server = make_server(webhook_api([]), secret=SECRET)
    async with Client(server) as client:
        result = await client.call_tool(
            "setup_tracking_webhook", {"url": "http://hooks.example.com/webhooks/shipstation"}
        )
    assert result.is_error and "unencrypted" in result.content[0].text


async def test_a_url_whose_path_is_not_the_receivers_is_refused() -> None:
    shipstation = webhook_api([])
    server = make_server(shipstation)
    async with Client(server) as client:
        result = await client.call_tool("setup_tracking_webhook", {"url": "https://hooks.example.com/ss"})
    assert result.is_error and "/webhooks/shipstation" in result.content[0].text
    assert shipstation.requests == []


async def test_list_webhooks_says_when_no_webhook_delivers_tracking() -> None:
    server = make_server(webhook_api([{"webhook_id": "se-1", "event": "batch", "url": "https://a.example/b"}]))
    async with Client(server) as client:
        result = await client.call_tool("list_webhooks", {})
    assert "none for tracking" in result.structured_content["headline"]
    assert "setup_tracking_webhook" in result.structured_content["headline"]


async def test_list_webhooks_marks_the_one_reaching_this_receiver() -> None:
    hooks = [{"webhook_id": "se-2", "event": "track", "url": "https://t.example.com/webhooks/shipstation"}]
    server = make_server(webhook_api(hooks))
    async with Client(server) as client:
        result = await client.call_tool("list_webhooks", {})
    (row,) = result.structured_content["webhooks"]
    assert row["delivers_tracking"] is True and row["path_matches_receiver"] is True
