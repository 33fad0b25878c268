"""SHIPSTATION_REDIS_URL and SHIPSTATION_DATABASE_URL: checked at start with one line naming the variable, never
showing the password; a service that does not answer at start stops the process with exit status 2 and says what
was tried; lost while running, calls fail with a retryable error and work again once it is back."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from shipstation_mcp.config import ConfigError, load_live_settings, load_settings
from shipstation_mcp.errors import SharedStateUnavailable, explain
from shipstation_mcp.state.store import IncomingEvent
from tests.state.servers import PostgresServer, free_port
from tests.state.test_store_conformance import reset_postgres
from tests.support.processes import THIS_TREE, finished

PASSWORD = "hunter2-not-shown"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("SHIPSTATION_REDIS_URL", f"http://user:{PASSWORD}@redis.internal:6379"),
        ("SHIPSTATION_REDIS_URL", "redis://"),
        ("SHIPSTATION_REDIS_URL", f"redis://user:{PASSWORD}@redis.internal:port/0"),
        ("SHIPSTATION_DATABASE_URL", f"mysql://user:{PASSWORD}@db.internal/x"),
        ("SHIPSTATION_DATABASE_URL", "postgresql:///nohost"),
    ],
)
def test_an_invalid_url_is_one_line_naming_the_variable_without_the_password(name: str, value: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings({"SHIPSTATION_API_KEY": "k", name: value}, dotenv_path=Path("/nonexistent"))
    message = str(caught.value)
    assert message.startswith(name) and "\n" not in message and PASSWORD not in message


def test_valid_urls_are_kept_and_passwords_are_secrets() -> None:
    env = {
        "SHIPSTATION_API_KEY": "k",
        "SHIPSTATION_REDIS_URL": "rediss://:pw-redis@cache.internal:6380/2",
        "SHIPSTATION_DATABASE_URL": f"postgresql://app:{PASSWORD}@db.internal:5432/ss",
    }
    settings = load_settings(env, dotenv_path=Path("/nonexistent"))
    assert settings.redis_url == env["SHIPSTATION_REDIS_URL"]
    assert settings.live.database_url == env["SHIPSTATION_DATABASE_URL"]
    assert PASSWORD in settings.live.secrets
    assert PASSWORD not in repr(settings) and "pw-redis" not in repr(settings)
    assert load_live_settings(env, dotenv_path=Path("/nonexistent")).database_url == env["SHIPSTATION_DATABASE_URL"]


def start_cli(*args: str, env: dict[str, str], cwd: Path) -> subprocess.Popen[str]:
    full = {"PATH": os.environ.get("PATH", ""), "HOME": str(cwd), "SHIPSTATION_DATA_DIR": str(cwd / "data"), **env}
    return subprocess.Popen(
        [sys.executable, "-m", "shipstation_mcp", *args],
        env={**full, **THIS_TREE},
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        stdin=subprocess.DEVNULL,
    )


def test_an_unreachable_service_at_start_exits_2_saying_what_was_tried(tmp_path: Path) -> None:
    closed = free_port()
    env = {
        "SHIPSTATION_API_KEY": "k",
        "SHIPSTATION_REDIS_URL": f"redis://:{PASSWORD}@127.0.0.1:{closed}/0",
        "SHIPSTATION_DATABASE_URL": f"postgresql://app:{PASSWORD}@127.0.0.1:{closed}/ss",
    }
    # Both commands run at the same time, each in its own folder, so neither can see what the other leaves.
    folders = tmp_path / "served", tmp_path / "receiver"
    for folder in folders:
        folder.mkdir()
    served, receiver = finished(
        start_cli("--transport", "http", "--port", str(free_port()), env=env, cwd=folders[0]),
        start_cli("webhooks", "--port", str(free_port()), env=env, cwd=folders[1]),
    )
    assert served.returncode == 2
    lines = served.stderr.strip().splitlines()
    assert any(f"SHIPSTATION_REDIS_URL: cannot reach redis://127.0.0.1:{closed}/0" in line for line in lines)
    assert any(
        f"SHIPSTATION_DATABASE_URL: cannot reach postgresql://app@127.0.0.1:{closed}/ss" in line for line in lines
    )
    assert receiver.returncode == 2 and "SHIPSTATION_DATABASE_URL: cannot reach" in receiver.stderr
    assert PASSWORD not in served.stderr + served.stdout + receiver.stderr + receiver.stdout


@pytest.mark.anyio
async def test_postgres_lost_while_running_fails_retryably_then_recovers_by_itself(
    postgres_server: PostgresServer,
) -> None:
    from shipstation_mcp.state.postgres_store import PostgresEventStore

    reset_postgres(postgres_server.url)
    store = await PostgresEventStore.open(postgres_server.url)
    event = IncomingEvent(
        tracking_number="1Z", dedupe_key="a", payload="{}", received_at=datetime(2026, 5, 1, tzinfo=UTC)
    )
    try:
        await store.add_event(event)
        postgres_server.stop()
        started = time.monotonic()
        with pytest.raises(SharedStateUnavailable) as caught:
            await store.events()
        assert time.monotonic() - started < 12
        text = explain(caught.value)
        assert f"127.0.0.1:{postgres_server.port}" in text and "Try again" in text and "test-password" not in text
    finally:
        if postgres_server.process.poll() is not None:
            postgres_server.start_again()
    deadline = time.monotonic() + 15
    while True:  # the pool replaces its broken connections by itself: no restart, no reopen
        try:
            assert (await store.events()).total == 1
            break
        except SharedStateUnavailable:
            assert time.monotonic() < deadline, "the store did not recover"
    await store.aclose()


@pytest.mark.anyio
@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
async def test_the_retention_setting_reaches_either_store(
    kind: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    from shipstation_mcp.config import LiveSettings
    from shipstation_mcp.state.backends import open_event_store

    url = None
    if kind == "postgresql":
        url = request.getfixturevalue("postgres_server").url
        reset_postgres(url)
    store = await open_event_store(LiveSettings(data_dir=tmp_path, database_url=url, retention_days=7))
    try:
        assert store.retention_days == 7  # type: ignore[attr-defined]
    finally:
        await store.aclose()
