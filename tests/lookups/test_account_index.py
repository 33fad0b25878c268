"""The account index (issue 23, Build 3): filled a share of the budget at a time, then the support queue judges
every undelivered label of the period from it and from fresh pushes, asking the API only about the rest."""

from __future__ import annotations

import json
from typing import Any

import pytest

from shipstation_mcp.api.client import ShipStationClient
from shipstation_mcp.lookups.attention import shipments_needing_attention
from shipstation_mcp.lookups.index import sync_labels
from shipstation_mcp.state.account_index import account_index
from shipstation_mcp.state.cache import ResponseCache
from shipstation_mcp.state.store import IncomingEvent, SQLiteEventStore
from tests.state.conftest import postgres_server  # noqa: F401 - the fixture, for the PostgreSQL runs
from tests.state.test_store_conformance import reset_postgres
from tests.support.fake_shipstation import NOW, FakeShipStation, event, hours_ago, tracking

pytestmark = pytest.mark.anyio

DAY = 24.0


def number(i: int) -> str:
    return f"1Z999AA1{i:010d}"


def big_account(count: int) -> FakeShipStation:
    """`count` labels over the last 10 days: every third in transit (every 30th of those an exception), the rest
    delivered per the listing."""
    fake = FakeShipStation()
    for i in range(count):
        status = ("EX" if i % 30 == 0 else "IT") if i % 3 == 0 else "DE"
        info = tracking(number(i), status, events=[event(hours_ago(5), "Scan", status)])
        fake.add_label(
            f"se-{i}",
            number(i),
            created=hours_ago(DAY * 10 * (count - i) / count),
            tracking_status="delivered" if status == "DE" else "in_transit",
            info=info,
        )
    return fake


def push(i: int, status: str, *, hours: float = 1.0) -> IncomingEvent:
    """A tracking update ShipStation pushed about package i, received `hours` ago."""
    info = tracking(number(i), status, events=[event(hours_ago(hours + 1), "Scan", status)])
    return IncomingEvent(
        tracking_number=number(i),
        dedupe_key=f"push-{i}-{status}",
        payload=json.dumps({"resource_type": "API_TRACK", "data": info}),
        received_at=hours_ago(hours),
        carrier_code="ups",
        status_code=status,
        occurred_at=hours_ago(hours + 1),
    )


@pytest.fixture(params=["sqlite", "postgresql"])
async def event_store(request: pytest.FixtureRequest) -> Any:
    """An empty event store of each kind (the index lives in it)."""
    if request.param == "sqlite":
        yield SQLiteEventStore.open_sync(None)
        return
    from shipstation_mcp.state.postgres_store import PostgresEventStore

    url = request.getfixturevalue("postgres_server").url
    reset_postgres(url)
    store = await PostgresEventStore.open(url)
    yield store
    await store.aclose()


async def run(fake: FakeShipStation, work: Any) -> Any:
    async with ShipStationClient(fake.settings(), transport=fake.transport(), limiter=None, cache=ResponseCache()) as c:
        return await work(c)


async def test_the_index_fills_a_share_of_the_budget_per_sync_and_says_how_far_it_reaches(event_store: Any) -> None:
    fake = big_account(1000)  # 10 pages of 100
    index = account_index(event_store)
    since = hours_ago(14 * DAY)
    syncs = []
    for _ in range(3):  # 2 % of a 200 budget: 4 requests a sync
        syncs.append(await run(fake, lambda c: sync_labels(c, index, since=since, now=NOW, share=2.0)))
    assert [s.requests for s in syncs] == [4, 4, 3]  # an hour of overlap each time: 208 labels left, 3 pages
    assert [s.caught_up for s in syncs] == [False, False, True]
    assert syncs[-1].labels_from == since and syncs[-1].labels_through == NOW
    assert await index.count() == 1000
    again = await run(fake, lambda c: sync_labels(c, index, since=since, now=NOW, share=2.0))
    assert again.requests == 1 and again.caught_up  # the last hour again, one page


