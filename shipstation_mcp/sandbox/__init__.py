"""The offline demo account: a fictional shop's ShipStation data, served below `ShipStationClient`.

`SandboxTransport` is an `httpx` transport, so with `--demo` the settings, client, retries, parsing, summaries and
tools all run exactly as in production; only the network is replaced. See `account.py` for what the account holds.
"""

from .transport import Clock, SandboxTransport

__all__ = ["Clock", "SandboxTransport"]
