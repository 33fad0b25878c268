"""`shipstation-mcp check`, and the stdio server's start-up check of the key: is the set-up able to answer?

One cheap request to each API family's host tells which of them takes the key (`api/probe.py`); a key of a shape
no V2 or ShipEngine key has (a placeholder, a V1 `key:secret`) is named without asking. Then, where the key works:
the plan's tracking by number, the rate budget left, where the tracking webhook points. And the local side: the
data folder and store, the receiver's URL.
"""

from __future__ import annotations

import os
from pathlib import Path

import anyio
import httpx

from ..answers.setup_check import CheckLine, CheckReport
from ..api.families import SHIPENGINE, V2, ApiFamily, family_of
from ..api.probe import KeyProbe, probe_key, probe_tracking
from ..config import Settings, key_problem
from ..errors import AuthenticationError, describe_for_assistant, full_stop

__all__ = ["run_check", "startup_key_refusal"]

OPEN, CLOSE = "\u201c", "\u201d"
"""ShipStation's words are quoted, as every answer quotes them (they are data, not ours)."""
NO_NETWORK_SHAPES = ("placeholder", "'key:secret'")
KEY_SHARING = (V2, SHIPENGINE)
"""Families whose keys look alike: a key one refuses may be the other's (V1 keys come with a secret)."""


def _families_to_ask(settings: Settings) -> list[ApiFamily]:
    """The configured family, and the others a key of its kind may belong to; SHIPSTATION_BASE_URL stands for the
    configured family only, so then no other host is asked."""
    configured = family_of(settings)
    if settings.base_url or configured not in KEY_SHARING:
        return [configured]
    return [configured, *(f for f in KEY_SHARING if f is not configured)]


"""Key problems certain enough that asking ShipStation would only cost time."""


async def _probe_all(settings: Settings, transport: httpx.AsyncBaseTransport | None) -> dict[ApiFamily, KeyProbe]:
    found: dict[ApiFamily, KeyProbe] = {}

    async def one(family: ApiFamily) -> None:
        found[family] = await probe_key(settings, family, transport=transport)

    async with anyio.create_task_group() as group:
        for family in _families_to_ask(settings):
            group.start_soon(one, family)
    return found


def _key_line(settings: Settings, probes: dict[ApiFamily, KeyProbe]) -> CheckLine:
    family = family_of(settings)
    own = probes[family]
    others = [p for f, p in probes.items() if f is not family]
    taker = next((p for p in others if p.verdict in ("works", "plan")), None)
    where = f"{family.title} ({own.root})"
    if own.verdict == "works":
        return CheckLine(True, "API key", f"works with {where}", essential=True)
    if own.verdict == "plan":
        said = f" ShipStation said: {full_stop(OPEN + own.reason + CLOSE)}" if own.reason else ""
        return CheckLine(
            False,
            "API key",
            f"{where} knows the key but refused the request (HTTP 403): the plan or subscription lacks API access "
            f"or is inactive.{said}",
            "check the plan and billing in ShipStation; the key itself is fine.",
            essential=True,
        )
    if own.verdict == "unreachable":
        return CheckLine(
            False,
            "API key",
            f"could not reach {own.root}: {own.reason}.",
            "check the network connection, any proxy, and SHIPSTATION_BASE_URL (leave it unset for ShipStation).",
            essential=True,
        )
    if own.verdict == "odd":
        return CheckLine(
            False, "API key", f"{own.root} answered HTTP {own.status}: "
            + (full_stop(OPEN + own.reason + CLOSE) if own.reason else "no reason given."),
            "try again in a minute; check SHIPSTATION_BASE_URL if it is set.", essential=True,
        )  # fmt: skip
    if taker is not None:
        return CheckLine(
            False,
            "API key",
            f"{family.title} refuses it (HTTP 401), but {taker.family.title} takes it: it was made there.",
            f"set SHIPSTATION_API={taker.family.name} (now {family.name}).",
            essential=True,
        )
    hint = key_problem(settings.api_key, settings.api)
    return CheckLine(
        False,
        "API key",
        f"refused (HTTP 401) by {family.title}" + "".join(f" and by {p.family.title}" for p in others) + ".",
        hint or "copy the key again from ShipStation (Settings → Account → API Settings) into SHIPSTATION_API_KEY.",
        essential=True,
    )


async def _tracking_line(
    settings: Settings, family: ApiFamily, transport: httpx.AsyncBaseTransport | None
) -> CheckLine | None:
    if not family.can("track_by_number"):
        return None
    probe = await probe_tracking(settings, family, transport=transport)
    if probe.verdict == "works":
        return CheckLine(True, "Tracking by number", "the plan includes it (any tracking number can be tracked).")
    if probe.verdict == "plan":
        return CheckLine(
            False,
            "Tracking by number",
            "the plan does not include it (HTTP 403): only the account's own labels can be tracked.",
            "a plan with tracking, or a ShipEngine key (SHIPSTATION_API=shipengine), tracks any number.",
        )
    if probe.verdict == "missing":
        return CheckLine(
            False,
            "Tracking by number",
            f"{family.title} does not offer it here (HTTP 404): only the account's own labels can be tracked.",
            "nothing to do for the account's labels; a ShipEngine key tracks any number.",
        )
    return CheckLine(False, "Tracking by number", f"could not tell ({probe.reason or probe.status}).", "try again.")


