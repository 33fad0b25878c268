"""Shared test setup: every async test runs on asyncio through anyio's pytest plugin."""

from __future__ import annotations

import os

import pytest


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """`-n auto`: one worker more than there are processors. Many tests spend part of their time waiting on a child
    process or a socket; with one more worker the processors stay busy meanwhile (on 2 cores: 108 s instead of
    118 s; two more was slower again)."""
    return len(os.sched_getaffinity(0)) + 1 if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1) + 1


# --- rate limiter isolation and the API-key canary ----------------------------------------------------------------
# Every test starts with full rate-limiter buckets (they are process-wide, keyed by API key and host), and no test
# may let the canary key (tests/support/canary.py) reach captured stdout, stderr, logs or a failure report. Package
# loggers run at DEBUG for the whole suite, so debug lines are scanned too.

import json  # noqa: E402
import logging  # noqa: E402
import ssl  # noqa: E402
from collections.abc import Iterator  # noqa: E402
from typing import Any  # noqa: E402

from hypothesis import HealthCheck, settings  # noqa: E402

from shipstation_mcp.state.limiter import reset_shared_limiters  # noqa: E402
from tests.support.canary import CANARY_KEY, CanaryTrap, leaked_in  # noqa: E402

_TRAP = CanaryTrap()

# Property tests. The default profile is deterministic: derandomized (the same examples every run, on every machine)
# and without the example database, so no `.hypothesis/` left by an earlier run can change the next run's outcome.
# HYPOTHESIS_PROFILE=thorough runs a long randomized hunt that remembers (and replays) the failures it finds. Both
# start from Hypothesis's own defaults, not from each other (registering "default" changes what a profile inherits).
_HYPOTHESIS_DEFAULTS = settings.get_profile("default")
settings.register_profile(
    "thorough",
    parent=_HYPOTHESIS_DEFAULTS,
    max_examples=1000,
    derandomize=False,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    print_blob=True,
)
settings.register_profile(
    "default",
    parent=_HYPOTHESIS_DEFAULTS,
    max_examples=40,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    print_blob=True,
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


@pytest.fixture(autouse=True, scope="session")
def _one_default_tls_context() -> Iterator[None]:
    """Clients with httpx's default TLS settings share one TLS context.

    httpx builds a context for every client it makes, loading the whole CA bundle (about 0.1 s, a third of the
    suite's time: it makes a client for nearly every test). No test speaks TLS (ShipStation is a mock transport or
    plain HTTP on 127.0.0.1), and a context stays usable by many clients, so one per setting is enough.
    """
    from httpx._transports import default as transports  # where httpx's clients call create_ssl_context

    original = transports.create_ssl_context
    shared: dict[tuple[object, ...], ssl.SSLContext] = {}

    def create_ssl_context(verify: Any = True, cert: Any = None, trust_env: bool = True) -> ssl.SSLContext:
        if verify is not True or cert is not None:
            return original(verify=verify, cert=cert, trust_env=trust_env)
        key = (trust_env, os.environ.get("SSL_CERT_FILE"), os.environ.get("SSL_CERT_DIR"))
        if key not in shared:
            shared[key] = original(verify=verify, cert=cert, trust_env=trust_env)
        return shared[key]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(transports, "create_ssl_context", create_ssl_context)
        yield


@pytest.fixture(autouse=True, scope="session")
def _each_output_schema_checked_once() -> Iterator[None]:
    """A tool's output schema that passed the JSON Schema metaschema check once is not checked again.

    Before validating a structured result, the MCP client checks the tool's output schema against the metaschema
    (about 0.1 s) once per session, and the suite opens a session in nearly every test, always with the same few
    schemas. A schema that fails is checked (and fails) every time; every result is still validated on every call.
    """
    import jsonschema

    passed: set[tuple[str, str]] = set()
    with pytest.MonkeyPatch.context() as patch:
        for name in dir(jsonschema):
            validator_class = getattr(jsonschema, name)
            if not (name.startswith("Draft") and hasattr(validator_class, "check_schema")):
                continue

            def check_schema(cls: Any, schema: Any, *args: Any, _original: Any = validator_class.check_schema) -> None:
                if args:
                    return _original(schema, *args)
                key = (cls.__name__, json.dumps(schema, sort_keys=True, default=repr))
                if key not in passed:
                    _original(schema)
                    passed.add(key)
                return None

            patch.setattr(validator_class, "check_schema", classmethod(check_schema))
        yield


@pytest.fixture(autouse=True)
def _fresh_rate_limiters() -> Iterator[None]:
    reset_shared_limiters()
    yield
    reset_shared_limiters()


@pytest.fixture(autouse=True, scope="session")
def _debug_logging_with_canary_trap() -> Iterator[None]:
    loggers = [logging.getLogger(name) for name in ("shipstation_mcp", "httpx", "httpcore")]
    levels = [lg.level for lg in loggers]
    for lg in loggers:
        lg.setLevel(logging.DEBUG)
    logging.getLogger().addHandler(_TRAP)
    yield
    logging.getLogger().removeHandler(_TRAP)
    for lg, level in zip(loggers, levels, strict=True):
        lg.setLevel(level)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()
    texts = [content for title, content in report.sections if title.endswith(report.when)]
    texts.append(report.longreprtext)
    texts.extend(_TRAP.drain())
    where = leaked_in(texts)
    if where is not None:
        report.outcome = "failed"
        report.longrepr = f"The API key canary ({len(CANARY_KEY)} chars) leaked during {report.when}: …{where}…"


SCREENSHOTS = "screenshots"
"""A test's `record_property(SCREENSHOTS, folder)`: the folder is printed at the end of a run with `-s`. Properties
travel from pytest-xdist's workers to the terminal (a worker's own print never reaches it)."""


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    if config.getoption("capture") != "no":
        return
    for outcome in ("passed", "failed"):
        for report in terminalreporter.stats.get(outcome, []):
            for name, folder in getattr(report, "user_properties", ()):
                if name == SCREENSHOTS and getattr(report, "when", "call") == "call":
                    terminalreporter.write_line(f"Screenshots of {report.nodeid}: {folder}")
