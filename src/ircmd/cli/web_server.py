"""The web server behind ``ircmd serve``: textual-serve with an origin check on the websocket.

Imported only by ``ircmd serve`` (it pulls in aiohttp and textual-serve)."""

from __future__ import annotations

import logging
from typing import Any

from aiohttp import web
from textual_serve.server import Server

from ircmd.cli.common import CliError

log = logging.getLogger("ircmd.serve")


class SeatServer(Server):
    """textual-serve, whose websocket only accepts pages served from the allowed origins.

    Browsers send ``Origin`` with every websocket handshake; without this check any web page
    open in the responder's browser could connect to ws://127.0.0.1:PORT/ws and read (or, with
    --allow-actions, drive) the console. Clients that send no Origin (not a browser page)
    are let through."""

    def __init__(self, command: str, *, origins: set[str], **kwargs: Any) -> None:
        super().__init__(command, **kwargs)
        self.origins = {o.lower().rstrip("/") for o in origins}

    async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
        origin = request.headers.get("Origin")
        if origin is not None and origin.lower().rstrip("/") not in self.origins:
            log.warning("refused a websocket from origin %r", origin)
            raise web.HTTPForbidden(text="ircmd serve: origin not allowed\n")
        return await super().handle_websocket(request)

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
