"""A lean ``ircmd incident list`` for scripts and alert hooks that call it per event.

The full path (:func:`ircmd.cli.incident.cmd_list`) loads the whole config through pydantic,
opens the store, validates every row into an ``Incident`` model and dumps it back: most of
its start-up CPU. Here the common case is served without any of that: a config that is
absent, empty or names nothing but its ``[store]``, a keyed store of the current schema
whose incident rows have exactly the model's fields, in its canonical JSON form. The rows
are then read directly and formatted here, with the same text and ``--json`` as the full
path (tests compare the two, on TinyDB and on PostgreSQL).

* TinyDB (``kind``, ``path``): the journal is read with the standard library only.
* PostgreSQL (``kind``, ``dsn_env``, ``key_env``, the three timeouts, ``path``): through
  :mod:`ircmd.service.incidents.lean_list` to :mod:`ircmd.store.postgres.rows`, psycopg
  alone (no pydantic), one connection with the store's own connect options and session
  deadlines, then two ``SELECT`` statements sent in one pipeline.

Anything else (another config, an old or missing schema, an unkeyed store, a damaged or
missing file, an unreachable server, a row the model would rewrite) returns ``None`` and
the caller takes the full path, which reports errors, keys and migrates exactly as before.
Nothing here writes.
"""

from __future__ import annotations

import json
import os
import re
import sys
import zlib
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

# Kept equal to the model and the store by tests/unit/test_incident_list_lean.py.
FIELDS = (
    "id",
    "title",
    "workflow_id",
    "status",
    "severity",
    "severity_reason",
    "classification",
    "roles",
    "tags",
    "created_at",
    "updated_at",
    "occurred_at",
    "aware_at",
    "contained_at",
    "resolved_at",
    "reviewed_at",
    "created_by",
    "head_seq",
    "head_hash",
    "head_mac",
)
DATETIME_FIELDS = (
    "created_at",
    "updated_at",
    "occurred_at",
    "aware_at",
    "contained_at",
    "resolved_at",
    "reviewed_at",
)
SEVERITIES = ("low", "medium", "high", "critical")
STATUSES = (
    "detected",
    "triaged",
    "contained",
    "investigating",
    "remediating",
    "resolved",
    "reviewed",
)
CLOSED = ("resolved", "reviewed")
CLASSIFICATIONS = (
    "quality_issue",
    "near_miss",
    "security_event",
    "ai_incident",
    "operational_incident",
)
ROLES = ("incident_lead", "business_owner", "engineering_owner", "scribe", "comms")
SCHEMA_VERSION = 1
STORE_FILENAME = "ircmd-store.jsonl"
HEADER_FORMAT = "ircmd-store"
# pydantic's JSON form of an aware UTC datetime: microseconds only when not zero.
_CANONICAL_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?Z$")
_ID = re.compile(r"^INC-(\d{4,})$")
_ARGS = {"--open", "--json"}


def wanted(args: Sequence[str]) -> bool:
    """``ircmd incident list [--open] [--json]`` exactly, and no shell completion."""
    return (
        len(args) >= 2
        and args[0] == "incident"
        and args[1] == "list"
        and set(args[2:]) <= _ARGS
        and len(set(args[2:])) == len(args[2:])
        and "_ARGCOMPLETE" not in os.environ
    )


# [store] key -> (default, upper bound); each must be > 0 (domain.config.StoreConfig)
PG_TIMEOUTS = {
    "connect_timeout": (3.0, 300.0),
    "statement_timeout": (5.0, 3600.0),
    "tcp_user_timeout": (4.0, 3600.0),
}
_TINYDB_KEYS = {"kind", "path"}
_PG_KEYS = {"kind", "path", "dsn_env", "key_env", *PG_TIMEOUTS}


def _store_table() -> dict[str, Any] | None:
    """The config's ``[store]`` table ({} for no config), when it names nothing else."""
    env = os.environ.get("IRCMD_CONFIG")
    if env:
        path = Path(env).expanduser()
    else:
        from platformdirs import user_config_dir

        path = Path(user_config_dir("ircmd")) / "config.toml"
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        if env:
            return None  # the full path names the missing file
        text = ""
    except (OSError, UnicodeDecodeError):
        return None
    store: dict[str, Any] = {}
    if text.strip():
        import tomllib

        try:
            data = tomllib.loads(text)
        except (tomllib.TOMLDecodeError, RecursionError):  # the full path names the problem
            return None
        if set(data) - {"store"} or not isinstance(data.get("store", {}), dict):
            return None
        store = data.get("store", {})
        if "path" in store and not isinstance(store["path"], str):
            return None
    return store


def _store_dir(store: dict[str, Any]) -> Path | None:
    """Where the TinyDB store is, when its ``[store]`` is one the lean path understands."""
    if set(store) - _TINYDB_KEYS or store.get("kind", "tinydb") != "tinydb":
        return None
    if store.get("path"):
        return Path(store["path"]).expanduser()
    data_env = os.environ.get("IRCMD_DATA_DIR")
    if data_env:
        return Path(data_env).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir("ircmd"))


def _pg_connection(store: dict[str, Any]) -> tuple[str, dict[str, float]] | None:
    """(DSN, the three timeouts in seconds) for a PostgreSQL ``[store]``, or None."""
    if set(store) - _PG_KEYS or store.get("kind") != "postgres":
        return None
    env, key_env = store.get("dsn_env"), store.get("key_env")
    if not isinstance(env, str) or not env or not isinstance(key_env, str | None):
        return None
    seconds: dict[str, float] = {}
    for key, (default, high) in PG_TIMEOUTS.items():
        value = store.get(key, default)
        if type(value) not in (int, float) or not 0 < value <= high:
            return None  # the full path names the key and the bound
        seconds[key] = float(value)
    dsn = os.environ.get(env, "").strip()
    return (dsn, seconds) if dsn else None


