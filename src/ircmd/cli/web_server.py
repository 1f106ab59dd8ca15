"""The web server behind ``ircmd serve``: textual-serve with an origin check on the websocket.

Imported only by ``ircmd serve`` (it pulls in aiohttp and textual-serve)."""

from __future__ import annotations

import asyncio
import contextvars
import logging
import re
import shlex
from pathlib import Path
from typing import Any

import aiohttp_jinja2
import jinja2
from aiohttp import web
from textual_serve.server import Server

from ircmd.cli.common import CliError
from ircmd.cli.seats import COOKIE, Seat, find_seat, note_closed, revoked

REVOCATION_POLL = 0.2
"""Seconds between looks at the revocation file: a revoked seat's open tab is closed within it."""
REVOKED_CLOSE = 4003
"""The websocket close code sent to a revoked seat (4000-4999: application-defined)."""

_SEAT: contextvars.ContextVar[Seat | None] = contextvars.ContextVar("ircmd_seat", default=None)

log = logging.getLogger("ircmd.serve")

_TOKEN_IN_URL = re.compile(r"(?i)(\btoken=)[^&\s\"'#]+")


class SeatTokenFilter(logging.Filter):
    """Keeps seat tokens out of every log line of the serve process: aiohttp's access log
    quotes the request line (``GET /?token=… HTTP/1.1``, the websocket's ``/ws?token=…``),
    so any ``token=`` query value and any seat's token are replaced by ``***``."""

    def __init__(self, tokens: list[str]) -> None:
        super().__init__()
        self.tokens = [t for t in tokens if t]

    def clean(self, text: str) -> str:
        text = _TOKEN_IN_URL.sub(r"\1***", text)
        for token in self.tokens:
            text = text.replace(token, "***")
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = self.clean(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


# textual-serve's page loads Roboto Mono from fonts.googleapis.com, a render-blocking request
# that leaks every visit and stalls on an air-gapped bastion; its own copy of the font is
# served from /static/fonts, so the page uses that instead.
_GOOGLE_FONTS = re.compile(r"<link[^>]*fonts\.googleapis\.com[^>]*>", re.S)
_LOCAL_FONT = (
    "<style>@font-face { font-family: 'Roboto Mono'; "
    "src: url('{{ config.static.url }}fonts/RobotoMono-VariableFont_wght.ttf'); }</style>"
)


def page_template(templates: Any) -> str:
    """textual-serve's page, with the bundled font instead of Google Fonts."""
    source = (templates / "app_index.html").read_text(encoding="utf-8")
    return _GOOGLE_FONTS.sub(_LOCAL_FONT, source)


class SeatServer(Server):
    """textual-serve, whose websocket only accepts pages served from the allowed origins.

    Browsers send ``Origin`` with every websocket handshake; without this check any web page
    open in the responder's browser could connect to ws://127.0.0.1:PORT/ws and read (or, with
    --allow-actions, drive) the console. Clients that send no Origin (not a browser page)
    are let through."""

    def __init__(
        self,
        command: str,
        *,
        origins: set[str],
        seats: list[Seat] | None = None,
        commands: dict[str, str] | None = None,
        max_seats: int = 8,
        revocations: Path | None = None,
        **kwargs: Any,
    ) -> None:
        self._default_command = command
        super().__init__(command, **kwargs)
        self.origins = {o.lower().rstrip("/") for o in origins}
        self._sockets: dict[web.WebSocketResponse, str] = {}
        """Every open websocket and the name of the seat it belongs to."""
        self._watch: asyncio.Task[None] | None = None
        self.seats = seats
        self.commands = commands or {}
        self.max_seats = max_seats
        self._sessions = 0
        self.revocations = revocations
        self._answered: set[str] = set()
        """Revoked seat names already answered in the revocation's ``.closed`` file."""

    def initialize_logging(self) -> None:
        """textual-serve's logging (a Rich handler on the root logger), with seat tokens
        filtered out of every line and no local variables in tracebacks (they would show
        the seats, tokens included)."""
        from rich.logging import RichHandler

        handler = RichHandler(
            show_path=False,
            show_time=False,
            rich_tracebacks=True,
            tracebacks_show_locals=False,
            console=self.console,
        )
        handler.addFilter(SeatTokenFilter([s.token for s in self.seats or []]))
        level = "DEBUG" if getattr(self, "debug", False) else "INFO"
        logging.basicConfig(level=level, format="%(message)s", handlers=[handler], force=True)

    # textual-serve reads ``self.command`` when it starts a seat's process; each request
    # runs in its own task, so the seat's own command comes from a context variable.
    @property
    def command(self) -> str:
        seat = _SEAT.get()
        if seat is not None and seat.name in self.commands:
            return self.commands[seat.name]
        return self._default_command

    @command.setter
    def command(self, value: str) -> None:
        self._default_command = value

    def seat_for(self, request: web.Request) -> tuple[Seat | None, bool]:
        """``(seat, from_query)``: the token of the URL, else of the cookie."""
        assert self.seats is not None
        token = request.query.get("token")
        if token:
            return find_seat(self.seats, token), True
        return find_seat(self.seats, request.cookies.get(COOKIE)), False

    @web.middleware
    async def gate(self, request: web.Request, handler: Any) -> web.StreamResponse:
        """Every request needs a seat's token (URL once, then the cookie)."""
        if self.seats is None:
            return await handler(request)  # type: ignore[no-any-return]
        seat, from_query = self.seat_for(request)
        if seat is None:
            log.warning("refused a request without a valid seat token")
            raise web.HTTPForbidden(
                text="ircmd serve: this console needs your seat's link (ask whoever runs "
                "`ircmd serve`)\n"
            )
        if self.revocations is not None and seat.name in revoked(self.revocations):
            raise web.HTTPForbidden(text=f"ircmd serve: seat {seat.name} was revoked\n")
        _SEAT.set(seat)
        if request.method == "GET" and request.path == "/" and self._sessions >= self.max_seats:
            raise web.HTTPServiceUnavailable(text=self.full_text(), headers={"Retry-After": "30"})
        response: web.StreamResponse = await handler(request)
        if from_query and not isinstance(response, web.WebSocketResponse):
            response.set_cookie(COOKIE, seat.token, httponly=True, samesite="Strict")
        return response

    def full_text(self) -> str:
        """The page a browser gets past ``--max-seats`` (the page itself, not only its
        websocket, is refused, so the browser shows this instead of a blank console)."""
        return (
            f"ircmd serve: all {self.max_seats} seats are in use; close another "
            "tab or ask whoever runs `ircmd serve` for --max-seats\n"
        )

    async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
        origin = request.headers.get("Origin")
        if origin is not None and origin.lower().rstrip("/") not in self.origins:
            log.warning("refused a websocket from origin %r", origin)
            raise web.HTTPForbidden(text="ircmd serve: origin not allowed\n")
        if self._sessions >= self.max_seats:
            raise web.HTTPServiceUnavailable(text=self.full_text())
        self._sessions += 1  # counted from the handshake, before the seat's process starts
        try:
            return await super().handle_websocket(request)
        finally:
            self._sessions -= 1

    # The two overrides below are textual-serve's private API (no public hook exists for
    # either); tests/unit/test_web_server_private_api.py fails when textual-serve changes them.
    async def _make_app(self) -> web.Application:
        app = await super()._make_app()
        app.middlewares.append(self.gate)
        loader = jinja2.DictLoader({"app_index.html": page_template(self.templates_path)})
        aiohttp_jinja2.setup(app, loader=loader)
        return app

    async def _process_messages(self, websocket: web.WebSocketResponse, app_service: Any) -> None:
        seat = _SEAT.get()
        self._sockets[websocket] = seat.name if seat is not None else ""
        try:
            await super()._process_messages(websocket, app_service)
        finally:
            self._sockets.pop(websocket, None)

    async def close_revoked(self, names: set[str]) -> int:
        """Close the open websockets of the seats in ``names`` (their ircmd quits); how many.
        Each newly revoked name is answered in the revocation's ``.closed`` file with the
        number of its tabs closed, which ``ircmd serve --revoke`` waits for and reports."""
        doomed = [(ws, name) for ws, name in list(self._sockets.items()) if name and name in names]
        for _ws, name in doomed:
            log.warning("closed seat %s's open console: the seat was revoked", name)
        await asyncio.gather(
            *(ws.close(code=REVOKED_CLOSE, message=b"seat revoked") for ws, _ in doomed),
            return_exceptions=True,
        )
        if self.revocations is not None:
            for name in sorted(names - self._answered):
                try:
                    note_closed(self.revocations, name, sum(1 for _, n in doomed if n == name))
                except OSError as exc:
                    log.warning("cannot answer the seat revocation file: %s", exc.strerror)
                self._answered.add(name)
        return len(doomed)

    async def _watch_revocations(self) -> None:
        """Close a revoked seat's open tab as soon as ``ircmd serve --revoke`` names it, not
        only its next HTTP request: the file's stat is read every ``REVOCATION_POLL`` s."""
        assert self.revocations is not None
        seen: tuple[int, int] | None = None
        while True:
            try:
                st = self.revocations.stat()
                now: tuple[int, int] | None = (st.st_mtime_ns, st.st_size)
            except OSError:
                now = None
            if now != seen:
                seen = now
                try:
                    names = revoked(self.revocations)
                except OSError as exc:
                    log.warning("cannot read the seat revocation file: %s", exc.strerror)
                    names = set()
                if names:
                    await self.close_revoked(names)
            await asyncio.sleep(REVOCATION_POLL)

    async def on_shutdown(self, app: web.Application) -> None:
        """Close every seat now (each one's ircmd quits) rather than after aiohttp's 60 s."""
        if self._watch is not None:
            self._watch.cancel()
        await asyncio.gather(*(ws.close() for ws in list(self._sockets)), return_exceptions=True)

    async def on_startup(self, app: web.Application) -> None:
        """No banner: ``ircmd serve`` already printed where and how it serves. Starts the
        revocation watch."""
        if self.revocations is not None and self.seats is not None:
            self._watch = asyncio.create_task(self._watch_revocations())


def seat_command(command: str, seat: Seat) -> str:
    """The seat's process: actions recorded under the seat's name; observers read-only."""
    argv = shlex.split(command)
    if not seat.can_act and "--read-only" not in argv:
        argv.append("--read-only")
    return f"IRCMD_USER={shlex.quote(seat.name)} {shlex.join(argv)}"


def serve(
    command: str,
    *,
    host: str,
    port: int,
    public_url: str,
    origins: set[str],
    title: str,
    seats: list[Seat] | None = None,
    max_seats: int = 8,
    revocations: Path | None = None,
) -> int:
    server = SeatServer(
        command,
        origins=origins,
        seats=seats,
        commands={s.name: seat_command(command, s) for s in seats or []},
        max_seats=max_seats,
        revocations=revocations,
        host=host,
        port=port,
        title=title,
        public_url=public_url,
    )
    try:
        server.serve()
    except OSError as exc:
        raise CliError(
            f"ircmd serve: cannot listen on {host}:{port}: {exc.strerror or exc}"
        ) from None
    return 0
