"""ShipStation's classic API (V1) in the settings: the key pair, the second key for tracking status, and the one-line
explanation a V1 key put where it does not belong gets at start."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from shipstation_mcp.config import ConfigError, load_settings

NO_DOTENV = Path("/nonexistent/.env")


def load(**env: str):
    return load_settings(env, dotenv_path=NO_DOTENV)


def test_a_v1_pair_speaks_basic_auth_to_the_classic_host_at_40_a_minute() -> None:
    settings = load(SHIPSTATION_API="v1", SHIPSTATION_API_KEY="k1234", SHIPSTATION_API_SECRET="s5678")
    assert settings.api_root == "https://ssapi.shipstation.com"
    assert settings.requests_per_minute == 40
    assert settings.credentials == ("k1234", "s5678")
    assert settings.tracking is None
    assert "s5678" not in repr(settings) and "k1234" not in repr(settings)


@pytest.mark.parametrize(
    ("env", "says"),
    [
        (
            {"SHIPSTATION_API_KEY": "abcd1234:efgh5678"},
            "SHIPSTATION_API_KEY looks like a V1 key and secret joined by ':'; for ShipStation's classic API set "
            "SHIPSTATION_API=v1",
        ),
        (
            {"SHIPSTATION_API": "v1", "SHIPSTATION_API_KEY": "abcd1234:efgh5678"},
            "SHIPSTATION_API_KEY holds 'key:secret'; put the key alone in SHIPSTATION_API_KEY and the secret in "
            "SHIPSTATION_API_SECRET",
        ),
        (
            {"SHIPSTATION_API_KEY": "abcd1234", "SHIPSTATION_API_SECRET": "efgh5678"},
            "SHIPSTATION_API_SECRET is set, but only V1 keys (ShipStation's classic API) come with a secret: for a "
            "V1 key pair set SHIPSTATION_API=v1",
        ),
        (
            {"SHIPSTATION_API": "v1", "SHIPSTATION_API_KEY": "abcd1234"},
            "SHIPSTATION_API=v1 needs the key's secret too: set SHIPSTATION_API_SECRET",
        ),
        (
            {"SHIPSTATION_API_KEY": "abcd1234", "SHIPSTATION_TRACKING_API_KEY": "TEST_x"},
            "SHIPSTATION_TRACKING_API and SHIPSTATION_TRACKING_API_KEY are only for SHIPSTATION_API=v1",
        ),
        (
            {"SHIPSTATION_API": "v1", "SHIPSTATION_API_KEY": "a1234", "SHIPSTATION_API_SECRET": "b5678",
             "SHIPSTATION_TRACKING_API": "v1", "SHIPSTATION_TRACKING_API_KEY": "c"},
            "SHIPSTATION_TRACKING_API must be 'v2' (a ShipStation API V2 key) or 'shipengine'",
        ),
        (
            {"SHIPSTATION_API": "v1", "SHIPSTATION_API_KEY": "a1234", "SHIPSTATION_API_SECRET": "b5678",
             "SHIPSTATION_TRACKING_API": "shipengine"},
            "SHIPSTATION_TRACKING_API=shipengine is set but SHIPSTATION_TRACKING_API_KEY is not",
        ),
    ],
    ids=["pair in the v2 key", "pair in the v1 key", "secret without v1", "v1 without secret",
         "tracking key without v1", "tracking api v1", "tracking api without key"],
)  # fmt: skip
def test_a_v1_key_in_the_wrong_setting_gets_one_line(env: dict[str, str], says: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load(**env)
    message = str(caught.value)
    assert message.startswith(says) and "\n" not in message
    for value in env.values():
        if len(value) >= 5 and value not in {"v1", "v2", "shipengine"}:
            assert value not in message  # no key or secret is repeated back


@pytest.mark.parametrize(("family", "rate"), [("v2", 200), ("shipengine", 20)])
def test_a_tracking_key_beside_v1_is_its_own_settings(family: str, rate: int) -> None:
    settings = load(
        SHIPSTATION_API="v1",
        SHIPSTATION_API_KEY="k1234",
        SHIPSTATION_API_SECRET="s5678",
        SHIPSTATION_TRACKING_API=family,
        SHIPSTATION_TRACKING_API_KEY="TEST_tracking" if family == "shipengine" else "tracking-key",
    )
    tracking = settings.tracking
    assert tracking is not None and tracking.api == family and tracking.api_secret is None
    assert tracking.requests_per_minute == rate
    assert set(settings.credentials) == {"k1234", "s5678", tracking.api_key}


def test_the_demo_needs_no_v1_secret_nor_tracking_key() -> None:
    settings = load_settings(
        {"SHIPSTATION_API": "v1", "SHIPSTATION_TRACKING_API": "v2"}, demo=True, dotenv_path=NO_DOTENV
    )
    assert settings.api_secret and settings.tracking is not None and settings.tracking.api == "v2"


def test_the_bundle_passes_a_v1_pair_and_its_tracking_key() -> None:
    manifest = json.loads((Path(__file__).resolve().parents[1] / "manifest.json").read_text())
    env = manifest["server"]["mcp_config"]["env"]
    chosen = {"api_key": "k1234", "api": "v1", "api_secret": "s5678", "tracking_api": "shipengine"}
    chosen["tracking_api_key"] = "TEST_t123"

    def render(value: str) -> str:
        def one(match: re.Match[str]) -> str:
            option = match.group(1)
            default = manifest["user_config"][option].get("default", "")
            return (
                str(chosen.get(option, default)).lower() if isinstance(default, bool) else chosen.get(option, default)
            )

        return re.sub(r"\$\{user_config\.(\w+)\}", one, value)

    settings = load_settings({name: render(value) for name, value in env.items()}, dotenv_path=NO_DOTENV)
    assert (settings.api, settings.api_key, settings.api_secret) == ("v1", "k1234", "s5678")
    assert settings.tracking is not None and settings.tracking.api == "shipengine"


def test_unexpanded_bundle_placeholders_of_an_older_client_count_as_empty() -> None:
    settings = load(
        SHIPSTATION_API_KEY="k1234",
        SHIPSTATION_API_SECRET="${user_config.api_secret}",
        SHIPSTATION_TRACKING_API="${user_config.tracking_api}",
        SHIPSTATION_TRACKING_API_KEY="${user_config.tracking_api_key}",
    )
    assert settings.api == "v2" and settings.api_secret is None and settings.tracking is None