def _rows(store_path: Path) -> list[dict[str, Any]] | None:
    """The incident rows of a keyed, current-schema, undamaged journal, or None."""
    if store_path.is_dir() or not store_path.suffix:
        store_path = store_path / STORE_FILENAME
    try:
        data = store_path.read_bytes()
    except OSError:
        return None
    end = data.rfind(b"\n")
    if end < 0:
        return None
    lines = data[: end + 1].split(b"\n")[:-1]
    try:
        header = json.loads(lines[0])
    except (ValueError, RecursionError):
        return None
    if not isinstance(header, dict) or header.get("format") != HEADER_FORMAT:
        return None
    if header.get("schema") != SCHEMA_VERSION:
        return None  # migrations live in the full path
    incidents: dict[str, Any] = {}
    keyed = False
    for raw in lines[1:]:
        if len(raw) < 10 or raw[8:9] != b" ":
            return None
        payload = raw[9:]
        try:
            if int(raw[:8], 16) != zlib.crc32(payload):
                return None
            ops = json.loads(payload)
        except (ValueError, RecursionError):
            return None
        if not isinstance(ops, list):
            return None
        for op in ops:
            if not isinstance(op, list) or len(op) < 2:
                return None
            kind, table = op[0], op[1]
            if kind == "put" and len(op) == 4:
                if table == "incidents":
                    incidents[op[2]] = op[3]
                elif table == "docs:meta" and op[2] == "chain_key":
                    keyed = True
            elif kind == "del" and len(op) == 3:
                if table == "incidents":
                    incidents.pop(op[2], None)
            elif kind == "drop":
                if table == "incidents":
                    incidents = {}
            else:
                return None
    if not keyed:
        return None  # the full path keys the store on first use
    rows = list(incidents.values())
    if not all(_canonical(r) for r in rows):
        return None
    return rows


def _canonical(row: Any) -> bool:
    """A row that the model would dump back unchanged (same keys, order and forms)."""
    if not isinstance(row, dict) or tuple(row) != FIELDS:
        return False
    if not isinstance(row["id"], str) or not _ID.match(row["id"]):
        return False
    if not isinstance(row["title"], str) or not isinstance(row["severity_reason"], str):
        return False
    if not isinstance(row["created_by"], str) or not isinstance(row["head_hash"], str):
        return False
    if not isinstance(row["head_mac"], str):
        return False
    if row["workflow_id"] is not None and not isinstance(row["workflow_id"], str):
        return False
    if row["status"] not in STATUSES or row["severity"] not in SEVERITIES:
        return False
    if row["classification"] is not None and row["classification"] not in CLASSIFICATIONS:
        return False
    roles = row["roles"]
    if not isinstance(roles, dict):
        return False
    if not all(k in ROLES and isinstance(v, str) for k, v in roles.items()):
        return False
    tags = row["tags"]
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        return False
    if type(row["head_seq"]) is not int:
        return False
    for name in DATETIME_FIELDS:
        value = row[name]
        if value is None and name not in ("created_at", "updated_at"):
            continue
        if not isinstance(value, str) or not _CANONICAL_TIME.match(value):
            return False
        if value.endswith(".000000Z"):
            return False
    return True


def _number(row: dict[str, Any]) -> int:
    return int(row["id"][4:])


def _sort_key(row: dict[str, Any]) -> tuple[bool, int, int]:
    """Open incidents first (most severe, then newest), then closed ones, newest first."""
    is_open = row["status"] not in CLOSED
    rank = SEVERITIES.index(row["severity"])
    return (not is_open, -rank if is_open else 0, -_number(row))


def _age(seconds: float) -> str:
    s = int(seconds)
    if s < 60:
        return f"{s}s"
    if s < 3600:
        return f"{s // 60}m"
    if s < 86400:
        return f"{s // 3600}h{(s % 3600) // 60:02d}m"
    return f"{s // 86400}d{(s % 86400) // 3600:02d}h"


def run(args: Sequence[str]) -> int | None:
    """Print the list and return 0, or None when the full path must answer."""
    try:
        store = _store_table()
        if store is None:
            return None
        if store.get("kind") == "postgres":
            pg = _pg_connection(store)
            if pg is None:
                return None
            from ircmd.service.incidents.lean_list import postgres_incident_rows

            rows = postgres_incident_rows(pg[0], FIELDS, **pg[1])
            if rows is None or not all(_canonical(r) for r in rows):
                return None
        else:
            where = _store_dir(store)
            rows = _rows(where) if where is not None else None
            if rows is None:
                return None
        rows.sort(key=_number)
        rows.sort(key=_sort_key)
    except Exception:  # anything unusual: the full path reads it again and names the problem
        return None
    if "--open" in args:
        rows = [r for r in rows if r["status"] not in CLOSED]
    if "--json" in args:
        from ircmd.cli.common import print_json

        print_json(rows)
        return 0
    if not rows:
        print("no incidents")
        return 0
    from ircmd.domain.text import one_line

    now = datetime.now(UTC)
    out = [f"{'ID':<9} {'SEV':<8} {'STATUS':<13} {'AGE':>6}  TITLE"]
    for r in rows:
        start = datetime.fromisoformat(r["aware_at"] or r["created_at"])
        age = max(0.0, (now - start).total_seconds())
        out.append(
            f"{r['id']:<9} {r['severity']:<8} {r['status']:<13} "
            f"{_age(age):>6}  {one_line(r['title'], 80)}"
        )
    sys.stdout.write("\n".join(out) + "\n")
    return 0
