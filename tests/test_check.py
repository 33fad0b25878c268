"""`shipstation-mcp check`: one line per item, ✓ or ✗ with the fix, exit 0 only when the essentials hold.

Every case runs against a local mock of both hosts (never the internet): a good V2 key, a good ShipEngine key on the
wrong SHIPSTATION_API, a placeholder, a V1-looking key, a `key:secret` pair, a 403 plan, an unreachable host."""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from shipstation_mcp import cli
from tests.support.cli import run_cli

V2_HOST = "api.shipstation.com"
SE_HOST = "api.shipengine.com"
GOOD_KEY = "Xy3kq9ZpL2mN8vB4cR7tW1sD6fG0hJ5e"
HOOK = {"webhook_id": "se-9", "event": "track_event_v2", "url": "https://hooks.example.com/webhooks/shipstation"}
Handler = Callable[[httpx.Request], httpx.Response]


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in list(os.environ):
        if name.startswith("SHIPSTATION_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SHIPSTATION_DATA_DIR", str(tmp_path / "data"))


def check(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], handler: Handler, **env: str
) -> tuple[int, list[str], list[httpx.Request]]:
    """(exit code, printed lines, requests sent) of `shipstation-mcp check` with `env`, both hosts mocked."""
    sent: list[httpx.Request] = []

    def record(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return handler(request)

    for name, value in env.items():
        monkeypatch.setenv(name, value)
    original = cli.run_check_command
    monkeypatch.setattr(cli, "run_check_command", functools.partial(original, transport=httpx.MockTransport(record)))
    code = run_cli(["check"])
    out = capsys.readouterr().out
    return code, out.splitlines(), sent


def line(lines: list[str], what: str) -> str:
    return next(text for text in lines if text[2:].startswith(what + ":"))


def account(*, key: str, host: str, tracking: int = 200, webhooks: list | None = None) -> Handler:
    """`host` takes `key` (others answer 401): webhooks listed, rate headers sent, `GET /tracking` → `tracking`."""

    def handle(request: httpx.Request) -> httpx.Response:
        if request.url.host != host or request.headers.get("api-key") != key:
            return httpx.Response(401, json={"errors": [{"message": "The API key is invalid."}]})
        if request.url.path.endswith("/tracking"):
            return httpx.Response(
                tracking, json={"errors": [{"message": "Not on your plan"}]} if tracking >= 400 else {}
            )
        headers = {"X-Rate-Limit-Limit": "200", "X-Rate-Limit-Remaining": "187", "X-Rate-Limit-Reset": "31"}
        return httpx.Response(200, json=[HOOK] if webhooks is None else webhooks, headers=headers)

    return handle


def test_a_good_v2_key(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, lines, sent = check(monkeypatch, capsys, account(key=GOOD_KEY, host=V2_HOST), SHIPSTATION_API_KEY=GOOD_KEY)
    assert code == 0, lines
    assert line(lines, "API key") == "✓ API key: works with ShipStation API V2 (https://api.shipstation.com/v2)"
    assert line(lines, "Tracking by number").startswith("✓")
    assert line(lines, "Rate budget") == "✓ Rate budget: 187 of 200 requests left this minute."
    assert line(lines, "Tracking webhook") == (
        "✓ Tracking webhook: track_event_v2 points to https://hooks.example.com/webhooks/shipstation."
    )
    assert line(lines, "Data folder").startswith(f"✓ Data folder: {tmp_path / 'data'} (will be created")
    assert line(lines, "Receiver").startswith("✓ Receiver: POST http://127.0.0.1:8000/webhooks/shipstation")
    assert lines[-1] == "The essentials hold: the server can answer."
    # One cheap call to each host, and one tracking question to the configured one.
    assert sorted((r.url.host, r.url.path) for r in sent) == [
        (SE_HOST, "/v1/environment/webhooks"),
        (V2_HOST, "/v2/environment/webhooks"),
        (V2_HOST, "/v2/tracking"),
    ]
    assert all(GOOD_KEY not in text for text in lines)


def test_a_shipengine_key_on_the_wrong_api(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    code, lines, _ = check(monkeypatch, capsys, account(key=GOOD_KEY, host=SE_HOST), SHIPSTATION_API_KEY=GOOD_KEY)
    assert code == 1
    assert line(lines, "API key") == (
        "✗ API key: ShipStation API V2 refuses it (HTTP 401), but ShipStation API (formerly ShipEngine) takes it: it "
        "was made there. Fix: set SHIPSTATION_API=shipengine (now v2)."
    )
    assert not any(text[2:].startswith("Tracking webhook") for text in lines)  # nothing more to ask with this key


def test_a_placeholder_is_named_without_asking(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    key = "your-api-key"
    code, lines, sent = check(monkeypatch, capsys, account(key=GOOD_KEY, host=V2_HOST), SHIPSTATION_API_KEY=key)
    assert code == 1
    assert line(lines, "API key").startswith("✗ API key: not a key ShipStation could take. Fix: SHIPSTATION_API_KEY")
    assert "holds a placeholder, not a key" in line(lines, "API key")
    assert sent == []
    assert all(key not in text for text in lines)


def test_a_v1_key_secret_pair_is_explained_without_asking(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    key = "0f3c9a2b7d4e1f8a6b5c0d9e2f7a4b1c:9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b"
    code, lines, sent = check(monkeypatch, capsys, account(key=GOOD_KEY, host=V2_HOST), SHIPSTATION_API_KEY=key)
    assert code == 1 and sent == []
    assert lines[0].startswith("✗ Settings: SHIPSTATION_API_KEY looks like a V1 key and secret joined by ':'")
    assert "SHIPSTATION_API=v1" in lines[0] and "SHIPSTATION_API_SECRET" in lines[0]
    assert key not in "\n".join(lines) and key.split(":")[1] not in "\n".join(lines)


def test_a_v1_key_pair_on_v1_is_checked_on_the_classic_host_only(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def handle(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=[], headers={"X-Rate-Limit-Limit": "40", "X-Rate-Limit-Remaining": "39"})

    code, lines, sent = check(
        monkeypatch, capsys, handle, SHIPSTATION_API="v1", SHIPSTATION_API_KEY="0f3c9a2b7d4e1f8a6b5c0d9e2f7a4b1c",
        SHIPSTATION_API_SECRET="9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b",
    )  # fmt: skip
    assert code == 0, lines
    assert line(lines, "API key").startswith("✓ API key: works with ShipStation's classic API (V1)")
    assert [(r.url.host, r.url.path) for r in sent] == [("ssapi.shipstation.com", "/webhooks")]
    assert sent[0].headers["authorization"].startswith("Basic ")
    assert line(lines, "Rate budget") == "✓ Rate budget: 39 of 40 requests left this minute."
    assert not any(text[2:].startswith("Tracking webhook") for text in lines)


def test_a_v1_looking_key(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    key = "0f3c9a2b7d4e1f8a6b5c0d9e2f7a4b1c"
    code, lines, sent = check(monkeypatch, capsys, account(key=GOOD_KEY, host=V2_HOST), SHIPSTATION_API_KEY=key)
    assert code == 1
    text = line(lines, "API key")
    assert text.startswith("✗ API key: refused (HTTP 401) by ShipStation API V2 and by ShipStation API (formerly")
    assert "looks like a ShipStation V1 key (32 hexadecimal characters)" in text and "choose V2" in text
    assert "SHIPSTATION_API=v1" in text
    assert len(sent) == 2 and key not in "\n".join(lines)


def test_a_plan_without_tracking_is_a_cross_but_not_an_essential_one(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    handler = account(key=GOOD_KEY, host=V2_HOST, tracking=403, webhooks=[])
    code, lines, _ = check(monkeypatch, capsys, handler, SHIPSTATION_API_KEY=GOOD_KEY)
    assert code == 0, lines
    assert line(lines, "Tracking by number") == (
        "✗ Tracking by number: the plan does not include it (HTTP 403): only the account's own labels can be "
        "tracked. Fix: a plan with tracking, or a ShipEngine key (SHIPSTATION_API=shipengine), tracks any number."
    )
    assert line(lines, "Tracking webhook").startswith("✗ Tracking webhook: none")


def test_a_403_plan_on_every_call_is_essential_and_blames_the_plan_not_the_key(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def handle(request: httpx.Request) -> httpx.Response:
        body = {"errors": [{"error_code": "subscription_inactive", "message": "Subscription is inactive"}]}
        return httpx.Response(403 if request.url.host == V2_HOST else 401, json=body)

    code, lines, _ = check(monkeypatch, capsys, handle, SHIPSTATION_API_KEY=GOOD_KEY)
    assert code == 1
    text = line(lines, "API key")
    assert "knows the key but refused the request (HTTP 403)" in text and "Subscription is inactive" in text
    assert "the key itself is fine" in text


def test_an_unreachable_host(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    def handle(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("name resolution failed", request=request)

    code, lines, _ = check(monkeypatch, capsys, handle, SHIPSTATION_API_KEY=GOOD_KEY)
    assert code == 1
    assert line(lines, "API key") == (
        "✗ API key: could not reach https://api.shipstation.com/v2: the connection was refused or the host could "
        "not be resolved. Fix: check the network connection, any proxy, and SHIPSTATION_BASE_URL (leave it unset "
        "for ShipStation)."
    )
    assert line(lines, "Data folder").startswith("✓")  # the local side is still checked


def test_a_missing_key_is_the_first_cross(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    code, lines, sent = check(monkeypatch, capsys, account(key=GOOD_KEY, host=V2_HOST))
    assert code == 1 and lines[0].startswith("✗ Settings: ") and "SHIPSTATION_API_KEY" in lines[0]
    assert sent == []


def test_an_unwritable_data_folder(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    code, lines, _ = check(
        monkeypatch,
        capsys,
        account(key=GOOD_KEY, host=V2_HOST),
        SHIPSTATION_API_KEY=GOOD_KEY,
        SHIPSTATION_DATA_DIR=str(blocker / "data"),
    )
    assert code == 0  # not essential: lookups work without it
    assert line(lines, "Data folder").startswith(f"✗ Data folder: {blocker / 'data'} cannot be written")
