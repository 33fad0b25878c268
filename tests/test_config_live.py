"""Live-tracking settings: defaults, one-line errors naming the variable, secrets kept out of repr and logs, and the
`shipstation-mcp webhooks` command."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest

from shipstation_mcp import cli, web
from shipstation_mcp.config import (
    DEFAULT_JWKS_URL,
    DEFAULT_WEBHOOK_PATH,
    ConfigError,
    LiveSettings,
    Settings,
    default_data_dir,
    load_live_settings,
    load_settings,
)

TOKEN = "bearer-token-for-tests-0123456789"
SECRET = "webhook-secret-for-tests-0123456789"
NO_DOTENV = Path("/nonexistent/.env")


def live(**env: str) -> LiveSettings:
    return load_live_settings({"HOME": "/home/merchant", **env}, dotenv_path=NO_DOTENV)


def test_defaults() -> None:
    settings = load_settings({"SHIPSTATION_API_KEY": "k", "HOME": "/home/merchant"}, dotenv_path=NO_DOTENV).live
    assert settings.webhook_path == DEFAULT_WEBHOOK_PATH == "/webhooks/shipstation"
    assert settings.webhook_jwks_url == DEFAULT_JWKS_URL == "https://api.shipengine.com/jwks"
    assert settings.webhook_verify is True
    assert settings.mcp_token is None and settings.webhook_secret is None
    assert settings.database_path is not None and settings.database_path.name == "events.sqlite3"


def test_settings_built_in_code_keep_events_in_memory() -> None:
    assert Settings(api_key="k").live.database_path is None


def test_receiver_settings_load_without_an_api_key() -> None:
    assert live(SHIPSTATION_WEBHOOK_SECRET=SECRET).webhook_secret == SECRET


def test_every_setting_is_read() -> None:
    settings = live(
        SHIPSTATION_MCP_TOKEN=TOKEN,
        SHIPSTATION_WEBHOOK_PATH="/hooks/ss/",
        SHIPSTATION_WEBHOOK_JWKS_URL="http://127.0.0.1:9999/jwks",
        SHIPSTATION_WEBHOOK_SECRET=SECRET,
        SHIPSTATION_WEBHOOK_VERIFY="false",
        SHIPSTATION_DATA_DIR="~/tracking",
        SHIPSTATION_MCP_ALLOWED_HOSTS="MCP.example.com, proxy.example.com:8443",
    )
    assert settings.mcp_token == TOKEN
    assert settings.webhook_path == "/hooks/ss"
    assert settings.webhook_jwks_url == "http://127.0.0.1:9999/jwks"
    assert settings.webhook_secret == SECRET
    assert settings.webhook_verify is False
    assert settings.data_dir == Path("~/tracking").expanduser().absolute()
    assert settings.allowed_hosts == ("mcp.example.com", "proxy.example.com:8443")


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("SHIPSTATION_MCP_TOKEN", "short"),
        ("SHIPSTATION_MCP_TOKEN", "has a space in it 0123456789"),
        ("SHIPSTATION_WEBHOOK_SECRET", "tiny"),
        ("SHIPSTATION_WEBHOOK_PATH", "webhooks"),
        ("SHIPSTATION_WEBHOOK_PATH", "/hook?x=1"),
        ("SHIPSTATION_WEBHOOK_PATH", "/mcp"),
        ("SHIPSTATION_WEBHOOK_JWKS_URL", "http://api.shipengine.com/jwks"),
        ("SHIPSTATION_WEBHOOK_JWKS_URL", "jwks"),
        ("SHIPSTATION_WEBHOOK_VERIFY", "maybe"),
        ("SHIPSTATION_MCP_ALLOWED_HOSTS", "https://mcp.example.com/"),
    ],
)
def test_invalid_values_give_one_line_naming_the_variable(name: str, value: str) -> None:
    with pytest.raises(ConfigError) as error:
        live(**{name: value})
    message = str(error.value)
    assert name in message
    assert "\n" not in message
    if "TOKEN" in name or "SECRET" in name:
        assert value not in message  # a rejected secret is not echoed either


def test_data_dir_that_is_a_file_is_refused(tmp_path: Path) -> None:
    file = tmp_path / "file"
    file.write_text("x")
    with pytest.raises(ConfigError, match="SHIPSTATION_DATA_DIR"):
        live(SHIPSTATION_DATA_DIR=str(file))


@pytest.mark.parametrize(
    ("platform", "env", "expected"),
    [
        ("linux", {"HOME": "/home/m"}, "/home/m/.local/share/shipstation-mcp"),
        ("linux", {"HOME": "/home/m", "XDG_DATA_HOME": "/data"}, "/data/shipstation-mcp"),
        ("linux", {"HOME": "/home/m", "XDG_DATA_HOME": "relative"}, "/home/m/.local/share/shipstation-mcp"),
        ("darwin", {"HOME": "/Users/m"}, "/Users/m/Library/Application Support/shipstation-mcp"),
        ("win32", {"LOCALAPPDATA": "C:/Users/m/AppData/Local"}, "C:/Users/m/AppData/Local/shipstation-mcp"),
    ],
)
def test_default_data_dir_per_platform(platform: str, env: dict[str, str], expected: str) -> None:
    assert default_data_dir(env, platform=platform) == Path(expected)


def test_secrets_stay_out_of_repr() -> None:
    settings = Settings(api_key="api-key-1234", live=LiveSettings(mcp_token=TOKEN, webhook_secret=SECRET))
    text = repr(settings)
    assert TOKEN not in text and SECRET not in text and "api-key-1234" not in text


def test_cli_redacts_the_token_and_the_webhook_secret_from_logs(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    for name, value in {
        "SHIPSTATION_API_KEY": "api-key-1234",
        "SHIPSTATION_MCP_TOKEN": TOKEN,
        "SHIPSTATION_WEBHOOK_SECRET": SECRET,
        "SHIPSTATION_DATA_DIR": str(tmp_path),
    }.items():
        monkeypatch.setenv(name, value)

    def fake_serve(settings: Settings, **kwargs: Any) -> None:
        logging.getLogger("shipstation_mcp.test").warning("token=%s secret=%s", TOKEN, SECRET)

    monkeypatch.setattr(cli, "serve", fake_serve)
    cli.main(["--transport", "http", "--host", "0.0.0.0"])
    err = capsys.readouterr().err
    assert "token=[redacted] secret=[redacted]" in err
    assert TOKEN not in err and SECRET not in err


def test_webhooks_command_runs_the_receiver_without_an_api_key(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SHIPSTATION_API_KEY", raising=False)
    monkeypatch.setenv("SHIPSTATION_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("SHIPSTATION_WEBHOOK_SECRET", SECRET)
    ran: dict[str, Any] = {}

    def fake_run(app: Any, *, host: str, port: int, **_: Any) -> None:
        ran.update(app=app, host=host, port=port)
        logging.getLogger("shipstation_mcp.test").warning("secret=%s", SECRET)

    monkeypatch.setattr(web, "run_uvicorn", fake_run)
    cli.main(["webhooks", "--port", "9123"])
    assert (ran["host"], ran["port"]) == ("127.0.0.1", 9123)
    assert [route.path for route in ran["app"].routes] == ["/webhooks/shipstation"]
    err = capsys.readouterr().err
    assert SECRET not in err and str(tmp_path) in err


def test_webhooks_command_reports_a_bad_setting_in_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SHIPSTATION_WEBHOOK_VERIFY", "perhaps")
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["webhooks"])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("shipstation-mcp: SHIPSTATION_WEBHOOK_VERIFY") and "\n" not in err


def test_bare_command_still_serves(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SHIPSTATION_API_KEY", "api-key-1234")
    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(cli, "serve", lambda settings, **kw: calls.append(kw))
    cli.main([])
    assert calls == [{"transport": "stdio", "host": "127.0.0.1", "port": 8000, "no_auth": False}]
