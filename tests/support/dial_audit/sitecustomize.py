"""Imported at start-up by a child whose PYTHONPATH begins with this folder: writes every address the process dials
(`socket.connect`) or looks up (`socket.getaddrinfo`) to the file named by DIAL_AUDIT_LOG, one JSON line each.

An audit hook sees every connection the interpreter opens, whichever library opens it (httpx, urllib, asyncio)."""

import json
import os
import sys

_LOG = os.environ.get("DIAL_AUDIT_LOG")


def _record(event, args):
    if event == "socket.connect":
        entry = {"event": "connect", "address": list(args[1]) if isinstance(args[1], tuple) else str(args[1])}
    elif event == "socket.getaddrinfo":
        host = args[0].decode() if isinstance(args[0], bytes) else str(args[0])
        entry = {"event": "getaddrinfo", "address": [host, str(args[1])]}
    else:
        return
    with open(_LOG, "a", encoding="utf-8") as out:
        out.write(json.dumps(entry) + "\n")


if _LOG:
    with open(_LOG, "a", encoding="utf-8") as out:
        out.write(json.dumps({"event": "loaded", "address": [str(os.getpid())]}) + "\n")
    sys.addaudithook(_record)