async def test_with_the_index_and_fresh_pushes_the_queue_judges_every_undelivered_label_without_tracking(
    event_store: Any,
) -> None:
    fake = big_account(600)
    for i in range(0, 600, 3):  # a fresh push for every undelivered package
        await event_store.add_event(push(i, "EX" if i % 30 == 0 else "IT"))
    index = account_index(event_store)

    async def queue(c: ShipStationClient) -> Any:
        return await shipments_needing_attention(c, now=NOW, index=index, index_share=100.0)

    report = await run(fake, queue)
    assert report.complete and report.tracked == 0 and report.not_tracked == 0
    assert fake.hits["labels/{id}/track"] == 0  # every package judged from its push
    assert report.delivered == 400 and len(report.items) == 20  # the 20 exceptions
    assert "judged 200 of 200 not yet delivered (200 from fresh pushes, 0 tracked)" in report.headline
    assert report.headline.startswith("20 of 600 packages shipped")


async def test_packages_without_a_fresh_push_are_tracked_and_a_pushed_delivery_is_not(event_store: Any) -> None:
    fake = big_account(300)
    await event_store.add_event(push(0, "DE"))  # the listing still says in transit; the push says delivered
    await event_store.add_event(push(3, "IT", hours=72))  # three days old: not fresh, tracked again
    for i in range(6, 300, 3):
        await event_store.add_event(push(i, "IT"))
    index = account_index(event_store)

    async def queue(c: ShipStationClient) -> Any:
        return await shipments_needing_attention(c, now=NOW, index=index, index_share=100.0)

    report = await run(fake, queue)
    assert fake.hits["labels/{id}/track"] == 1 and report.tracked == 1  # se-3 only
    assert report.delivered == 201 and report.complete
    assert "judged 99 of 99 not yet delivered (98 from fresh pushes, 1 tracked)" in report.headline


async def test_an_index_that_does_not_cover_the_period_yet_is_not_used_and_the_answer_says_so() -> None:
    fake = big_account(1000)
    index = account_index(SQLiteEventStore.open_sync(None))

    async def queue(c: ShipStationClient) -> Any:
        return await shipments_needing_attention(c, now=NOW, index=index, index_share=2.0)

    report = await run(fake, queue)
    assert report.note.startswith("The account index covers labels created")
    assert "This answer read the API instead." in report.note


def test_the_index_and_the_cache_bound_are_settings_with_clear_errors() -> None:
    from shipstation_mcp.config import ConfigError, load_settings

    base = {"SHIPSTATION_API_KEY": "k"}
    default = load_settings(base)
    assert default.index_share == 0.0 and default.cache_max_mb == 4.0  # no index unless asked for
    tuned = load_settings({**base, "SHIPSTATION_INDEX_SHARE": "10%", "SHIPSTATION_CACHE_MAX_MB": "64"})
    assert (tuned.index_share, tuned.cache_max_mb) == (10.0, 64.0)
    with pytest.raises(ConfigError, match="SHIPSTATION_INDEX_SHARE must be a percentage"):
        load_settings({**base, "SHIPSTATION_INDEX_SHARE": "150"})
    with pytest.raises(ConfigError, match="SHIPSTATION_CACHE_MAX_MB must be a number of megabytes"):
        load_settings({**base, "SHIPSTATION_CACHE_MAX_MB": "lots"})


async def test_the_tool_keeps_the_index_in_the_event_store_when_the_operator_turned_it_on(tmp_path: Any) -> None:
    from mcp import Client

    from shipstation_mcp.config import LiveSettings
    from shipstation_mcp.tools.server import create_server

    fake = big_account(300)
    settings = fake.settings(index_share=100.0, live=LiveSettings(data_dir=tmp_path))
    server = create_server(settings, transport=fake.transport(), clock=lambda: NOW)
    async with Client(server) as client:
        first = (await client.call_tool("shipments_needing_attention", {})).structured_content
        again = (await client.call_tool("shipments_needing_attention", {})).structured_content
        fresh = (await client.call_tool("shipments_needing_attention", {"refresh": True})).structured_content
    assert (tmp_path / "events.sqlite3").exists()
    assert first["complete"] and "0 from fresh pushes, 100 tracked" in first["headline"]
    # Asked again: the index is current (one page checked since the last sync); with refresh the period is read
    # again (a label voided since is seen), and the 100 undelivered are tracked again (there are no pushes).
    assert fake.hits["labels"] == 3 + 1 + 3 and again["tracked"] == fresh["tracked"] == 100
