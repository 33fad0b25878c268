"""Headless Chromium driven over the DevTools protocol on a pipe (`--remote-debugging-pipe`): no port, no
websocket, no extra package. Chromium reads commands from fd 3 and writes answers to fd 4, each one JSON message
ended by a NUL byte.

    with Chromium.start(profile_dir) as browser:
        page = browser.new_page()
        page.navigate(url)
        value = page.evaluate("document.title")
"""

from __future__ import annotations

import base64
import fcntl
import json
import os
import select
import shutil
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

CHROMIUM = "/usr/bin/chromium"

# The network is closed here: without these Chromium waits on refused connections (updates, sync, QUIC probes).
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--disable-dev-shm-usage",
    "--hide-scrollbars",
    "--mute-audio",
    "--remote-debugging-pipe",
)


def chromium_path() -> str | None:
    if os.access(CHROMIUM, os.X_OK):
        return CHROMIUM
    return shutil.which("chromium")


def _high(*fds: int) -> tuple[int, ...]:
    """The fds moved to 10 and up, clear of the 3 and 4 the shell hands to Chromium."""
    moved = tuple(fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10) for fd in fds)
    for fd in fds:
        os.close(fd)
    return moved


class CdpError(RuntimeError):
    pass


class Browser:
    def __init__(self, process: subprocess.Popen[bytes], to_browser: int, from_browser: int) -> None:
        self.process = process
        self._out = to_browser
        self._in = from_browser
        self._buffer = b""
        self._next_id = 0
        self.events: list[dict[str, Any]] = []

    @classmethod
    @contextmanager
    def start(
        cls, profile_dir: Path, *, env: dict[str, str] | None = None, stderr: Any = subprocess.DEVNULL
    ) -> Iterator[Browser]:
        executable = chromium_path()
        assert executable, "no chromium"
        commands_read, commands_write = _high(*os.pipe())
        answers_read, answers_write = _high(*os.pipe())
        # bash (dash takes single-digit fds only) puts the pipe ends on the fds Chromium expects (3, 4) and execs it.
        script = f'exec "$0" "$@" 3<&{commands_read} 4>&{answers_write} {commands_read}<&- {answers_write}>&-'
        process = subprocess.Popen(
            ["/bin/bash", "-c", script, executable, *FLAGS, f"--user-data-dir={profile_dir}", "about:blank"],
            pass_fds=(commands_read, answers_write),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
            env={**os.environ, **(env or {})},
        )
        os.close(commands_read)
        os.close(answers_write)
        browser = cls(process, commands_write, answers_read)
        try:
            yield browser
        finally:
            with suppress(CdpError, OSError, TimeoutError):
                browser.send("Browser.close", timeout=5)
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            os.close(commands_write)
            os.close(answers_read)

    def _read(self, deadline: float) -> dict[str, Any]:
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("Chromium did not answer in time")
            ready, _, _ = select.select([self._in], [], [], left)
            if ready:
                chunk = os.read(self._in, 1 << 20)
                if not chunk:
                    raise CdpError(f"Chromium closed the pipe (exit code {self.process.poll()})")
                self._buffer += chunk
        message, _, self._buffer = self._buffer.partition(b"\0")
        return json.loads(message)

    def send(
        self, method: str, params: dict[str, Any] | None = None, *, session: str | None = None, timeout: float = 10
    ) -> dict[str, Any]:
        self._next_id += 1
        ident = self._next_id
        message: dict[str, Any] = {"id": ident, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self._out, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while True:
            answer = self._read(deadline)
            if answer.get("id") == ident:
                if "error" in answer:
                    raise CdpError(f"{method}: {answer['error'].get('message')}")
                return answer.get("result", {})
            self.events.append(answer)

    def wait_for_event(self, match: Callable[[dict[str, Any]], bool], timeout: float = 10) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            for index, event in enumerate(self.events):
                if match(event):
                    return self.events.pop(index)
            self.events.append(self._read(deadline))

    def new_page(self, width: int, height: int) -> Page:
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        page = Page(self, session)
        page.send("Page.enable")
        page.send("Runtime.enable")
        page.send(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
        )
        # Frames in other processes (sandboxed iframes) get their own sessions, announced as attachedToTarget.
        # They wait until the test has subscribed to their console and errors (see attach_frame).
        page.send("Target.setAutoAttach", {"autoAttach": True, "waitForDebuggerOnStart": True, "flatten": True})
        return page


class Page:
    def __init__(self, browser: Browser, session: str) -> None:
        self.browser = browser
        self.session = session

    def send(self, method: str, params: dict[str, Any] | None = None, timeout: float = 10) -> dict[str, Any]:
        return self.browser.send(method, params, session=self.session, timeout=timeout)

    def navigate(self, url: str) -> None:
        self.send("Page.navigate", {"url": url})
        self.browser.wait_for_event(
            lambda e: e.get("method") == "Page.loadEventFired" and e.get("sessionId") == self.session
        )

    def attach_frame(self, session: str) -> None:
        """Record an auto-attached frame's console, CSP reports and uncaught errors, then let it run."""
        for method in ("Runtime.enable", "Log.enable", "Runtime.runIfWaitingForDebugger"):
            self.browser.send(method, session=session)

    def problems(self, session: str) -> list[str]:
        """Errors the frame reported: uncaught exceptions, console errors, blocked content (CSP)."""
        found = []
        for event in self.browser.events:
            if event.get("sessionId") != session:
                continue
            method, params = event.get("method"), event.get("params", {})
            if method == "Runtime.exceptionThrown":
                found.append(params["exceptionDetails"].get("text", "exception"))
            elif method == "Runtime.consoleAPICalled" and params.get("type") in {"error", "warning", "assert"}:
                found.append(" ".join(str(a.get("value", a.get("description", ""))) for a in params.get("args", [])))
            elif method == "Log.entryAdded" and params["entry"].get("level") in {"error", "warning"}:
                found.append(params["entry"].get("text", ""))
        return found

    def evaluate(self, expression: str, *, context: int | None = None, session: str | None = None) -> Any:
        params: dict[str, Any] = {"expression": expression, "returnByValue": True, "awaitPromise": True}
        if context is not None:
            params["contextId"] = context
        result = self.browser.send("Runtime.evaluate", params, session=session or self.session)
        if "exceptionDetails" in result:
            details = result["exceptionDetails"]
            why = details.get("exception", {}).get("description") or details.get("text")
            raise CdpError(f"{expression[:60]}…: {why}")
        return result["result"].get("value")

    def screenshot(self, path: Path, clip: dict[str, float]) -> Path:
        data = self.send(
            "Page.captureScreenshot", {"format": "png", "clip": {**clip, "scale": 1}, "captureBeyondViewport": True}
        )["data"]
        path.write_bytes(base64.b64decode(data))
        return path
