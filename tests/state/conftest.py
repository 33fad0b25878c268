"""Real Redis and PostgreSQL for the backend tests (see servers.py): one of each per test session, started on
first use. Without the binaries the tests that need them skip with the `apt-get install` that enables them; with
`CI=true` a missing server fails the run instead."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.state import servers


def need(what: str) -> None:
    reason = servers.missing_reason(what)
    if reason is None:
        return
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"CI=true but {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def redis_server() -> Iterator[servers.RedisServer]:
    need("redis")
    with servers.redis_server() as server:
        yield server


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[servers.PostgresServer]:
    need("postgresql")
    with servers.postgres_server() as server:
        yield server
