"""Headless Chromium driven over the DevTools protocol, for the browser-seat tests.

    async with Browser.launch(require_service("chromium"), tmp_path) as browser:
        page = await browser.open_terminal_page("http://127.0.0.1:8000/")
        text = await page.wait_for_text("INC-0001")
        await page.screenshot(tmp_path / "seat.png")

textual-serve draws with xterm.js on a canvas/WebGL, so the page's DOM holds no text. The
page gets a hook before its scripts run (``Page.addScriptToEvaluateOnNewDocument``) that
records every xterm ``Terminal`` object as it is built; ``terminal_text()`` then reads the
terminal's own buffer (``buffer.active.getLine(y).translateToString()``): what the screen
really shows, not what was sent over the websocket.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import subprocess
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--no-default-browser-check",
    "--remote-debugging-address=127.0.0.1",
    "--remote-debugging-port=0",
)

# xterm's Terminal assigns this._addonManager in its constructor; a setter on Object.prototype
# sees that assignment first, keeps the instance, then stores the value as an own property.
CAPTURE_XTERM = """
(() => {
  window.__ircmdTerminals = [];
  Object.defineProperty(Object.prototype, "_addonManager", {
    configurable: true,
    set(value) {
      window.__ircmdTerminals.push(this);
      Object.defineProperty(this, "_addonManager", {
        value, writable: true, configurable: true, enumerable: true,
      });
    },
  });
})();
"""

READ_TERMINAL = """
(() => {
  const terms = (window.__ircmdTerminals || []).filter(t => t && t.buffer && t.buffer.active);
  if (!terms.length) return null;
  const term = terms[terms.length - 1];
  const buffer = term.buffer.active;
  const lines = [];
  for (let y = 0; y < term.rows; y++) {
    const line = buffer.getLine(buffer.viewportY + y);
    lines.push(line ? line.translateToString(true) : "");
  }
  return {cols: term.cols, rows: term.rows, text: lines.join("\\n")};
})()
"""


class BrowserError(AssertionError):
    pass


@dataclass
class Page:
    ws: aiohttp.ClientWebSocketResponse
    _next_id: int = 0
    _pending: dict[int, asyncio.Future[dict[str, Any]]] = field(default_factory=dict)
    _reader: asyncio.Task[None] | None = None
    console: list[str] = field(default_factory=list)

    def start(self) -> None:
        self._reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        async for message in self.ws:
            if message.type != aiohttp.WSMsgType.TEXT:
                continue
            data = json.loads(message.data)
            if "id" in data and data["id"] in self._pending:
                self._pending.pop(data["id"]).set_result(data)
            elif data.get("method") == "Runtime.consoleAPICalled":
                args = data["params"].get("args", [])
                self.console.append(" ".join(str(a.get("value", "")) for a in args))
        for future in self._pending.values():
            future.set_exception(BrowserError("DevTools connection closed"))

    async def send(self, method: str, **params: Any) -> dict[str, Any]:
        self._next_id += 1
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._pending[self._next_id] = future
        await self.ws.send_json({"id": self._next_id, "method": method, "params": params})
        reply = await asyncio.wait_for(future, 30)
        if "error" in reply:
            raise BrowserError(f"{method}: {reply['error']}")
        return dict(reply.get("result", {}))

    async def evaluate(self, expression: str) -> Any:
        result = await self.send("Runtime.evaluate", expression=expression, returnByValue=True)
        if "exceptionDetails" in result:
            raise BrowserError(f"evaluate failed: {result['exceptionDetails']}")
        return result["result"].get("value")

    async def terminal_text(self) -> str:
        """The text on the xterm screen, one line per row ('' before the terminal exists)."""
        value = await self.evaluate(READ_TERMINAL)
        return str(value["text"]) if value else ""

    async def wait_for_text(self, *needles: str, timeout: float = 30.0) -> str:
        deadline = time.monotonic() + timeout
        text = ""
        while time.monotonic() < deadline:
            text = await self.terminal_text()
            if all(n in text for n in needles):
                return text
            await asyncio.sleep(0.2)
        raise BrowserError(f"{needles!r} not on the page after {timeout:.0f} s; it shows:\n{text}")

    async def screenshot(self, path: Path) -> Path:
        result = await self.send("Page.captureScreenshot", format="png")
        path.write_bytes(base64.b64decode(result["data"]))
        return path

    async def type_text(self, text: str) -> None:
        await self.send("Input.insertText", text=text)

    async def focus_terminal(self) -> None:
        """Bring the tab to the front and put the keyboard focus in xterm's input."""
        await self.send("Page.bringToFront")
        await self.evaluate("document.querySelector('.xterm-helper-textarea').focus()")

    async def press(self, key: str, code: str, key_code: int, text: str = "") -> None:
        """One key, as the keyboard sends it (``press("Enter", "Enter", 13, "\\r")``)."""
        if not text and len(key) == 1:
            text = key
        for kind in ("keyDown", "keyUp"):
            await self.send(
                "Input.dispatchKeyEvent",
                type=kind,
                key=key,
                code=code,
                windowsVirtualKeyCode=key_code,
                text=text if kind == "keyDown" else "",
            )


@dataclass
class Browser:
    process: subprocess.Popen[bytes]
    port: int
    session: aiohttp.ClientSession
    pages: list[Page] = field(default_factory=list)

    @classmethod
    @contextlib.asynccontextmanager
    async def launch(
        cls, chromium: str, tmp_path: Path, *, width: int = 1400, height: int = 900
    ) -> AsyncIterator[Browser]:
        profile = tmp_path / "chromium-profile"
        profile.mkdir(parents=True, exist_ok=True)
        log = (tmp_path / "chromium.log").open("wb")
        process = subprocess.Popen(
            [
                chromium,
                *CHROMIUM_FLAGS,
                f"--user-data-dir={profile}",
                f"--window-size={width},{height}",
                "about:blank",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            port = await _devtools_port(profile / "DevToolsActivePort", process, tmp_path)
            async with aiohttp.ClientSession() as session:
                browser = cls(process, port, session)
                try:
                    yield browser
                finally:
                    for page in browser.pages:
                        await page.ws.close()
                        if page._reader is not None:
                            page._reader.cancel()
        finally:
            process.terminate()
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(10)
            log.close()

    async def new_page(self) -> Page:
        base = f"http://127.0.0.1:{self.port}"
        async with self.session.put(f"{base}/json/new?about:blank") as r:
            target = await r.json(content_type=None)
        ws = await self.session.ws_connect(target["webSocketDebuggerUrl"], max_msg_size=0)
        page = Page(ws)
        page.start()
        self.pages.append(page)
        await page.send("Page.enable")
        await page.send("Runtime.enable")
        # Every tab behaves as the focused one (headless tabs are otherwise in the background).
        await page.send("Emulation.setFocusEmulationEnabled", enabled=True)
        return page

    async def open_terminal_page(self, url: str) -> Page:
        """A new tab on ``url`` with the xterm capture hook installed before any script."""
        page = await self.new_page()
        await page.send("Page.addScriptToEvaluateOnNewDocument", source=CAPTURE_XTERM)
        await page.send("Page.navigate", url=url)
        return page


async def _devtools_port(path: Path, process: subprocess.Popen[bytes], tmp_path: Path) -> int:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if path.exists():
            first = path.read_text(encoding="utf-8").splitlines()
            if first and first[0].isdigit():
                return int(first[0])
        if process.poll() is not None:
            break
        await asyncio.sleep(0.1)
    log = (tmp_path / "chromium.log").read_text(errors="replace")[-2000:]
    raise BrowserError(f"chromium did not open its DevTools port:\n{log}")
