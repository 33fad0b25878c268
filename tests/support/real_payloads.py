"""Where the real payloads others recorded live (`../shared/real-payloads/`), for tests that skip without them.

They are read in place, never copied into the repository."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

REAL_PAYLOADS = Path(__file__).resolve().parents[2].parent / "shared" / "real-payloads" / "payloads"


def real_kind(kind: str) -> Path:
    """The folder of one kind of payload; skips the test when the shared folder is absent."""
    folder = REAL_PAYLOADS / kind
    if not folder.is_dir():
        pytest.skip(f"no real payloads at {folder}")
    return folder


def real_payload(kind: str, name: str) -> tuple[Any, dict[str, Any]]:
    """(payload, meta) of `payloads/<kind>/<name>.json`; skips the test when it is absent."""
    path = real_kind(kind) / f"{name}.json"
    if not path.is_file():
        pytest.skip(f"no real payload {path}")
    return json.loads(path.read_text()), json.loads(path.with_suffix(".meta").read_text())
