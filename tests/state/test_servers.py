"""Without redis-server or PostgreSQL the backend tests skip with one line saying what to install; with CI=true
they fail instead, so CI can never pass by skipping them."""

from __future__ import annotations

import pytest

from tests.state import conftest, servers


def test_a_missing_server_skips_locally_with_the_install_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setattr(servers, "redis_binary", lambda: None)
    with pytest.raises(pytest.skip.Exception) as caught:
        conftest.need("redis")
    assert str(caught.value) == "redis-server is not installed (to run these tests: " + servers.INSTALL_HINT + ")"


def test_a_missing_server_fails_on_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "true")
    monkeypatch.setattr(servers, "postgres_bin_dir", lambda: None)
    with pytest.raises(pytest.fail.Exception, match="CI=true but PostgreSQL is not installed"):
        conftest.need("postgresql")


def test_debian_postgresql_binaries_are_found_off_the_path(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(servers.shutil, "which", lambda _name: None)
    monkeypatch.setattr(
        servers.glob, "glob", lambda _pattern: ["/usr/lib/postgresql/9/bin/initdb", "/usr/lib/postgresql/15/bin/initdb"]
    )
    assert str(servers.postgres_bin_dir()) == "/usr/lib/postgresql/15/bin"
