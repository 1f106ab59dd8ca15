"""Browser seats with per-person tokens: no token → refused (HTTP and websocket, whatever the
Origin); a responder's note is recorded under the seat's name; observers cannot act; the seat
cap holds; a revoked seat is refused; tokens never reach the store."""

from __future__ import annotations

import asyncio
from pathlib import Path

import aiohttp
import httpx
import pytest

from tests.browser import Browser, Page
from tests.functional.test_browser_seat import (
    SEAT_LINE,
    Served,
    ServeFn,
    events,
    incident,  # noqa: F401 -- fixture
    ircmd,
    serve,  # noqa: F401 -- fixture
    type_note,
)
from tests.support.waiting import apoll_until, poll_until

pytestmark = pytest.mark.services


def ws_url(served: Served, token: str | None) -> str:
    url = served.base + "ws?width=80&height=24"
    return url + (f"&token={token}" if token else "")


def token_of(served: Served, name: str) -> str:
    return served.seats[name].split("token=", 1)[1]


async def test_no_token_is_refused_whatever_the_origin(
    incident: str,  # noqa: F811
    serve: ServeFn,  # noqa: F811
) -> None:
    served = serve("--incident", incident, "--seat", "maria:responder")
    assert httpx.get(served.base, timeout=10).status_code == 403
    assert httpx.get(served.base + "?token=wrong", timeout=10).status_code == 403
    async with aiohttp.ClientSession() as session:
        for headers in ({}, {"Origin": served.base.rstrip("/")}, {"Origin": "http://evil"}):
            with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
                await session.ws_connect(ws_url(served, None), headers=headers)
            assert refused.value.status == 403
        # With the token the handshake succeeds; the page visit leaves a cookie for later.
        async with session.ws_connect(ws_url(served, token_of(served, "maria"))) as ws:
            assert not ws.closed
    first = httpx.get(served.seats["maria"], timeout=10)
    assert first.status_code == 200 and "ircmd_seat" in first.headers.get("set-cookie", "")
    again = httpx.get(served.base, cookies={"ircmd_seat": token_of(served, "maria")})
    assert again.status_code == 200
    # The server logs every request (aiohttp's access log quotes the URL): the token is
    # printed once, in maria's seat line, and never in a log line (read with the log's
    # wrapping undone, so a token cut across two lines would be found too).
    token = token_of(served, "maria")

    def unwrapped() -> str | None:
        text = "".join(served.log_path.read_text().split())
        return text if "/ws?width=80&height=24&token=***" in text else None

    log = poll_until(unwrapped, what="the websocket's access log line, token masked")
    assert log is not None and log.count(token) == 1, served.log_path.read_text()
    assert len(SEAT_LINE.findall(served.log_path.read_text())) == 1


async def test_seat_cap_and_revocation(
    incident: str,  # noqa: F811
    serve: ServeFn,  # noqa: F811
) -> None:
    served = serve(
        "--incident", incident, "--seat", "a:observer", "--seat", "b:observer", "--max-seats", "1"
    )
    async with (
        aiohttp.ClientSession() as session,
        session.ws_connect(ws_url(served, token_of(served, "a"))) as ws,
    ):
        with pytest.raises(aiohttp.WSServerHandshakeError) as full:
            await session.ws_connect(ws_url(served, token_of(served, "b")))
        assert full.value.status == 503
        # the page itself says so (a browser would otherwise show a console that never starts)
        page = httpx.get(served.seats["b"], timeout=10)
        assert page.status_code == 503 and "all 1 seats are in use" in page.text
        assert not ws.closed
    out = ircmd("serve", "--revoke", "b")
    assert out.returncode == 0, out.stderr
    # the running server answered: b was refused at the cap, so it had no tab to close
    assert "seat b revoked: its token is refused from now on; it had no open tab" in out.stdout
    assert httpx.get(served.seats["b"], timeout=10).status_code == 403
    # a's tab is closed: its seat is free again (the server counts it down when the socket ends)
    poll_until(lambda: httpx.get(served.seats["a"], timeout=10).status_code == 200)


