"""Settings from the environment and `.env`, and how the command line reports a bad one (run in-process)."""

from __future__ import annotations

import dataclasses
import os
import re
from pathlib import Path
from typing import Any

import pytest

from shipstation_mcp import __version__, cli
from shipstation_mcp.config import ConfigError, Settings, load_settings
from tests.support.cli import run_cli as in_process

PACKAGE_DIR = Path(__file__).resolve().parents[1] / "shipstation_mcp"
CANARY_KEY = "CANARY-k3y-5f3c9e1d7a2b4c6e"


@pytest.fixture
def no_dotenv(tmp_path: Path) -> Path:
    """A `.env` path that does not exist, so only the given environment counts."""
    return tmp_path / ".env"


def write_dotenv(tmp_path: Path, text: str) -> Path:
    path = tmp_path / ".env"
    path.write_text(text, encoding="utf-8")
    return path


# --------------------------------------------------------------------------------------------------- values


def test_defaults(no_dotenv: Path) -> None:
    settings = load_settings(environ={"SHIPSTATION_API_KEY": "key-123"}, dotenv_path=no_dotenv)
    expected = Settings(api_key="key-123", api="v2", base_url=None, timeout=30.0, max_retries=3, demo=False)
    assert dataclasses.replace(settings, live=expected.live) == expected
    assert settings.host == "https://api.shipstation.com"
    assert settings.prefix == "/v2"
    assert settings.api_root == "https://api.shipstation.com/v2"
    assert settings.is_sandbox_key is False


@pytest.mark.parametrize(
    ("variable", "raw", "attribute", "expected"),
    [
        ("SHIPSTATION_API", "v2", "api", "v2"),
        ("SHIPSTATION_API", "shipengine", "api", "shipengine"),
        ("SHIPSTATION_API", " ShipEngine ", "api", "shipengine"),
        ("SHIPSTATION_API", "V2", "api", "v2"),
        ("SHIPSTATION_API", "", "api", "v2"),
        ("SHIPSTATION_BASE_URL", "http://127.0.0.1:9999", "base_url", "http://127.0.0.1:9999"),
        ("SHIPSTATION_BASE_URL", "http://127.0.0.1:9999/", "base_url", "http://127.0.0.1:9999"),
        ("SHIPSTATION_BASE_URL", " https://proxy.example.test/ss ", "base_url", "https://proxy.example.test/ss"),
        ("SHIPSTATION_BASE_URL", "", "base_url", None),
        ("SHIPSTATION_TIMEOUT", "7.5", "timeout", 7.5),
        ("SHIPSTATION_TIMEOUT", "120", "timeout", 120.0),
        ("SHIPSTATION_TIMEOUT", "0.1", "timeout", 0.1),
        ("SHIPSTATION_TIMEOUT", " 12 ", "timeout", 12.0),
        ("SHIPSTATION_TIMEOUT", "", "timeout", 30.0),
        ("SHIPSTATION_MAX_RETRIES", "0", "max_retries", 0),
        ("SHIPSTATION_MAX_RETRIES", "10", "max_retries", 10),
        ("SHIPSTATION_MAX_RETRIES", " 5 ", "max_retries", 5),
        ("SHIPSTATION_MAX_RETRIES", "", "max_retries", 3),
        ("SHIPSTATION_DEMO", "1", "demo", True),
        ("SHIPSTATION_DEMO", "true", "demo", True),
        ("SHIPSTATION_DEMO", "YES", "demo", True),
        ("SHIPSTATION_DEMO", "0", "demo", False),
        ("SHIPSTATION_DEMO", "off", "demo", False),
        ("SHIPSTATION_API_KEY", "  key-with-blanks  ", "api_key", "key-with-blanks"),
    ],
)
def test_each_variable_is_parsed(no_dotenv: Path, variable: str, raw: str, attribute: str, expected: Any) -> None:
    environ = {"SHIPSTATION_API_KEY": "key-123", variable: raw}
    settings = load_settings(environ=environ, dotenv_path=no_dotenv)
    assert getattr(settings, attribute) == expected


@pytest.mark.parametrize(
    ("api", "base_url", "root"),
    [
        ("v2", None, "https://api.shipstation.com/v2"),
        ("shipengine", None, "https://api.shipengine.com/v1"),
        ("v2", "http://127.0.0.1:9999", "http://127.0.0.1:9999/v2"),
        ("shipengine", "http://127.0.0.1:9999/", "http://127.0.0.1:9999/v1"),
    ],
)
def test_api_root_follows_flavour_and_override(no_dotenv: Path, api: str, base_url: str | None, root: str) -> None:
    environ = {"SHIPSTATION_API_KEY": "k-1234", "SHIPSTATION_API": api, "SHIPSTATION_BASE_URL": base_url or ""}
    assert load_settings(environ=environ, dotenv_path=no_dotenv).api_root == root


