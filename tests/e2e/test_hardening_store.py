"""Inputs that used to poison the store or the receiver, against a real `shipstation-mcp webhooks` process on
127.0.0.1 and the store it writes: year-0001 scans, floods of genuinely signed updates for numbers this account
never watched, a missing or wrong webhook secret, deeply nested JSON, unstorable text, opening races."""

from __future__ import annotations

import contextlib
import json
import select
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from mcp import Client

from shipstation_mcp.config import LiveSettings, Settings, ensure_webhook_secret
from shipstation_mcp.live.receiver import CHALLENGE_HEADER, JwksCache, challenge_answer, tracking_event
from shipstation_mcp.state.store import MAX_UNWATCHED_EVENTS, UNWATCHED_SLACK, IncomingEvent, SQLiteEventStore
from shipstation_mcp.tools.server import create_server
from tests.support.hardening_kit import ROOT, base_env, server_process
from tests.support.webhook_kit import SigningKey, body_of, eventually, jwks_server, payload

pytestmark = pytest.mark.anyio

KEY = SigningKey("kid-hardening")
PATH = "/webhooks/shipstation"
NUMBER = "1Z7W93X90378146521"


FLOOD_THROUGH_HTTP = 60


async def post(url: str, body: bytes, headers: dict[str, str]) -> httpx.Response:
    async with httpx.AsyncClient(timeout=10) as http:
        return await http.post(url, content=body, headers=headers)


def counts(data_dir: Path) -> tuple[int, int]:
    with sqlite3.connect(data_dir / "events.sqlite3") as conn:
        return (
            conn.execute("SELECT COUNT(*) FROM events").fetchone()[0],
            conn.execute("SELECT COUNT(*) FROM subscriptions").fetchone()[0],
        )


def year_one_update() -> dict[str, Any]:
    update = payload()
    for scan in update["data"]["events"]:
        scan["occurred_at"] = "0001-01-01T00:00:00Z"
    update["data"]["actual_delivery_date"] = "0001-01-01T00:00:00Z"
    return update


async def read_everything(data_dir: Path) -> list[Any]:
    """Every read tool and the resource, on a server over the same data folder; each must answer, not fail."""
    settings = Settings(api_key="test-key", live=LiveSettings(data_dir=data_dir))
    server = create_server(settings, transport=httpx.MockTransport(lambda r: httpx.Response(500)))
    async with Client(server) as client:
        listed = await client.call_tool("list_tracked_packages", {})
        updates = await client.call_tool("get_tracking_updates", {})
        one = await client.call_tool("get_tracking_updates", {"tracking_number": NUMBER})
        resource = await client.read_resource(f"shipstation://tracking/{NUMBER}")
    for result in (listed, updates, one):
        assert not result.is_error, result.content[0].text
    return [listed.structured_content, updates.structured_content, one.structured_content, resource]


