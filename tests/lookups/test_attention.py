"""shipments_needing_attention on a mock account with every kind of problem: triage, ranking, reasons."""

from __future__ import annotations

import pytest
from mcp import Client

from shipstation_mcp.tools.server import create_server
from tests.support.fake_shipstation import NOW, FakeShipStation, event, hours_ago, tracking

pytestmark = pytest.mark.anyio

DAY = 24.0


def problem_account() -> FakeShipStation:
    fake = FakeShipStation()

    def add(label_id: str, status: str, *, created_days: float, last_scan_hours: float | None, **kw: object) -> None:
        number = f"1Z{label_id[3:].upper():0>16}"
        events = [event(hours_ago(last_scan_hours), "Scan", status)] if last_scan_hours is not None else []
        list_status = kw.pop("list_status", "in_transit")
        voided = bool(kw.pop("voided", False))
        info = tracking(number, status, events=events, **kw)  # type: ignore[arg-type]
        fake.add_label(
            label_id,
            number,
            created=hours_ago(created_days * DAY),
            tracking_status=str(list_status),
            info=info,
            voided=voided,
        )

    # Problems (expected rank in brackets)
    add("se-late", "IT", created_days=4, last_scan_hours=5, estimated=hours_ago(DAY))  # [7] past estimated
    add("se-stalled", "IT", created_days=6, last_scan_hours=100)  # [6] no scan for 4 days
    add("se-stalledlate", "IT", created_days=7, last_scan_hours=80, estimated=hours_ago(2 * DAY))  # [5] both
    add("se-unscanned", "NY", created_days=5, last_scan_hours=None)  # [4] never scanned
    add("se-attempt", "AT", created_days=4, last_scan_hours=20, detail="ATTEMPTED_DELIVERY")  # [3]
    add(
        "se-returned",
        "EX",
        created_days=8,
        last_scan_hours=30,
        detail="RETURN_TO_SENDER",
        exception="Returned to sender",
        list_status="error",
    )  # [2]
    add(
        "se-exception",
        "EX",
        created_days=3,
        last_scan_hours=10,
        detail="ADDRESS_QUERY",
        exception="Address incomplete",
        list_status="error",
    )  # [1]
    # Fine, skipped or unknowable
    add("se-fine", "IT", created_days=2, last_scan_hours=30, estimated=hours_ago(-DAY))
    add("se-fresh", "NY", created_days=1, last_scan_hours=None)  # not scanned yet, but only a day old
    add("se-nowdelivered", "DE", created_days=3, last_scan_hours=4)  # the list lags; tracking says delivered
    add("se-voided", "IT", created_days=3, last_scan_hours=200, voided=True)
    add("se-old", "EX", created_days=30, last_scan_hours=600)  # outside the default 14 days
    fake.add_label("se-gone", "1Z0000000000000GONE", created=hours_ago(3 * DAY))  # tracking answers 404
    for i in range(150):  # two more pages of delivered labels, never tracked
        fake.add_label(f"se-d{i}", f"1ZDELIVERED{i:07d}", created=hours_ago(5 * DAY), tracking_status="delivered")
    return fake


EXPECTED_ORDER = [
    ("se-exception", "exception"),
    ("se-returned", "returned_to_sender"),
    ("se-attempt", "delivery_attempt"),
    ("se-unscanned", "never_scanned"),
    ("se-stalledlate", "no_recent_scan"),
    ("se-stalled", "no_recent_scan"),
    ("se-late", "past_estimated_delivery"),
]


