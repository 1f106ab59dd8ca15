"""The web server behind ``ircmd serve``: textual-serve with an origin check on the websocket.

Imported only by ``ircmd serve`` (it pulls in aiohttp and textual-serve)."""

from __future__ import annotations

import asyncio
import logging
import re
from typing import Any

import aiohttp_jinja2
import jinja2
from aiohttp import web
from textual_serve.server import Server

from ircmd.cli.common import CliError

log = logging.getLogger("ircmd.serve")

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

    def __init__(self, command: str, *, origins: set[str], **kwargs: Any) -> None:
        super().__init__(command, **kwargs)
        self.origins = {o.lower().rstrip("/") for o in origins}
        self._sockets: set[web.WebSocketResponse] = set()

    async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
        origin = request.headers.get("Origin")
        if origin is not None and origin.lower().rstrip("/") not in self.origins:
            log.warning("refused a websocket from origin %r", origin)
            raise web.HTTPForbidden(text="ircmd serve: origin not allowed\n")
        return await super().handle_websocket(request)

    # The two overrides below are textual-serve's private API (no public hook exists for
    # either); tests/unit/test_web_server_private_api.py fails when textual-serve changes them.
    async def _make_app(self) -> web.Application:
        app = await super()._make_app()
        loader = jinja2.DictLoader({"app_index.html": page_template(self.templates_path)})
        aiohttp_jinja2.setup(app, loader=loader)
        return app

    async def _process_messages(self, websocket: web.WebSocketResponse, app_service: Any) -> None:
        self._sockets.add(websocket)
        try:
            await super()._process_messages(websocket, app_service)
        finally:
            self._sockets.discard(websocket)

    async def on_shutdown(self, app: web.Application) -> None:
        """Close every seat now (each one's ircmd quits) rather than after aiohttp's 60 s."""
        await asyncio.gather(*(ws.close() for ws in list(self._sockets)), return_exceptions=True)

    async def on_startup(self, app: web.Application) -> None:
        """No banner: ``ircmd serve`` already printed where and how it serves."""


def serve(
    command: str, *, host: str, port: int, public_url: str, origins: set[str], title: str
) -> int:
    server = SeatServer(
        command, origins=origins, host=host, port=port, title=title, public_url=public_url
    )
    try:
        server.serve()
    except OSError as exc:
        raise CliError(
            f"ircmd serve: cannot listen on {host}:{port}: {exc.strerror or exc}"
        ) from None
    return 0
