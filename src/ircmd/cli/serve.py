"""``ircmd serve``: the TUI in a browser (textual-serve), for responders without a terminal.

Every browser tab gets its own ``ircmd`` process on the same store (the same data dir and
config as this command), read-only unless ``--allow-actions``. The server binds 127.0.0.1
unless ``--host`` says otherwise; reach it from elsewhere through SSH port forwarding. The
websocket refuses pages from other origins, so a web page open in the same browser cannot
drive or read the console.
"""

from __future__ import annotations

import argparse
import shlex
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ircmd.cli.common import Context, UsageError
from ircmd.domain.incidents.incident import normalise_incident_id

LOOPBACK = ("127.0.0.1", "localhost", "::1")

# The served command: this interpreter and this ircmd, whatever the PATH of the server.
_ENTRY = "import sys; from ircmd.cli import main; sys.exit(main())"


def register(sub: Any) -> None:
    s = sub.add_parser(
        "serve",
        help="serve the console to browsers (read-only unless --allow-actions)",
        description="Serve the ircmd console to web browsers with textual-serve. Binds "
        "127.0.0.1 unless --host is given; use SSH port forwarding for remote seats.",
    )
    s.add_argument("--port", type=int, default=8000, help="TCP port (default 8000)")
    s.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    s.add_argument(
        "--allow-actions",
        action="store_true",
        help="let browser seats act (notes, status, containment...); default is read-only",
    )
    s.add_argument("--incident", metavar="ID", help="open every seat in this incident")
    s.add_argument(
        "--seat",
        action="append",
        default=[],
        metavar="NAME:ROLE",
        help="a named seat with its own token (role responder or observer; repeatable; "
        "default: one observer seat)",
    )
    s.add_argument(
        "--max-seats", type=int, default=8, help="concurrent browser sessions (default 8)"
    )
    s.add_argument(
        "--revoke",
        metavar="NAME",
        help="revoke a seat of the running `ircmd serve` on this data dir, then exit",
    )
    s.add_argument(
        "--public-url",
        metavar="URL",
        help="the URL browsers use, when it differs from http://HOST:PORT "
        "(e.g. http://localhost:9000 through an SSH tunnel on another local port)",
    )
    s.set_defaults(func=run_serve)


def served_argv(*, read_only: bool, incident: str | None) -> list[str]:
    """The command each browser seat runs."""
    argv = [sys.executable, "-c", _ENTRY]
    if incident:
        argv += ["open", incident]
    if read_only:
        argv.append("--read-only")
    return argv


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def allowed_origins(host: str, port: int, public_url: str) -> set[str]:
    """Origins whose pages may open the websocket: the public URL, and the loopback names
    of the port (a browser on the host itself, or an SSH tunnel on the same port)."""
    origins = {_origin(public_url)}
    for name in (host, *LOOPBACK):
        netloc = f"[{name}]" if ":" in name else name
        origins.add(f"http://{netloc}:{port}".lower())
    return origins


def public_url_for(host: str, port: int, public_url: str | None) -> str:
    if public_url:
        parts = urlsplit(public_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise UsageError(f"ircmd serve: --public-url {public_url!r} is not an http(s) URL")
        return public_url.rstrip("/")
    netloc = f"[{host}]" if ":" in host else host
    return f"http://{netloc}:{port}"


REVOKE_WAIT = 3.0
"""Seconds ``--revoke`` waits for the running server to say it closed the seat's tabs."""


def _tabs_closed(revocations: Path, name: str) -> str:
    """Wait for the running server's answer (it looks every 0.2 s) and say what it did."""
    from ircmd.cli.seats import closed

    deadline = time.monotonic() + REVOKE_WAIT
    while True:
        answered = closed(revocations)
        if name in answered:
            n = answered[name]
            if n == 0:
                return "it had no open tab"
            return f"its open tab was closed ({n} console{'s' if n != 1 else ''})"
        if time.monotonic() >= deadline:
            return (
                f"no running `ircmd serve` on this data dir answered within {REVOKE_WAIT:g} s "
                "(one that starts later gives new tokens anyway)"
            )
        time.sleep(0.05)


def run_serve(ctx: Context, args: argparse.Namespace) -> int:
    from ircmd.cli.seats import closed_file, make_seats, parse_seat, revocation_file, revoke

    revocations = revocation_file(ctx.data_dir)
    if args.revoke:
        try:
            name, _ = parse_seat(args.revoke)
        except ValueError as exc:
            raise UsageError(f"ircmd serve: --revoke: {exc}") from None
        revoke(revocations, name)
        said = _tabs_closed(revocations, name)
        print(f"seat {name} revoked: its token is refused from now on; {said}")
        return 0
    if args.max_seats < 1:
        raise UsageError("ircmd serve: --max-seats must be at least 1")
    try:
        seats = make_seats(args.seat)
    except ValueError as exc:
        raise UsageError(f"ircmd serve: --seat: {exc}") from None
    if any(s.can_act for s in seats):
        args.allow_actions = True  # a responder seat acts; observer seats stay read-only
    if not 0 < args.port < 65536:
        raise UsageError(f"ircmd serve: --port {args.port} is not a TCP port (1-65535)")
    read_only = not args.allow_actions or ctx.read_only
    incident = None
    if args.incident:
        incident = normalise_incident_id(args.incident)
        ctx.service.get(incident)  # a clean error now, not in every browser tab
    else:
        ctx.workspace  # noqa: B018 -- the config and store open cleanly before serving
    public_url = public_url_for(args.host, args.port, args.public_url)
    command = shlex.join(served_argv(read_only=read_only, incident=incident))
    origins = allowed_origins(args.host, args.port, public_url)
    ctx.close()  # the seats open the store themselves
    revocations.unlink(missing_ok=True)  # a restart gives new tokens: old revocations go
    closed_file(revocations).unlink(missing_ok=True)

    from ircmd.cli.web_server import serve  # textual-serve (aiohttp) only when serving

    mode = "read-only" if read_only else "ACTIONS ALLOWED"
    where = f"incident {incident}" if incident else "incident list"
    print(f"ircmd serve: {public_url} ({mode}, opens on the {where})", file=sys.stderr)
    if args.host not in LOOPBACK:
        print(
            f"ircmd serve: warning: bound to {args.host}, not loopback: anyone who can reach "
            f"port {args.port} can try the seat tokens; prefer SSH port forwarding",
            file=sys.stderr,
        )
    for seat in seats:  # the only place a token is shown: this terminal
        print(f"{seat.name} ({seat.role}): {public_url}/?token={seat.token}", flush=True)
    return serve(
        command,
        host=args.host,
        port=args.port,
        public_url=public_url,
        origins=origins,
        title=f"ircmd {where}",
        seats=seats,
        max_seats=args.max_seats,
        revocations=revocations,
    )