async def test_every_kind_of_problem_ranked_most_urgent_first() -> None:
    fake = problem_account()
    server = create_server(fake.settings(), transport=fake.transport(), clock=lambda: NOW)
    async with Client(server) as client:
        result = await client.call_tool("shipments_needing_attention", {})

    assert not result.is_error, result.content[0].text
    report = result.structured_content
    assert [(i["label_id"], i["problem"]) for i in report["items"]] == EXPECTED_ORDER
    assert [i["rank"] for i in report["items"]] == list(range(1, 8))
    by_id = {i["label_id"]: i for i in report["items"]}
    assert by_id["se-exception"]["reasons"] == ["Carrier reports an exception: “Address incomplete”"]
    assert any("ATTEMPTED" in r or "attempt" in r.lower() for r in by_id["se-attempt"]["reasons"])
    assert by_id["se-unscanned"]["reasons"] == [
        "Label created 5 days ago and the carrier has not scanned the package yet"
    ]
    assert by_id["se-stalled"]["reasons"] == ["No carrier scan for 4 days"]
    assert by_id["se-stalledlate"]["reasons"][0] == "No carrier scan for 3 days"
    assert by_id["se-stalledlate"]["reasons"][1].startswith("Past the estimated delivery date")
    assert by_id["se-late"]["reasons"][0].startswith("Past the estimated delivery date")

    assert report["headline"].startswith("7 of 161 packages shipped Wed 6 May 2026 – Wed 20 May 2026 need attention:")
    assert (
        "1 carrier exception, 1 returned to sender, 1 delivery attempt, 1 never scanned, 2 with no recent scan"
        in (report["headline"])
    )
    # 150 delivered + 13 others, less se-old (outside the period) and se-voided (label_status=completed asked)
    assert report["labels_checked"] == 161
    assert report["voided"] == 0
    assert report["delivered"] == 150
    assert report["tracked"] == 11
    assert report["could_not_check"] and report["could_not_check"][0].startswith("se-gone:")

    # Triage: delivered and voided labels were never tracked; labels were read a page (100) at a time.
    tracked = {r.url.path.split("/")[3] for r in fake.requests if r.url.path.endswith("/track")}
    assert not any(t.startswith("se-d") for t in tracked)
    assert "se-voided" not in tracked and "se-old" not in tracked
    assert fake.hits["labels"] == 2
    text = result.content[0].text
    assert "1. [carrier exception]" in text and "7. [past estimated delivery]" in text


async def test_thresholds_are_arguments() -> None:
    fake = problem_account()
    server = create_server(fake.settings(), transport=fake.transport(), clock=lambda: NOW)
    async with Client(server) as client:
        strict = await client.call_tool(
            "shipments_needing_attention", {"stalled_after_hours": 24, "unscanned_after_days": 0.5}
        )
    flagged = {i["label_id"]: i["problem"] for i in strict.structured_content["items"]}
    assert flagged["se-fine"] == "no_recent_scan"  # 30 h without a scan is over 24
    assert flagged["se-fresh"] == "never_scanned"  # a day old is over half a day


async def test_period_store_and_max_tracked() -> None:
    fake = problem_account()
    fake.shipments = {
        "se-sexception": {"shipment_id": "se-sexception", "store_id": "se-store1"},
        "se-slate": {"shipment_id": "se-slate", "store_id": "se-store1"},
        "se-sstalled": {"shipment_id": "se-sstalled", "store_id": "se-store2"},
    }
    server = create_server(fake.settings(), transport=fake.transport(), clock=lambda: NOW)
    async with Client(server) as client:
        store = await client.call_tool("shipments_needing_attention", {"store_id": "se-store1"})
        window = await client.call_tool(
            "shipments_needing_attention", {"since": "2026-05-15T00:00:00Z", "until": "2026-05-17"}
        )
        capped = await client.call_tool("shipments_needing_attention", {"max_tracked": 2})
        backwards = await client.call_tool(
            "shipments_needing_attention", {"since": "2026-05-17", "until": "2026-05-15"}
        )

    assert [i["label_id"] for i in store.structured_content["items"]] == ["se-exception", "se-late"]
    # 15 to 17 May: created 4 days (attempt, late) or 5 days (unscanned) before NOW; not 3 days (exception)
    assert {i["label_id"] for i in window.structured_content["items"]} == {
        "se-attempt",
        "se-late",
        "se-unscanned",
    }
    # max_tracked picks the labels the carrier flagged first (tracking_status "error"), then the oldest
    assert [i["label_id"] for i in capped.structured_content["items"]] == ["se-exception", "se-returned"]
    assert capped.structured_content["not_tracked"] == 9
    assert "max_tracked" in capped.structured_content["note"]
    assert backwards.is_error and "since is later than until" in backwards.content[0].text


async def test_empty_account_says_nothing_needs_attention() -> None:
    fake = FakeShipStation()
    server = create_server(fake.settings(), transport=fake.transport(), clock=lambda: NOW)
    async with Client(server) as client:
        result = await client.call_tool("shipments_needing_attention", {})
    assert result.structured_content["items"] == []
    assert result.structured_content["headline"].startswith("No package of the 0 shipped")


async def test_progress_counts_the_label_pages_then_each_tracked_label() -> None:
    fake = problem_account()
    server = create_server(fake.settings(), transport=fake.transport(), clock=lambda: NOW)
    seen: list[tuple[float, float | None]] = []

    async def on_progress(progress: float, total: float | None, message: str | None) -> None:
        seen.append((progress, total))

    async with Client(server) as client:
        await client.call_tool("shipments_needing_attention", {}, progress_callback=on_progress)
    assert seen[0] == (1, 1)  # the labels list was read
    assert [p for p, _ in seen[1:]] == list(range(2, 13))  # then 11 labels tracked, one by one
    assert {t for _, t in seen[1:]} == {12}