def test_sandbox_key_is_recognised(no_dotenv: Path) -> None:
    settings = load_settings(environ={"SHIPSTATION_API_KEY": "TEST_abc123"}, dotenv_path=no_dotenv)
    assert settings.is_sandbox_key is True


# --------------------------------------------------------------------------------------------------- .env


def test_dotenv_supplies_what_the_environment_does_not(tmp_path: Path) -> None:
    dotenv = write_dotenv(
        tmp_path,
        "# comment\n"
        "SHIPSTATION_API_KEY=from-dotenv\n"
        "SHIPSTATION_API=shipengine\n"
        'SHIPSTATION_TIMEOUT="12.5"\n'
        "export SHIPSTATION_MAX_RETRIES=1\n"
        "SHIPSTATION_BASE_URL='http://127.0.0.1:9999'\n",
    )
    settings = load_settings(environ={}, dotenv_path=dotenv)
    expected = Settings(
        api_key="from-dotenv", api="shipengine", base_url="http://127.0.0.1:9999", timeout=12.5, max_retries=1
    )
    assert dataclasses.replace(settings, live=expected.live) == expected


def test_dotenv_never_overrides_the_real_environment(tmp_path: Path) -> None:
    dotenv = write_dotenv(
        tmp_path,
        "SHIPSTATION_API_KEY=from-dotenv\nSHIPSTATION_API=shipengine\nSHIPSTATION_TIMEOUT=5\n",
    )
    environ = {"SHIPSTATION_API_KEY": "from-environment", "SHIPSTATION_API": "v2"}
    settings = load_settings(environ=environ, dotenv_path=dotenv)
    assert settings.api_key == "from-environment"
    assert settings.api == "v2"
    assert settings.timeout == 5.0  # not set in the environment, so the .env value counts


def test_bad_value_in_dotenv_is_reported_like_one_in_the_environment(tmp_path: Path) -> None:
    dotenv = write_dotenv(tmp_path, "SHIPSTATION_API_KEY=k-1234\nSHIPSTATION_TIMEOUT=soon\n")
    with pytest.raises(ConfigError, match="SHIPSTATION_TIMEOUT"):
        load_settings(environ={}, dotenv_path=dotenv)