def _rate_line(settings: Settings, probe: KeyProbe) -> CheckLine:
    remaining = probe.rate.get("x-rate-limit-remaining")
    limit = probe.rate.get("x-rate-limit-limit") or str(settings.requests_per_minute)
    if remaining is None:
        return CheckLine(
            True,
            "Rate budget",
            f"no rate-limit headers in the answer; the server keeps to {settings.requests_per_minute} requests a "
            "minute.",
        )
    if remaining.strip() in ("0", "0.0"):
        return CheckLine(
            False,
            "Rate budget",
            f"0 of {limit} requests left this minute: another integration on this key is using it all.",
            "wait a minute, or give this server its own key.",
        )
    return CheckLine(True, "Rate budget", f"{remaining} of {limit} requests left this minute.")


def _webhook_line(settings: Settings, family: ApiFamily, probe: KeyProbe) -> CheckLine:
    tracking = [h for h in probe.webhooks if (h.event or "").lower() in family.track_webhook_events]
    path = settings.live.webhook_path
    if not tracking:
        return CheckLine(
            False,
            "Tracking webhook",
            "none: ShipStation pushes no tracking updates (track_package still answers on demand).",
            f"expose the receiver (path {path}) at a public https URL and call setup_tracking_webhook with it.",
        )
    hook = tracking[0]
    url = hook.url or "(no URL)"
    if not url.rstrip("/").endswith(path.rstrip("/")):
        return CheckLine(
            False,
            "Tracking webhook",
            f"{hook.event} points to {url}, whose path is not this receiver's {path}.",
            "call setup_tracking_webhook with the receiver's public URL to repoint it.",
        )
    return CheckLine(True, "Tracking webhook", f"{hook.event} points to {url}.")


def _data_line(settings: Settings) -> CheckLine:
    from ..state.backends import store_location  # only `check` needs it: the stdio server's start-up check does not

    folder = settings.live.data_dir
    store = store_location(settings.live)
    if folder is None:
        return CheckLine(True, "Data folder", f"none; store: {store}.")
    existing = next((p for p in (folder, *folder.parents) if p.exists()), Path("/"))
    if not (existing.is_dir() and os.access(existing, os.W_OK | os.X_OK)):
        return CheckLine(
            False,
            "Data folder",
            f"{folder} cannot be written ({existing} is not a writable folder); store: {store}.",
            "set SHIPSTATION_DATA_DIR to a folder this user can write to.",
        )
    state = "exists" if folder.is_dir() else "will be created at the first update"
    return CheckLine(True, "Data folder", f"{folder} ({state}, writable); store: {store}.")


def _receiver_line(settings: Settings) -> CheckLine:
    path = settings.live.webhook_path
    return CheckLine(
        True,
        "Receiver",
        f"POST http://127.0.0.1:8000{path} with `shipstation-mcp serve --transport http`, or "
        f"http://127.0.0.1:8001{path} with `shipstation-mcp webhooks` beside a stdio server; ShipStation reaches it "
        "through your public https URL (a reverse proxy or tunnel).",
    )


async def run_check(settings: Settings, *, transport: httpx.AsyncBaseTransport | None = None) -> CheckReport:
    family = family_of(settings)
    hint = None if settings.demo else key_problem(settings.api_key, settings.api)
    lines: list[CheckLine] = []
    if hint and any(shape in hint for shape in NO_NETWORK_SHAPES):
        lines.append(CheckLine(False, "API key", "not a key ShipStation could take.", hint, essential=True))
    else:
        probes = await _probe_all(settings, transport)
        lines.append(_key_line(settings, probes))
        if probes[family].verdict == "works":
            lines += [line for line in [await _tracking_line(settings, family, transport)] if line]
            lines.append(_rate_line(settings, probes[family]))
            if family.can("track_by_number") or family.can("track_by_label"):  # tracking webhooks (not V1's)
                lines.append(_webhook_line(settings, family, probes[family]))
    lines += [_data_line(settings), _receiver_line(settings)]
    return CheckReport(tuple(lines))


async def startup_key_refusal(settings: Settings, *, transport: httpx.AsyncBaseTransport | None = None) -> str | None:
    """What to tell the user when the configured API refuses the key (HTTP 401), or None when it does not (or could
    not be asked: the first real call will say why)."""
    family = family_of(settings)
    own = await probe_key(settings, family, transport=transport)
    if own.verdict != "refused":
        return None
    error = AuthenticationError(
        f"GET /environment/webhooks answered HTTP {own.status}",
        status=own.status,
        messages=[own.reason] if own.reason else [],
    )
    error.key_hint = key_problem(settings.api_key, settings.api)
    other = next(iter(_families_to_ask(settings)[1:]), None)
    if other is not None:
        verdict = (await probe_key(settings, other, transport=transport)).verdict
        error.other_api = other.name
        error.other_api_accepts = {"works": True, "plan": True, "refused": False}.get(verdict)
    return "At start-up, " + describe_for_assistant(error)