# ----------------------------------------------------------------------------- big accounts (issue 23)


async def test_a_period_larger_than_the_pages_read_names_the_part_read_not_the_whole_period() -> None:
    fake = problem_account()
    for i in range(1000):  # the period now holds 1,161 labels: only the oldest 1,000 are read
        fake.add_label(f"se-n{i}", f"1ZNEW{i:012d}", created=hours_ago(DAY / 2), tracking_status="delivered")
    server = create_server(fake.settings(), transport=fake.transport(), clock=lambda: NOW)
    async with Client(server) as client:
        result = await client.call_tool("shipments_needing_attention", {})
    report = result.structured_content
    assert report["complete"] is False
    headline = report["headline"]
    assert headline.startswith("7 of the 11 packages tracked need attention")
    assert "the oldest 1,000 of 1,161 labels created" in headline and "shipped" not in headline
    assert "Only the first 1000 labels" in report["note"]


async def test_the_whole_period_read_and_tracked_is_complete() -> None:
    fake = problem_account()
    server = create_server(fake.settings(), transport=fake.transport(), clock=lambda: NOW)
    async with Client(server) as client:
        full = (await client.call_tool("shipments_needing_attention", {})).structured_content
        part = (await client.call_tool("shipments_needing_attention", {"max_tracked": 3})).structured_content
    assert full["complete"] is True and full["headline"].startswith("7 of 161 packages shipped")
    assert part["complete"] is False and "tracked 3 of 11 not yet delivered among labels created" in part["headline"]


async def test_asking_the_same_question_again_reuses_the_cached_pages_and_tracking() -> None:
    fake = problem_account()
    server = create_server(fake.settings(), transport=fake.transport(), clock=lambda: NOW)
    async with Client(server) as client:
        first = await client.call_tool("shipments_needing_attention", {})
        sent = len(fake.requests)
        again = await client.call_tool("shipments_needing_attention", {})
    assert sent == 2 + 11 + 1 + 7  # two label pages, eleven labels tracked, the orders of the seven flagged
    assert len(fake.requests) == sent  # the default period's pages and the tracking all came from the cache
    assert again.structured_content["items"] == first.structured_content["items"]


async def test_a_spent_rate_budget_tracks_what_it_admits_and_says_so_instead_of_waiting() -> None:
    from shipstation_mcp.state.limiter import reset_shared_limiters

    fake = problem_account()
    # 20 a minute, 1 left for others: a budget of 19. The first call sends 13 requests, which leaves 6 (too few to
    # name the flagged packages' orders: that courtesy is left out rather than waited for).
    settings = fake.settings(api_key="test-key-spent-budget", rate_limit=20)
    server = create_server(settings, transport=fake.transport(), clock=lambda: NOW)
    try:
        async with Client(server) as client:
            await client.call_tool("shipments_needing_attention", {})
            again = await client.call_tool("shipments_needing_attention", {"refresh": True})
    finally:
        reset_shared_limiters()
    report = again.structured_content
    # The pages took 2 of the 6: four labels tracked now (the carrier-flagged first), seven left for later.
    assert report["tracked"] == 4 and report["not_tracked"] == 7 and report["complete"] is False
    assert len(fake.requests) == 13 + 2 + 4
    assert "earlier calls used the rate budget of this minute" in report["note"]
    assert "tracked 4 of 11 not yet delivered" in report["headline"]


def test_a_return_deep_in_the_history_is_queued_as_returned_to_sender() -> None:
    """The status says IT and the newest scans are ordinary; a 'Return to Sender' scan 30 scans down decides."""
    from shipstation_mcp.answers.tracking import summarize_tracking
    from shipstation_mcp.api.models import TrackingInfo
    from shipstation_mcp.lookups.attention import problems_of

    scans = [event(hours_ago(2 + i), "In Transit to Next Facility", "IT") for i in range(30)]
    scans.append(event(hours_ago(40), "Return to Sender - Insufficient Address", "IT"))
    info = TrackingInfo.model_validate(tracking("9400100000000000000099", "IT", carrier="stamps_com", events=scans))
    summary = summarize_tracking(info, now=NOW)
    kinds, reasons = problems_of(summary, None, now=NOW, stalled_after_hours=72.0, unscanned_after_days=2.0)
    assert kinds == ["returned_to_sender"]
    assert reasons[0].startswith("The carrier is returning it to the sender: “Return to Sender - Insufficient Address”")
