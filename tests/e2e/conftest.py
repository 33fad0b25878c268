"""The end-to-end tests use the same real Redis and PostgreSQL servers as tests/state."""

from tests.state.conftest import postgres_server, redis_server  # noqa: F401 - fixtures
