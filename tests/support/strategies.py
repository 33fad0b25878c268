"""Hypothesis strategies shared by the fuzz tests: hostile text, edge numbers, and any JSON value built from them."""

from __future__ import annotations

from functools import cache
from typing import Any

from hypothesis import strategies as st

INTERESTING_TEXT = [
    "",
    " ",
    ".",
    "..",
    "../../v1/carriers",
    "se-1/../../admin",
    "%2e%2e",
    "?page=2",
    "#top",
    "a&b=c",
    "\x00",
    "\r\nX-Injected: yes",
    "\t",
    "\u202e\u200b",
    "🚚📦",
    "https://evil.example/x",
    "//evil.example",
    "se-100",
    "1Z999AA10000000001",
    "9400111899223197428490",
    "ORDER-1",
    "ups",
    "2026-05-20",
    "2026-05-20T12:00:00Z",
    "0001-01-01T00:00:00+14:00",
    "9999-12-31T23:59:59-12:00",
    "NaN",
    "1e309",
]
EDGE_NUMBERS = [0, -1, 1, 2, 99, 100, 101, 200, 10_000, 2**31, 2**63, -(2**63), 10**30, 0.5, -0.0, 1e308, -1e308]


@cache  # one shared strategy: building it anew for each use made collection take ~25 s
def texts() -> st.SearchStrategy[str]:
    # Any Unicode a JSON client can encode (lone surrogates cannot even leave the MCP client).
    anything = st.characters(codec="utf-8")
    control = st.characters(codec="utf-8", categories=["Cc", "Cf", "Zs", "Zl", "Zp"])
    interesting = st.sampled_from(INTERESTING_TEXT)
    return st.one_of(
        st.sampled_from(["", " ", "\x00"]),
        st.sampled_from(["", " ", "\x00"]),
        interesting,
        interesting,
        st.builds(lambda a, b, c: a + b + c, st.sampled_from(["se-", "1Z", " "]), interesting, interesting),
        st.text(anything, max_size=30),
        st.text(st.one_of(control, anything), max_size=20),
        st.builds(lambda ch, n: ch * n, anything, st.sampled_from([201, 5_000, 200_000])),
    )


@cache
def json_values() -> st.SearchStrategy[Any]:
    scalars = st.one_of(st.none(), st.booleans(), st.sampled_from(EDGE_NUMBERS), texts())
    return st.recursive(
        scalars, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(texts(), inner, max_size=3), max_leaves=6
    )