async def test_a_year_0001_scan_is_stored_readable_and_survives_a_restart(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    secret = ensure_webhook_secret(LiveSettings(data_dir=data))
    assert secret
    with jwks_server(KEY) as keys:
        env = base_env(tmp_path, SHIPSTATION_WEBHOOK_JWKS_URL=keys.url)
        body = body_of(year_one_update())
        headers = {**KEY.headers(body), "X-Webhook-Secret": secret}
        with server_process(["webhooks"], env, ready_path=PATH, log=tmp_path / "r1.log") as receiver:
            first = await post(receiver.base + PATH, body, headers)
        assert first.status_code == 200 and first.json() == {"status": "stored"}
        listed, updates, one, resource = await read_everything(data)
        assert listed["packages"][0]["tracking_number"] == NUMBER
        assert updates["total"] == 1 and one["total"] == 1
        assert '"known": true' in resource.contents[0].text
        with server_process(["webhooks"], env, ready_path=PATH, log=tmp_path / "r2.log") as receiver:
            again = await post(receiver.base + PATH, body, headers)
        assert again.status_code == 200 and again.json() == {"status": "duplicate"}
    assert counts(data) == (1, 1)
    await read_everything(data)


async def test_a_store_written_with_unpadded_years_is_repaired_on_open(tmp_path: Path) -> None:
    store = await SQLiteEventStore.open(tmp_path / "events.sqlite3")
    await store.add_event(
        IncomingEvent(
            tracking_number=NUMBER,
            dedupe_key="k",
            payload=json.dumps(year_one_update()),
            received_at=datetime(2026, 5, 1, tzinfo=UTC),
            occurred_at=datetime(1, 1, 1, tzinfo=UTC),
        )
    )
    await store.aclose()
    with sqlite3.connect(tmp_path / "events.sqlite3") as conn:  # as version 1 wrote it
        conn.execute("UPDATE events SET occurred_at = '1-01-01T00:00:00.000000Z'")
        conn.execute("UPDATE subscriptions SET last_event_at = '1-01-01T00:00:00.000000Z'")
        conn.execute("PRAGMA user_version = 1")
    reopened = await SQLiteEventStore.open(tmp_path / "events.sqlite3")
    latest = await reopened.latest_event(NUMBER)
    subs = await reopened.subscriptions()
    await reopened.aclose()
    assert latest is not None and latest.occurred_at == datetime(1, 1, 1, tzinfo=UTC)
    assert subs[0].last_event_at == datetime(1, 1, 1, tzinfo=UTC)


def an_unsigned_request_declaring_a_huge_body_learns_nothing(port: int) -> None:
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(f"POST {PATH} HTTP/1.1\r\nHost: x\r\nContent-Length: {50 * 1024 * 1024}\r\n\r\n".encode())
        answer = sock.recv(4096)
    assert answer.startswith(b"HTTP/1.1 404"), answer[:80]


async def test_unstorable_text_deep_nesting_or_an_unsigned_huge_body_get_4xx_and_nothing_is_stored(
    tmp_path: Path, subtests: pytest.Subtests
) -> None:
    """One receiver for both subtests: a lone surrogate in the status text is cleaned and stored, deep nesting gets
    422, and a genuine delivery after them is stored; then an unsigned request declaring a huge body gets 404 before
    sending any of it."""
    data = tmp_path / "data"
    surrogate = body_of(payload()).replace(b'"status_description": "', b'"status_description": "\\ud800', 1)
    assert b"\\ud800" in surrogate
    nested = b'{"resource_type": "API_TRACK", "data": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    with jwks_server(KEY) as keys:
        env = base_env(tmp_path, SHIPSTATION_WEBHOOK_JWKS_URL=keys.url)
        with server_process(["webhooks"], env, ready_path=PATH, log=tmp_path / "r.log") as receiver:
            answers = [await post(receiver.base + PATH, body, KEY.headers(body)) for body in (surrogate, nested)]
            fine = await post(receiver.base + PATH, body_of(payload()), KEY.headers(body_of(payload())))
            with subtests.test("an unsigned request declaring a huge body learns nothing"):
                an_unsigned_request_declaring_a_huge_body_learns_nothing(receiver.port)
    with subtests.test("a lone surrogate is cleaned and stored; deep nesting gets 422 and nothing is stored"):
        # The surrogate sits in ShipStation's generic status text, which the reading cleans like all outside text
        # (a lone surrogate becomes a space): the update itself is genuine and kept.
        assert [a.status_code for a in answers] == [200, 422]
        assert "Traceback" not in receiver.stderr()
        assert fine.status_code == 200  # the receiver is still up and well
        assert counts(data)[0] == 2


async def test_a_flood_of_signed_updates_for_unwatched_numbers_never_grows_the_watched_list(tmp_path: Path) -> None:
    """A signature proves ShipStation sent it, not that it is this account's: without the account's secret, such
    updates are kept apart and bounded. Through the real receiver for a few hundred, then the store for 20,000."""
    data = tmp_path / "data"
    with jwks_server(KEY) as keys:
        env = base_env(tmp_path, SHIPSTATION_WEBHOOK_JWKS_URL=keys.url)
        with server_process(["webhooks"], env, ready_path=PATH, log=tmp_path / "r.log") as receiver:
            started = time.monotonic()
            for n in range(FLOOD_THROUGH_HTTP):
                body = body_of(payload(tracking_number=f"1ZFLOOD{n:011d}"))
                assert (await post(receiver.base + PATH, body, KEY.headers(body))).status_code == 200
            print(f"{FLOOD_THROUGH_HTTP} deliveries in {time.monotonic() - started:.1f} s")
    assert counts(data) == (FLOOD_THROUGH_HTTP, 0)

    # The same rule in the store, for 20,000 (in memory: fsync per commit is not what is measured here).
    store = await SQLiteEventStore.open(None)
    await store.watch(NUMBER, "ups", at=datetime(2026, 5, 1, tzinfo=UTC))
    started = time.monotonic()
    for n in range(20_000):
        store._add_event(  # the synchronous body of add_event: 20,000 thread hops would only add minutes
            IncomingEvent(
                tracking_number=f"1ZFLOOD{n:011d}",
                dedupe_key=str(n),
                payload="{}",
                received_at=datetime(2026, 5, 1, tzinfo=UTC) + timedelta(seconds=n),
                watch_if_new=False,
            )
        )
    flood_seconds = time.monotonic() - started
    print(f"20,000 unwatched updates stored in {flood_seconds:.1f} s")
    page = await store.subscription_page()
    updates = await store.events()
    kept = store._conn.execute("SELECT COUNT(*) FROM events").fetchone()[0]
    await store.aclose()
    assert page.total == 1 and [s.tracking_number for s in page.subscriptions] == [NUMBER]
    assert updates.total == 0  # the held-apart updates stay out of the unfiltered list
    assert MAX_UNWATCHED_EVENTS <= kept <= MAX_UNWATCHED_EVENTS + UNWATCHED_SLACK
    assert flood_seconds < 30


async def test_with_the_secret_stored_a_missing_or_wrong_header_stores_nothing(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    with jwks_server(KEY) as keys:
        env = base_env(tmp_path, SHIPSTATION_WEBHOOK_JWKS_URL=keys.url)
        with server_process(["webhooks"], env, ready_path=PATH, log=tmp_path / "r.log") as receiver:
            secret = ensure_webhook_secret(LiveSettings(data_dir=data))  # as setup_tracking_webhook does, later
            assert secret
            body = body_of(payload())
            signed = KEY.headers(body)
            missing = await post(receiver.base + PATH, body, signed)
            wrong = await post(receiver.base + PATH, body, {**signed, "X-Webhook-Secret": "x" * 43})
            assert (missing.status_code, wrong.status_code) == (404, 401)
            assert counts(data) == (0, 0)
            right = await post(receiver.base + PATH, body, {**signed, "X-Webhook-Secret": secret})
        log = receiver.stderr()
    assert right.status_code == 200
    assert counts(data) == (1, 1)  # proven to be this account's: it may start watching
    assert secret not in log


# Imports the store, says it is ready, then opens the store at the moment the test sends: asleep until just before
# it, then spinning, so that both children are on a CPU when it comes.
OPEN_ONE = """
import sys, time
from pathlib import Path
from shipstation_mcp.state.store import SQLiteEventStore
print("ready", flush=True)
start = float(sys.stdin.readline())
time.sleep(max(0.0, start - time.time() - 0.02))
while time.time() < start:
    pass
SQLiteEventStore.open_sync(Path(sys.argv[1])).aclose
print("ok")
"""


def first_line(child: subprocess.Popen[str], within: float = 30.0) -> str:
    assert child.stdout is not None
    readable, _, _ = select.select([child.stdout], [], [], within)
    return child.stdout.readline() if readable else ""


@pytest.mark.parametrize("round_", range(3))
def test_two_processes_opening_a_fresh_store_at_once_both_succeed(tmp_path: Path, round_: int) -> None:
    path = tmp_path / f"fresh-{round_}" / "events.sqlite3"
    children = [
        subprocess.Popen(
            [sys.executable, "-c", OPEN_ONE, str(path)],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={"PYTHONPATH": str(ROOT), "PATH": ""},
        )
        for _ in range(2)
    ]
    ready = [first_line(child) for child in children]
    start = time.time() + 0.2  # both have imported the store: time enough for each to be spinning when it comes
    for child in children:
        assert child.stdin is not None
        with contextlib.suppress(BrokenPipeError):  # a child that failed says why below
            child.stdin.write(f"{start}\n")
            child.stdin.flush()
    outputs = [child.communicate(timeout=30) for child in children]
    assert [child.returncode for child in children] == [0, 0], outputs
    assert ready == ["ready\n", "ready\n"]
    assert all(out.strip() == "ok" for out, _ in outputs)


def test_a_key_with_a_non_ascii_character_is_a_one_line_settings_error(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "shipstation_mcp", "track", "1Z999AA10123456784"],
        cwd=tmp_path,
        env={**base_env(tmp_path), "SHIPSTATION_API_KEY": "abc\u2013def-0123456789"},
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode == 2
    assert len(done.stderr.strip().splitlines()) == 1 and "SHIPSTATION_API_KEY" in done.stderr
    assert "abc" not in done.stderr


@pytest.mark.parametrize(
    "url",
    [
        "https://0x7f000001/webhooks/shipstation",
        "https://2130706433/webhooks/shipstation",
        "https://100.64.0.1/webhooks/shipstation",
        "https://metadata.google.internal/webhooks/shipstation",
        "https://[::ffff:127.0.0.1]/webhooks/shipstation",
    ],
)
async def test_setup_tracking_webhook_refuses_disguised_private_addresses(tmp_path: Path, url: str) -> None:
    asked: list[httpx.Request] = []
    settings = Settings(api_key="test-key", live=LiveSettings(data_dir=tmp_path))
    server = create_server(settings, transport=httpx.MockTransport(lambda r: asked.append(r) or httpx.Response(500)))
    async with Client(server) as client:
        result = await client.call_tool("setup_tracking_webhook", {"url": url})
    assert result.is_error and "cannot reach" in result.content[0].text
    assert asked == []
    assert not (tmp_path / "webhook-secret").exists()  # a refused URL leaves nothing behind


async def test_setup_tracking_webhook_registers_and_keeps_a_per_install_secret(tmp_path: Path) -> None:
    sent: list[dict[str, Any]] = []

    def api(request: httpx.Request) -> httpx.Response:
        if request.url.host == "t.example.com":  # the receiver, through its public URL: it holds the secret
            secret = (tmp_path / "webhook-secret").read_text().strip()
            return httpx.Response(200, text=challenge_answer(secret, request.headers[CHALLENGE_HEADER]))
        sent.append(json.loads(request.content))
        return httpx.Response(200, json={"webhook_id": "se-1", "event": "track", "url": sent[-1]["url"]})

    settings = Settings(api_key="test-key", live=LiveSettings(data_dir=tmp_path))
    server = create_server(settings, transport=httpx.MockTransport(api))
    async with Client(server) as client:
        result = await client.call_tool("setup_tracking_webhook", {"url": "https://t.example.com/webhooks/shipstation"})
    secret = (tmp_path / "webhook-secret").read_text().strip()
    assert not result.is_error and result.structured_content["sends_secret_header"] is True
    assert sent[0]["headers"] == [{"key": "X-Webhook-Secret", "value": secret}]
    assert secret not in result.content[0].text and secret not in json.dumps(result.structured_content)
    assert (tmp_path / "webhook-secret").stat().st_mode & 0o077 == 0


# ----------------------------------------------------------------------------- the key set misbehaving


class KeySetServer:
    """A JWKS URL on 127.0.0.1 whose answer the test changes: good keys, deeply nested JSON, or a dripped body."""

    def __init__(self) -> None:
        self.answer = b"{}"
        self.drip = False
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                body = outer.answer
                self.send_response(200)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                if outer.drip:
                    for byte in body[:30]:
                        self.wfile.write(bytes([byte]))
                        self.wfile.flush()
                        time.sleep(1)
                else:
                    self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/jwks"
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)

    def good(self) -> None:
        self.answer = json.dumps({"keys": [KEY.jwk()]}).encode()

    def __enter__(self) -> KeySetServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()


async def test_a_deeply_nested_key_set_is_ignored_and_the_receiver_keeps_running(tmp_path: Path) -> None:
    with KeySetServer() as keys:
        keys.answer = b'{"keys": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
        env = base_env(tmp_path, SHIPSTATION_WEBHOOK_JWKS_URL=keys.url)
        with server_process(["webhooks"], env, ready_path=PATH, log=tmp_path / "r.log") as receiver:
            await eventually(lambda: "deeper than" in receiver.stderr(), within=10)
            async with httpx.AsyncClient(timeout=10) as http:
                alive = await http.get(receiver.base + PATH)
            keys.good()  # the key set recovers; the first unknown key id fetches it again
            body = body_of(payload())
            later = await post(receiver.base + PATH, body, KEY.headers(body))
            assert receiver.child.poll() is None
        log = receiver.stderr()
    assert "deeper than" in log and "Traceback" not in log  # logged and ignored
    assert alive.status_code == 405  # still serving
    assert later.status_code == 200


async def test_a_dripped_key_set_fetch_is_cut_at_its_deadline() -> None:
    with KeySetServer() as keys:
        keys.good()
        keys.drip = True
        cache = JwksCache(keys.url, fetch_timeout=1.0, refresh_interval=3600)
        async with cache.running():
            started = time.monotonic()
            ok = await cache._fetch()
            elapsed = time.monotonic() - started
    assert ok is False and elapsed < 2.5
    assert cache.available is False


# ----------------------------------------------------------------------------- paging and retention


async def test_tracked_packages_and_updates_page_newest_first_with_a_total_and_a_cursor(tmp_path: Path) -> None:
    settings = Settings(api_key="test-key", live=LiveSettings(data_dir=tmp_path))
    server = create_server(settings, transport=httpx.MockTransport(lambda r: httpx.Response(500)))
    async with Client(server) as client:
        store = await server.live.ready()
        base = datetime(2026, 5, 1, tzinfo=UTC)
        for n in range(7):
            await store.watch(f"1ZPAGE{n:04d}", "ups", at=base + timedelta(minutes=n))
        for n in range(5):
            obj = payload(tracking_number="1ZPAGE0000", status_description=f"scan {n}")
            await store.add_event(tracking_event(obj, body_of(obj), received_at=base + timedelta(hours=n)))
        seen, cursor = [], None
        while True:
            args: dict[str, Any] = {"limit": 3, **({"cursor": cursor} if cursor else {})}
            page = (await client.call_tool("list_tracked_packages", args)).structured_content
            assert page["total"] == 7
            seen += [p["tracking_number"] for p in page["packages"]]
            cursor = page.get("next_cursor")
            if cursor is None:
                break
        updates, cursor = [], None
        while True:
            args = {"limit": 2, "tracking_number": "1ZPAGE0000", **({"cursor": cursor} if cursor else {})}
            page = (await client.call_tool("get_tracking_updates", args)).structured_content
            assert page["total"] == 5
            updates += [u["received_at"] for u in page["updates"]]
            cursor = page.get("next_cursor")
            if cursor is None:
                break
        bad = await client.call_tool("list_tracked_packages", {"cursor": "not-a-cursor"})
    assert seen[0] == "1ZPAGE0000" and sorted(seen) == sorted(set(seen)) and len(seen) == 7
    assert updates == sorted(updates, reverse=True) and len(updates) == 5
    assert bad.is_error and "without `cursor`" in bad.content[0].text


# Retention is asserted on every store in tests/state/test_store_conformance.py.


class _LockedAtFirst(sqlite3.Connection):
    """A connection whose switch to WAL meets another process's lock the first `locked` times, as a race would."""

    locked = 0

    def execute(self, sql: str, *args: Any) -> sqlite3.Cursor:  # type: ignore[override]
        if "journal_mode" in sql and _LockedAtFirst.locked > 0:
            _LockedAtFirst.locked -= 1
            raise sqlite3.OperationalError("database is locked")
        return super().execute(sql, *args)


@pytest.mark.parametrize(("locked", "opens"), [(2, True), (99, False)])
def test_a_locked_fresh_store_is_retried_not_called_unreadable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, locked: int, opens: bool
) -> None:
    import functools

    from shipstation_mcp.state import store as store_module
    from shipstation_mcp.state.store import StoreError

    real_connect = sqlite3.connect
    monkeypatch.setattr(store_module.sqlite3, "connect", functools.partial(real_connect, factory=_LockedAtFirst))
    _LockedAtFirst.locked = locked
    if opens:
        SQLiteEventStore.open_sync(tmp_path / "events.sqlite3")._conn.close()
        return
    with pytest.raises(StoreError) as caught:
        SQLiteEventStore.open_sync(tmp_path / "events.sqlite3")
    assert "locked by another process" in str(caught.value) and "unreadable" not in str(caught.value)
