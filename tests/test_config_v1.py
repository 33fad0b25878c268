"""ShipStation's classic API (V1) in the settings: the key pair, the second key for tracking status, and the one-line
explanation a V1 key put where it does not belong gets at start."""

from __future__ import annotations

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
