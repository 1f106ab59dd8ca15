"""Browser seats of ``ircmd serve``: a named person, a role, a random token each.

Tokens live only in this process's memory and in the URLs printed to the terminal of the
person who ran ``ircmd serve``; they are never written to the store or to logs. A revoked
seat is named in a revocation file the server re-reads on every request."""

from __future__ import annotations

import hmac
import re
import secrets
from dataclasses import dataclass, field
from pathlib import Path

ROLES = ("responder", "observer")
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$")
COOKIE = "ircmd_seat"


@dataclass(frozen=True)
class Seat:
    name: str
    role: str
    token: str = field(repr=False)  # never in a repr (tracebacks, logs)

    @property
    def can_act(self) -> bool:
        return self.role == "responder"


def parse_seat(spec: str) -> tuple[str, str]:
    """``NAME:ROLE`` (ROLE defaults to observer); ValueError with one line otherwise."""
    name, _, role = spec.partition(":")
    role = role or "observer"
    if not NAME.match(name):
        raise ValueError(f"seat name {name!r}: letters, digits, '.', '_', '-' (max 40)")
    if role not in ROLES:
        raise ValueError(f"seat {name}: role {role!r} is not one of {', '.join(ROLES)}")
    return name, role


def make_seats(specs: list[str]) -> list[Seat]:
    seen: set[str] = set()
    seats = []
    for spec in specs or ["observer:observer"]:
        name, role = parse_seat(spec)
        if name in seen:
            raise ValueError(f"seat {name} given twice")
        seen.add(name)
        seats.append(Seat(name, role, secrets.token_urlsafe(24)))
    return seats


def find_seat(seats: list[Seat], token: str | None) -> Seat | None:
    """The seat whose token this is, comparing every seat in constant time."""
    if not token:
        return None
    found = None
    for seat in seats:
        if hmac.compare_digest(seat.token.encode(), token.encode()):
            found = seat
    return found


def revocation_file(data_dir: Path) -> Path:
    return data_dir / "serve-revoked-seats"


def revoked(path: Path) -> set[str]:
    try:
        return {ln.strip() for ln in path.read_text(encoding="utf-8").split("\n") if ln.strip()}
    except FileNotFoundError:
        return set()


def revoke(path: Path, name: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as fh:
        fh.write(name + "\n")


def closed_file(revocations: Path) -> Path:
    """Where a running ``ircmd serve`` answers a revocation: ``NAME COUNT`` a line, the
    number of that seat's open tabs it closed (no token in it)."""
    return revocations.with_name(revocations.name + ".closed")


def closed(revocations: Path) -> dict[str, int]:
    """Seat name -> open tabs a running server closed for its revocation."""
    out: dict[str, int] = {}
    try:
        text = closed_file(revocations).read_text(encoding="utf-8")
    except OSError:
        return out
    for line in text.split("\n"):
        name, _, count = line.strip().partition(" ")
        if name and count.isdigit():
            out[name] = out.get(name, 0) + int(count)
    return out


def note_closed(revocations: Path, name: str, count: int) -> None:
    with closed_file(revocations).open("a", encoding="utf-8") as fh:
        fh.write(f"{name} {count}\n")
