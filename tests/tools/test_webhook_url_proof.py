"""The install's webhook secret is only ever registered on a URL that leads to this install's receiver (issue 21):
the receiver's path, and a proof (a one-time challenge answered through the URL, or the operator's pinned
SHIPSTATION_WEBHOOK_URL). An instruction injected through shop data cannot send the secret anywhere else."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from mcp import Client

from shipstation_mcp.config import ConfigError, LiveSettings, Settings, live_settings_from
from shipstation_mcp.live.receiver import CHALLENGE_HEADER, WebhookReceiver
from shipstation_mcp.tools.server import create_server

pytestmark = pytest.mark.anyio

RECEIVER_URL = "https://hooks.example.com/webhooks/shipstation"
EVIL_URL = "https://evil.example/webhooks/shipstation"


class World(httpx.AsyncBaseTransport):
    """ShipStation's API, this install's receiver behind https://hooks.example.com (a real `WebhookReceiver`
    reading the same data folder), and an attacker's host that answers whatever it likes."""

    def __init__(self, data_dir: Path, evil: httpx.Response | None = None) -> None:
        receiver = WebhookReceiver(LiveSettings(data_dir=data_dir, webhook_verify=False), lambda: None, jwks=None)  # type: ignore[arg-type, return-value]
        self.receiver = httpx.ASGITransport(app=receiver)
        self.evil = evil or httpx.Response(200, text="0" * 64)
        self.api: list[httpx.Request] = []
        self.elsewhere: list[httpx.Request] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        await request.aread()
        if request.url.host == "hooks.example.com":
            self.elsewhere.append(request)
            return await self.receiver.handle_async_request(request)
        if request.url.host == "evil.example":
            self.elsewhere.append(request)
            return self.evil
        self.api.append(request)
        if request.method == "POST":
            return httpx.Response(200, json={"webhook_id": "se-900", **json.loads(request.content)})
        return httpx.Response(200, json=[])


def server_for(data_dir: Path, world: World, **live: Any) -> Any:
    settings = Settings(api_key="test-key", max_retries=0, live=LiveSettings(data_dir=data_dir, **live))
    return create_server(settings, transport=world)


def secret_of(data_dir: Path) -> str:
    return (data_dir / "webhook-secret").read_text().strip()


def leaked(world: World, secret: str) -> list[str]:
    return [str(r.url) for r in world.elsewhere if secret in str(r.headers) + r.content.decode(errors="replace")]


EVIL_ANSWERS = {
    "any 200": httpx.Response(200, text="0" * 64),
    "an echo of the header": httpx.Response(200, text="pretend"),
    "a redirect to the real receiver": httpx.Response(307, headers={"location": RECEIVER_URL}),
    "an error": httpx.Response(500),
}


@pytest.mark.parametrize("answer", EVIL_ANSWERS.values(), ids=EVIL_ANSWERS.keys())
async def test_an_injected_url_gets_no_secret_and_no_webhook(tmp_path: Path, answer: httpx.Response) -> None:
    world = World(tmp_path, evil=answer)
    async with Client(server_for(tmp_path, world)) as client:
        result = await client.call_tool("setup_tracking_webhook", {"url": EVIL_URL})
    assert result.is_error
    assert "did not prove" in result.content[0].text and "not sent" in result.content[0].text
    assert [r for r in world.api if r.method in {"POST", "PUT"}] == []  # ShipStation was never asked
    assert leaked(world, secret_of(tmp_path)) == []


async def test_a_url_that_leads_to_this_receiver_is_proved_and_registered(tmp_path: Path) -> None:
    world = World(tmp_path)
    async with Client(server_for(tmp_path, world)) as client:
        result = await client.call_tool("setup_tracking_webhook", {"url": RECEIVER_URL})
    assert not result.is_error, result.content[0].text
    secret = secret_of(tmp_path)
    (challenge,) = world.elsewhere
    assert CHALLENGE_HEADER in challenge.headers and leaked(world, secret) == []
    (created,) = [r for r in world.api if r.method == "POST"]
    assert json.loads(created.content)["headers"] == [{"key": "X-Webhook-Secret", "value": secret}]
    assert any("challenge" in note for note in result.structured_content["notes"])


async def test_a_pinned_url_needs_no_challenge_and_no_other_url_is_accepted(tmp_path: Path) -> None:
    world = World(tmp_path)
    async with Client(server_for(tmp_path, world, webhook_url=RECEIVER_URL)) as client:
        refused = await client.call_tool("setup_tracking_webhook", {"url": EVIL_URL})
        accepted = await client.call_tool("setup_tracking_webhook", {"url": RECEIVER_URL + "/"})
    assert refused.is_error and "SHIPSTATION_WEBHOOK_URL" in refused.content[0].text
    assert not accepted.is_error, accepted.content[0].text
    assert world.elsewhere == []  # nothing dialled: the operator vouched for the URL
    assert len([r for r in world.api if r.method == "POST"]) == 1


async def test_the_receiver_answers_challenges_only_with_a_usable_secret(tmp_path: Path) -> None:
    no_secret = WebhookReceiver(LiveSettings(webhook_verify=False), lambda: None, jwks=None)  # type: ignore[arg-type, return-value]
    with_secret = WebhookReceiver(
        LiveSettings(webhook_verify=False, webhook_secret="s" * 32),
        lambda: None,  # type: ignore[arg-type, return-value]
        jwks=None,
    )
    answers = {}
    for name, receiver, nonce in [
        ("no secret", no_secret, "n" * 32),
        ("bad nonce", with_secret, "short"),
        ("good", with_secret, "n" * 32),
    ]:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=receiver), base_url="https://r") as http:
            response = await http.post("/webhooks/shipstation", headers={CHALLENGE_HEADER: nonce})
        answers[name] = response.status_code
    assert answers == {"no secret": 404, "bad nonce": 404, "good": 200}


@pytest.mark.parametrize(
    "url", ["http://hooks.example.com/webhooks/shipstation", "hooks.example.com", "https://u:p@h/x"]
)
def test_a_pinned_url_must_be_https_without_credentials(url: str) -> None:
    with pytest.raises(ConfigError, match="SHIPSTATION_WEBHOOK_URL"):
        live_settings_from({"SHIPSTATION_WEBHOOK_URL": url})