def test_dotenv_in_the_working_directory_is_read_by_default(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_dotenv(tmp_path, "SHIPSTATION_API_KEY=from-cwd\n")
    monkeypatch.chdir(tmp_path)
    assert load_settings(environ={}).api_key == "from-cwd"


def test_process_environment_is_used_when_none_is_given(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHIPSTATION_API_KEY", "from-os-environ")
    monkeypatch.setenv("SHIPSTATION_MAX_RETRIES", "7")
    settings = load_settings(dotenv_path=tmp_path / ".env")
    assert (settings.api_key, settings.max_retries) == ("from-os-environ", 7)


# --------------------------------------------------------------------------------------------------- bad values

INVALID = [
    ("SHIPSTATION_API", "v3"),
    ("SHIPSTATION_API", "shipstation"),
    ("SHIPSTATION_API", "v1"),
    ("SHIPSTATION_TIMEOUT", "abc"),
    ("SHIPSTATION_TIMEOUT", "30s"),
    ("SHIPSTATION_TIMEOUT", "-1"),
    ("SHIPSTATION_TIMEOUT", "0"),
    ("SHIPSTATION_TIMEOUT", "nan"),
    ("SHIPSTATION_TIMEOUT", "NaN"),
    ("SHIPSTATION_TIMEOUT", "inf"),
    ("SHIPSTATION_TIMEOUT", "-inf"),
    ("SHIPSTATION_TIMEOUT", "1e400"),
    ("SHIPSTATION_MAX_RETRIES", "-1"),
    ("SHIPSTATION_MAX_RETRIES", "11"),
    ("SHIPSTATION_MAX_RETRIES", "3.5"),
    ("SHIPSTATION_MAX_RETRIES", "many"),
    ("SHIPSTATION_MAX_RETRIES", "1e3"),
    ("SHIPSTATION_BASE_URL", "ftp://api.example.test"),
    ("SHIPSTATION_BASE_URL", "api.shipstation.com"),
    ("SHIPSTATION_BASE_URL", "http://"),
    ("SHIPSTATION_BASE_URL", "file:///etc/passwd"),
    ("SHIPSTATION_BASE_URL", "javascript:alert(1)"),
    ("SHIPSTATION_BASE_URL", "https://proxy.example.test/?key=1"),
    ("SHIPSTATION_BASE_URL", "https://proxy.example.test/#top"),
    ("SHIPSTATION_DEMO", "maybe"),
    ("SHIPSTATION_API_KEY", "abc\ndef-123"),
    ("SHIPSTATION_API_KEY", "abc\rdef-123"),
    ("SHIPSTATION_API_KEY", "abc\0def-123"),
]


@pytest.mark.parametrize(("variable", "raw"), INVALID, ids=[f"{v}={r!r}" for v, r in INVALID])
def test_invalid_value_raises_one_line_naming_the_variable(no_dotenv: Path, variable: str, raw: str) -> None:
    environ = {"SHIPSTATION_API_KEY": "key-1234", variable: raw}
    with pytest.raises(ConfigError) as caught:
        load_settings(environ=environ, dotenv_path=no_dotenv)
    message = str(caught.value)
    assert variable in message
    assert "\n" not in message and "\r" not in message
    assert len(message) < 400


def test_invalid_key_message_does_not_repeat_the_key(no_dotenv: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(environ={"SHIPSTATION_API_KEY": f"{CANARY_KEY}\nsecond-line"}, dotenv_path=no_dotenv)
    assert CANARY_KEY not in str(caught.value)
    assert CANARY_KEY not in repr(caught.value)


def test_config_error_is_a_value_error() -> None:
    assert issubclass(ConfigError, ValueError)


@pytest.mark.parametrize("environ", [{}, {"SHIPSTATION_API_KEY": ""}, {"SHIPSTATION_API_KEY": "   "}])
def test_missing_key_says_how_to_set_it_and_mentions_demo(no_dotenv: Path, environ: dict[str, str]) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(environ=environ, dotenv_path=no_dotenv)
    message = str(caught.value)
    assert "SHIPSTATION_API_KEY" in message
    assert ".env" in message
    assert "--demo" in message
    assert "\n" not in message


@pytest.mark.parametrize(
    ("environ", "demo"),
    [({}, True), ({"SHIPSTATION_DEMO": "1"}, None), ({"SHIPSTATION_DEMO": "0"}, True)],
)
def test_demo_mode_needs_no_key(no_dotenv: Path, environ: dict[str, str], demo: bool | None) -> None:
    settings = load_settings(environ=environ, dotenv_path=no_dotenv, demo=demo)
    assert settings.demo is True
    assert settings.api_key  # a placeholder, never sent anywhere real


def test_demo_flag_false_beats_the_variable(no_dotenv: Path) -> None:
    with pytest.raises(ConfigError, match="SHIPSTATION_API_KEY"):
        load_settings(environ={"SHIPSTATION_DEMO": "1"}, dotenv_path=no_dotenv, demo=False)


def test_demo_mode_still_checks_other_settings(no_dotenv: Path) -> None:
    with pytest.raises(ConfigError, match="SHIPSTATION_TIMEOUT"):
        load_settings(environ={"SHIPSTATION_TIMEOUT": "-3"}, dotenv_path=no_dotenv, demo=True)


def test_settings_repr_hides_the_key(no_dotenv: Path) -> None:
    settings = load_settings(environ={"SHIPSTATION_API_KEY": CANARY_KEY}, dotenv_path=no_dotenv)
    assert CANARY_KEY not in repr(settings)
    assert CANARY_KEY not in str(settings)
    assert "v2" in repr(settings)


# --------------------------------------------------------------------------------------------------- command line


@dataclasses.dataclass
class Ran:
    returncode: int
    stdout: str
    stderr: str


@pytest.fixture
def run_cli(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path):
    """`shipstation-mcp ARGS` in-process, with only the given SHIPSTATION_* variables, in `tmp_path`, never serving."""

    def run(*args: str, env: dict[str, str] | None = None) -> Ran:
        for name in list(os.environ):
            if name.startswith("SHIPSTATION_"):
                monkeypatch.delenv(name)
        for name, value in (env or {}).items():
            monkeypatch.setenv(name, value)
        monkeypatch.setenv("COLUMNS", "80")  # --help wraps as it does on a pipe
        monkeypatch.chdir(tmp_path)
        monkeypatch.setattr(cli, "serve", lambda *a, **k: pytest.fail("a refused start must not serve"))
        capsys.readouterr()
        code = in_process(args)
        out, err = capsys.readouterr()
        return Ran(code, out, err)

    return run


CLI_BAD_SETTINGS = [
    ({}, "SHIPSTATION_API_KEY"),
    ({"SHIPSTATION_API_KEY": "   "}, "SHIPSTATION_API_KEY"),
    ({"SHIPSTATION_API_KEY": CANARY_KEY, "SHIPSTATION_API": "v3"}, "SHIPSTATION_API"),
    ({"SHIPSTATION_API_KEY": CANARY_KEY, "SHIPSTATION_TIMEOUT": "thirty"}, "SHIPSTATION_TIMEOUT"),
    ({"SHIPSTATION_API_KEY": CANARY_KEY, "SHIPSTATION_TIMEOUT": "nan"}, "SHIPSTATION_TIMEOUT"),
    ({"SHIPSTATION_API_KEY": CANARY_KEY, "SHIPSTATION_MAX_RETRIES": "99"}, "SHIPSTATION_MAX_RETRIES"),
    ({"SHIPSTATION_API_KEY": CANARY_KEY, "SHIPSTATION_BASE_URL": "ftp://x.example"}, "SHIPSTATION_BASE_URL"),
    ({"SHIPSTATION_API_KEY": f"{CANARY_KEY}\nx"}, "SHIPSTATION_API_KEY"),
    ({"SHIPSTATION_API_KEY": CANARY_KEY, "SHIPSTATION_LOG_LEVEL": "LOUD"}, "SHIPSTATION_LOG_LEVEL"),
    ({"SHIPSTATION_API_KEY": CANARY_KEY, "SHIPSTATION_DEMO": "perhaps"}, "SHIPSTATION_DEMO"),
]


@pytest.mark.parametrize(
    ("env", "variable"), CLI_BAD_SETTINGS, ids=[f"{v}-{i}" for i, (_, v) in enumerate(CLI_BAD_SETTINGS)]
)
def test_cli_bad_setting_exits_with_one_clear_line(run_cli, env: dict[str, str], variable: str) -> None:
    result = run_cli(env=env)

    assert result.returncode != 0
    assert result.stdout == "", "stdout belongs to the MCP protocol"
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("shipstation-mcp: ")
    assert variable in lines[0]
    assert "Traceback" not in result.stderr
    assert CANARY_KEY not in result.stderr


def test_cli_missing_key_points_at_demo(run_cli) -> None:
    result = run_cli()
    assert result.returncode == 2
    assert "--demo" in result.stderr
    assert "SHIPSTATION_API_KEY=" in result.stderr


def test_cli_reads_dotenv_from_the_working_directory(run_cli, tmp_path: Path) -> None:
    write_dotenv(tmp_path, f"SHIPSTATION_API_KEY={CANARY_KEY}\nSHIPSTATION_API=v9\n")
    result = run_cli()
    assert result.returncode == 2
    assert result.stdout == ""
    assert "SHIPSTATION_API must be" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_cli_bad_port_is_refused_without_a_traceback(run_cli) -> None:
    result = run_cli("--port", "70000", env={"SHIPSTATION_API_KEY": CANARY_KEY})
    assert result.returncode == 2
    assert result.stdout == ""
    assert "--port" in result.stderr
    assert "Traceback" not in result.stderr


def _variables_named_in_package() -> set[str]:
    names: set[str] = set()
    for path in PACKAGE_DIR.glob("*.py"):
        names.update(re.findall(r"\bSHIPSTATION_[A-Z_]*[A-Z]\b", path.read_text(encoding="utf-8")))
    return names


EXPECTED_VARIABLES = {
    "SHIPSTATION_API_KEY",
    "SHIPSTATION_API",
    "SHIPSTATION_BASE_URL",
    "SHIPSTATION_TIMEOUT",
    "SHIPSTATION_MAX_RETRIES",
    "SHIPSTATION_DEMO",
    "SHIPSTATION_LOG_LEVEL",
}
EXPECTED_FLAGS = ["--help", "--version", "--transport", "--host", "--port", "--demo", "--log-level"]


def test_cli_help_names_every_setting_and_flag(run_cli) -> None:
    result = run_cli("--help")

    assert result.returncode == 0
    help_text = result.stdout
    # Every variable the package reads is documented, not just the ones this test knows about.
    variables = EXPECTED_VARIABLES | _variables_named_in_package()
    documented = set(re.findall(r"\bSHIPSTATION_[A-Z_]*[A-Z]\b", help_text))
    assert variables <= documented, f"undocumented: {sorted(variables - documented)}"
    for flag in EXPECTED_FLAGS:
        assert re.search(rf"(?<![\w-]){re.escape(flag)}\b", help_text), f"{flag} missing from --help"
    for choice in ("stdio", "http"):
        assert choice in help_text
    for default in ("[default: v2]", "[default: 30]", "[default: 3]"):
        assert default in help_text


def test_cli_version(run_cli) -> None:
    result = run_cli("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"shipstation-mcp {__version__}"
    assert result.stderr == ""
