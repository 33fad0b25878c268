"""A receiver process killed with SIGKILL in the middle of deliveries keeps every update it acknowledged.

Runs the real `shipstation-mcp webhooks` command in a child process, delivers signed updates from several threads,
kills the child while deliveries are in flight, starts a new one on the same data folder and looks for every
acknowledged update in the store."""

from __future__ import annotations

import signal
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from shipstation_mcp.live.receiver import dedupe_key
from shipstation_mcp.state.store import SQLiteEventStore
from tests.support.webhook_kit import SigningKey, body_of, jwks_server, payload, start_receiver

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")

KEY = SigningKey("kid-durability")


def test_killed_receiver_keeps_everything_it_acknowledged(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    log = tmp_path / "receiver.log"
    acknowledged: set[str] = set()
    lock = threading.Lock()
    with jwks_server(KEY) as keys:
        child, url = start_receiver(data_dir, keys.url, log)
        killed = threading.Event()

        def sender(worker: int) -> None:
            with httpx.Client(timeout=5) as http:
                for n in range(10_000):
                    if killed.is_set():
                        return
                    obj = payload(tracking_number=f"1Z7W93X903{worker:02d}{n:06d}")
                    body = body_of(obj)
                    try:
                        response = http.post(url, content=body, headers=KEY.headers(body))
                    except httpx.TransportError:
                        return  # the receiver died under us: this one was not acknowledged
                    if response.status_code == 200:
                        with lock:
                            acknowledged.add(dedupe_key(obj))

        with ThreadPoolExecutor(max_workers=8) as pool:
            for worker in range(8):
                pool.submit(sender, worker)
            deadline = time.monotonic() + 30
            while len(acknowledged) < 150 and time.monotonic() < deadline:
                time.sleep(0.01)
            child.send_signal(signal.SIGKILL)  # mid-flight: senders are still posting
            child.wait(timeout=10)
            killed.set()

        assert len(acknowledged) >= 150, log.read_text()[-2000:]

        # A new receiver on the same folder starts cleanly (recovering the WAL) and keeps working.
        child, url = start_receiver(data_dir, keys.url, log)
        try:
            obj = payload(tracking_number="1Z7W93X9039999999")
            body = body_of(obj)
            assert httpx.post(url, content=body, headers=KEY.headers(body), timeout=5).status_code == 200
        finally:
            child.terminate()
            child.wait(timeout=10)

    store = SQLiteEventStore.open_sync(data_dir / "events.sqlite3")
    try:
        keys_kept = {row[0] for row in store._conn.execute("SELECT dedupe_key FROM events")}
        integrity = store._conn.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        store._conn.close()
    assert integrity == "ok"
    missing = acknowledged - keys_kept
    assert not missing, f"{len(missing)} acknowledged update(s) lost"
    assert dedupe_key(obj) in keys_kept
