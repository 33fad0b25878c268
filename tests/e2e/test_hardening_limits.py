"""Attacks on a real `shipstation-mcp` process found by the hostile review (issue 21), reproduced on 127.0.0.1:
descriptor exhaustion under a 1,024 open-file limit, a JWKS refetch spent by an unsigned probe, forged log lines,
and OAuth claims no number can hold."""

from __future__ import annotations

import base64
import contextlib
import json
import resource
import socket
import time
from pathlib import Path

import httpx
import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding

from shipstation_mcp.http_app import JwtVerifier
from tests.support.hardening_kit import base_env, server_process
from tests.support.webhook_kit import SigningKey, body_of, jwks_server, payload

PATH = "/webhooks/shipstation"
KEY = SigningKey("kid-limits")
IDLE = 2000
FILES = 1024


def test_2000_idle_connections_under_a_1024_file_limit_leave_deliveries_fast_and_the_log_quiet(tmp_path: Path) -> None:
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < IDLE + 200:
        pytest.skip(f"ulimit -n is {soft}; this test holds {IDLE} client sockets itself")
    with jwks_server(KEY) as keys:
        env = base_env(tmp_path, SHIPSTATION_WEBHOOK_JWKS_URL=keys.url, SHIPSTATION_HTTP_TIMEOUT="60")
        log = tmp_path / "r.log"
        with server_process(["webhooks"], env, ready_path=PATH, log=log, open_files=FILES) as receiver:
            idle = []
            for _ in range(IDLE):
                sock = socket.socket()
                sock.setblocking(False)
                with contextlib.suppress(BlockingIOError):
                    sock.connect(("127.0.0.1", receiver.port))
                idle.append(sock)
            time.sleep(1.0)  # the server meets the flood
            times = []
            with httpx.Client(timeout=30) as http:
                for n in range(5):
                    body = body_of(payload(status_code="IT", status_description=f"scan {n}"))
                    started = time.monotonic()
                    answer = http.post(
                        receiver.base + PATH, content=body, headers={**KEY.headers(body), "connection": "close"}
                    )
                    times.append(time.monotonic() - started)
                    assert answer.status_code == 200, answer.text
                    time.sleep(0.5)
            for sock in idle:
                sock.close()
            text = receiver.stderr()
    lines = text.splitlines()
    print(f"deliveries {max(times):.2f} s at most; {len(lines)} log lines, {len(text)} bytes")
    assert max(times) < 1.0
    assert "Traceback" not in text
    assert "out of system resource" not in text
    assert len(lines) < 20, lines[-10:]


# ----------------------------------------------------------------------------- OAuth time claims

ISSUER = "https://login.example.com"
AUDIENCE = "https://mcp.example.com/mcp"
ISSUER_KEY = SigningKey("issuer-key-1")
NOW = 1_800_000_000


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def raw_jwt(claims_json: str) -> str:
    """A token signed by the trusted issuer whose claims are exactly `claims_json` (numbers JSON cannot round-trip
    through Python, such as 1e400, are written as the attacker wrote them)."""
    head = _b64(json.dumps({"alg": "RS256", "kid": ISSUER_KEY.kid, "typ": "JWT"}).encode())
    signing_input = head + "." + _b64(claims_json.encode())
    signature = ISSUER_KEY.private.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
    return signing_input + "." + _b64(signature)


def claims(**times: str) -> str:
    base = {"exp": str(NOW + 300), "iat": str(NOW), **times}
    fixed = f'"iss": "{ISSUER}", "aud": "{AUDIENCE}", "sub": "user-1", "scope": "mcp"'
    return "{" + fixed + "".join(f', "{name}": {value}' for name, value in base.items()) + "}"


ODD_TIMES = ["1e400", "-1e400", "NaN", "Infinity", "1" + "0" * 40, "-5", "true", '"1800000300"', "null", "[]", "{}"]


class Keys:
    async def key_for(self, kid: str) -> object:
        return ISSUER_KEY.private.public_key() if kid == ISSUER_KEY.kid else None


@pytest.mark.anyio
@pytest.mark.parametrize("claim", ["exp", "nbf", "iat"])
async def test_time_claims_of_any_size_or_type_refuse_the_token(claim: str) -> None:
    verifier = JwtVerifier(ISSUER, AUDIENCE, Keys(), clock=lambda: NOW)  # type: ignore[arg-type]
    assert await verifier.verify_token(raw_jwt(claims())) is not None  # the same token with sane times works
    for odd in ODD_TIMES:
        assert await verifier.verify_token(raw_jwt(claims(**{claim: odd}))) is None, odd


@pytest.mark.anyio
async def test_a_token_with_exp_1e400_gets_401_and_no_traceback(tmp_path: Path) -> None:
    with jwks_server(ISSUER_KEY) as issuer_keys:
        env = base_env(
            tmp_path,
            SHIPSTATION_OAUTH_ISSUER=ISSUER,
            SHIPSTATION_OAUTH_AUDIENCE=AUDIENCE,
            SHIPSTATION_OAUTH_JWKS_URL=issuer_keys.url,
        )
        with server_process(["--demo", "--transport", "http"], env, ready_path="/mcp", log=tmp_path / "e.log") as srv:
            async with httpx.AsyncClient(timeout=10) as http:
                statuses = []
                for odd in ("1e400", "NaN", '"soon"'):
                    token = raw_jwt(claims(exp=odd, iat=str(int(time.time()))))
                    answer = await http.post(
                        srv.base + "/mcp",
                        json={"jsonrpc": "2.0", "id": 1, "method": "ping"},
                        headers={"authorization": f"Bearer {token}", "accept": "application/json, text/event-stream"},
                    )
                    statuses.append(answer.status_code)
            log = srv.stderr()
    assert statuses == [401, 401, 401]
    assert "Traceback" not in log


# ----------------------------------------------------------------------------- log injection


def test_a_signed_delivery_and_a_probe_cannot_forge_log_lines(tmp_path: Path) -> None:
    forged = "\r\n1999-01-01 00:00:00,000 ERROR shipstation_mcp: FORGED \x1b[2J\x1b]0;owned\x07"
    with jwks_server(KEY) as keys:
        env = base_env(tmp_path, SHIPSTATION_WEBHOOK_JWKS_URL=keys.url)
        with server_process(["webhooks"], env, ready_path=PATH, log=tmp_path / "r.log") as receiver:
            body = body_of(payload(status_code="IT", status_description="In transit" + forged))
            with httpx.Client(timeout=10) as http:
                stored = http.post(receiver.base + PATH, content=body, headers=KEY.headers(body))
                stale = http.post(
                    receiver.base + PATH,
                    content=body,
                    headers={**KEY.headers(body), "x-shipengine-timestamp": "1999" + forged.replace("\r\n", "\t")},
                )
            log = receiver.stderr()
    assert stored.status_code == 200 and stale.status_code == 400
    assert "\x1b" not in log and "\r" not in log and "\x07" not in log
    assert [line for line in log.splitlines() if line.startswith("1999-01-01")] == []
