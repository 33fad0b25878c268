"""Real Redis and PostgreSQL servers for tests: started from the installed binaries on 127.0.0.1, on free ports,
with temporary data folders, and stopped afterwards.

Written here rather than taken from pytest-redis/pytest-postgresql: CI runs as root, which PostgreSQL refuses, so
the server must be started as an unprivileged user (`runuser -u postgres`), and the end-to-end tests and the
benchmark need the same servers outside pytest's fixtures too. Both are a few subprocess calls.

Without the binaries the backend tests skip with one line saying what to install; with `CI=true` they fail.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

INSTALL_HINT = "apt-get install -y redis-server postgresql"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_for_port(port: int, process: subprocess.Popen[bytes], what: str, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited with {process.returncode} while starting")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return
        time.sleep(0.05)
    raise RuntimeError(f"{what} did not listen on 127.0.0.1:{port} within {timeout:g} s")


def redis_binary() -> str | None:
    return shutil.which("redis-server") or shutil.which("valkey-server")


def postgres_bin_dir() -> Path | None:
    """The folder with `initdb`/`postgres`: on PATH, else Debian's /usr/lib/postgresql/<version>/bin (newest)."""
    found = shutil.which("initdb")
    if found:
        return Path(found).parent
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    return Path(candidates[-1]).parent if candidates else None


def missing_reason(what: str) -> str | None:
    """Why `what` ("redis" or "postgresql") cannot be started here, or None when it can."""
    if what == "redis" and redis_binary() is None:
        return f"redis-server is not installed (to run these tests: {INSTALL_HINT})"
    if what == "postgresql" and postgres_bin_dir() is None:
        return f"PostgreSQL is not installed (to run these tests: {INSTALL_HINT})"
    return None


@dataclass
class RedisServer:
    port: int
    process: subprocess.Popen[bytes]
    folder: Path

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def start_again(self) -> None:
        """Start a stopped server on the same port (for outage tests)."""
        self.process = _spawn_redis(self.port, self.folder)
        _wait_for_port(self.port, self.process, "redis-server")


def _spawn_redis(port: int, folder: Path) -> subprocess.Popen[bytes]:
    binary = redis_binary()
    assert binary is not None
    args = [binary, "--port", str(port), "--bind", "127.0.0.1", "--dir", str(folder), "--save", ""]
    args += ["--appendonly", "no", "--protected-mode", "yes", "--daemonize", "no", "--loglevel", "warning"]
    return subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


@contextlib.contextmanager
def redis_server() -> Iterator[RedisServer]:
    with tempfile.TemporaryDirectory(prefix="ssmcp-redis-") as folder:
        port = free_port()
        server = RedisServer(port, _spawn_redis(port, Path(folder)), Path(folder))
        try:
            _wait_for_port(port, server.process, "redis-server")
            yield server
        finally:
            server.stop()


@dataclass
class PostgresServer:
    port: int
    process: subprocess.Popen[bytes]
    command: list[str]
    database: str = "shipstation"

    @property
    def url(self) -> str:
        return f"postgresql://ssmcp:test-password@127.0.0.1:{self.port}/{self.database}"

    def stop(self) -> None:
        """Fast shutdown (SIGINT: PostgreSQL rolls back open transactions and closes every connection)."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGINT)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()

    def start_again(self) -> None:
        """Start a stopped server on the same port and data (for outage tests)."""
        self.process = _spawn_postgres(self.command)
        _wait_for_port(self.port, self.process, "postgres")


def _spawn_postgres(command: list[str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)


def _as_unprivileged(args: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root: run it as `postgres` (Debian's user) or `nobody` when we are root."""
    if os.geteuid() != 0:
        return args
    user = "postgres" if _user_exists("postgres") else "nobody"
    return ["runuser", "-u", user, "--", *args]


def _user_exists(name: str) -> bool:
    import pwd

    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


def _unprivileged_owner() -> tuple[int, int]:
    import pwd

    entry = pwd.getpwnam("postgres" if _user_exists("postgres") else "nobody")
    return entry.pw_uid, entry.pw_gid


@contextlib.contextmanager
def postgres_server() -> Iterator[PostgresServer]:
    bin_dir = postgres_bin_dir()
    assert bin_dir is not None
    with tempfile.TemporaryDirectory(prefix="ssmcp-pg-") as folder:
        data = Path(folder) / "data"
        socket_dir = Path(folder) / "run"
        data.mkdir()
        socket_dir.mkdir()
        password_file = Path(folder) / "pw"
        password_file.write_text("test-password\n")
        if os.geteuid() == 0:
            uid, gid = _unprivileged_owner()
            for path in (Path(folder), data, socket_dir, password_file):
                os.chown(path, uid, gid)
        subprocess.run(
            _as_unprivileged(
                [
                    str(bin_dir / "initdb"),
                    "-D",
                    str(data),
                    "-U",
                    "ssmcp",
                    "-A",
                    "scram-sha-256",
                    f"--pwfile={password_file}",
                    "--no-sync",
                    "-E",
                    "UTF8",
                    "--locale=C",
                ]
            ),
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        port = free_port()
        command = _as_unprivileged(
            [
                str(bin_dir / "postgres"),
                "-D",
                str(data),
                "-p",
                str(port),
                "-h",
                "127.0.0.1",
                "-k",
                str(socket_dir),
                "-c",
                "fsync=on",
                "-c",
                "max_connections=100",
            ]
        )
        server = PostgresServer(port, _spawn_postgres(command), command)
        try:
            _wait_for_port(port, server.process, "postgres")
            _create_database(server)
            yield server
        finally:
            server.stop()


def _create_database(server: PostgresServer) -> None:
    import psycopg

    deadline = time.monotonic() + 15
    while True:
        try:
            with psycopg.connect(
                f"postgresql://ssmcp:test-password@127.0.0.1:{server.port}/postgres", autocommit=True, connect_timeout=2
            ) as conn:
                conn.execute(f"CREATE DATABASE {server.database}")
                return
        except psycopg.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)