async def test_responder_note_is_recorded_under_the_seat_name_and_observer_cannot_act(
    tmp_path: Path,
    incident: str,  # noqa: F811
    serve: ServeFn,  # noqa: F811
) -> None:
    from tests.services import require_service

    chromium = require_service("chromium")
    served = serve("--incident", incident, "--seat", "maria:responder", "--seat", "legal")
    before = len(events(incident))
    async with Browser.launch(chromium, tmp_path) as browser:
        legal = await browser.open_terminal_page(served.seats["legal"])
        await legal.wait_for_text(incident, "READ-ONLY", timeout=60)
        await type_note(legal, "legal was here")
        maria = await browser.open_terminal_page(served.seats["maria"])
        screen = await maria.wait_for_text(incident, timeout=60)
        assert "READ-ONLY" not in screen
        await type_note(maria, "maria typed this")
        await maria.wait_for_text("maria typed this", timeout=15)
        await asyncio.sleep(0.5)  # the behaviour under test: legal's keys write nothing later
    timeline = events(incident)
    notes = [e for e in timeline if e.get("text") == "maria typed this"]
    assert len(notes) == 1 and notes[0].get("author") == "maria", notes
    assert not any("legal was here" in str(e.get("text", "")) for e in timeline)
    assert len(timeline) == before + 1
    # Tokens are never written to the store.
    data = Path(served.log_path).parent
    for seat_url in served.seats.values():
        token = seat_url.split("token=", 1)[1]
        for path in data.rglob("*.jsonl"):
            assert token not in path.read_text(errors="replace")


async def closed_within(ws: aiohttp.ClientWebSocketResponse, seconds: float) -> int | None:
    """The close code if the server closes ``ws`` within ``seconds`` (app output is read
    and dropped meanwhile), else None."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while (left := deadline - loop.time()) > 0:
        try:
            msg = await ws.receive(timeout=left)
        except TimeoutError:
            return None
        if msg.type == aiohttp.WSMsgType.CLOSE:
            return int(msg.data)
        if msg.type == aiohttp.WSMsgType.CLOSED:
            return ws.close_code
    return None


async def test_revoking_a_seat_closes_its_open_websocket_at_once(
    incident: str,  # noqa: F811
    serve: ServeFn,  # noqa: F811
) -> None:
    served = serve("--incident", incident, "--seat", "a:observer", "--seat", "b:observer")
    async with (
        aiohttp.ClientSession() as session,
        session.ws_connect(ws_url(served, token_of(served, "a"))) as ws_a,
        session.ws_connect(ws_url(served, token_of(served, "b"))) as ws_b,
    ):
        assert await closed_within(ws_a, 1.0) is None  # open and served before the revoke
        loop = asyncio.get_running_loop()
        out = await asyncio.to_thread(ircmd, "serve", "--revoke", "a")
        assert out.returncode == 0, out.stderr
        assert "its open tab was closed (1 console)" in out.stdout, out.stdout
        revoked_at = loop.time()
        assert await closed_within(ws_a, 3.0) == 4003
        assert loop.time() - revoked_at < 1.5  # closed at once, not at its next request
        assert await closed_within(ws_b, 0.5) is None  # the other seat is untouched
        with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
            await session.ws_connect(ws_url(served, token_of(served, "a")))
        assert refused.value.status == 403


def test_revoke_without_a_running_server_says_nobody_answered(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from ircmd.cli import main
    from ircmd.cli import serve as serve_cli

    monkeypatch.setattr(serve_cli, "REVOKE_WAIT", 0.3)
    assert main(["serve", "--revoke", "maria"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("seat maria revoked: its token is refused from now on; ")
    assert "no running `ircmd serve` on this data dir answered within 0.3 s" in out


async def test_in_chromium_no_token_is_refused_and_the_seat_cap_holds(
    tmp_path: Path,
    incident: str,  # noqa: F811
    serve: ServeFn,  # noqa: F811
) -> None:
    """The same two refusals as a browser meets them: the page without a token says whose
    link it needs, and past --max-seats a second seat's page says every seat is in use
    (the first seat's console stays up)."""
    from tests.services import require_service

    chromium = require_service("chromium")
    served = serve(
        "--incident", incident, "--seat", "a:observer", "--seat", "b:observer", "--max-seats", "1"
    )

    async def body_text(page: Page) -> str:
        value = await page.evaluate("document.body ? document.body.innerText : ''")
        return str(value or "")

    async with Browser.launch(chromium, tmp_path) as browser:
        stranger = await browser.new_page()
        await stranger.send("Page.navigate", url=served.base)
        text = await apoll_until(lambda: body_text(stranger), what="the refusal page", every=0.2)
        assert "needs your seat's link" in text, text
        a = await browser.open_terminal_page(served.seats["a"])
        await a.wait_for_text(incident, timeout=60)
        b = await browser.new_page()
        await b.send("Page.navigate", url=served.seats["b"])
        text = await apoll_until(lambda: body_text(b), what="the seats-full page", every=0.2)
        assert "all 1 seats are in use" in text, text
        assert incident in await a.terminal_text()
