"""The per-store chain key: where it lives, how a store is migrated to it, what verify checks.

The key is kept OUTSIDE the store: a 0600 file ``<config dir>/keys/<store-id>.key`` (the
platform's config dir for ircmd, or ``IRCMD_KEY_DIR``) (created
on first use), or the value of the environment variable ``[store] key_env`` names. The store
itself only holds a *key manifest* (document ``meta/chain_key``): the store id, when the store
was keyed, the head of every incident that existed then (those events keep their plain
hashes), and a MAC of all that under the key, so the manifest cannot be edited either.

A store that holds incidents but no manifest is migrated when it is opened; an empty store is
keyed by its first incident (so ``ircmd store copy`` into a fresh store brings the source's
manifest along). See ``docs/security.md`` for what this protects and what it does not.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ircmd.domain.incidents.timeline import canonical_json, format_time, head_mac, mac_ok

META = "meta"
MANIFEST_KEY = "chain_key"
MIN_ENV_KEY_CHARS = 32


def default_key_dir() -> Path:
    """``IRCMD_KEY_DIR`` if set, else ``keys/`` in the platform's config dir for ircmd.

    Deliberately NOT the folder of ``IRCMD_CONFIG``: a second console (a browser seat, a
    script with its own config file) on the same store must find the same key, or it could
    not write at all. People who share a store across accounts or machines name the key
    with ``[store] key_env`` instead."""
    env = os.environ.get("IRCMD_KEY_DIR")
    if env:
        return Path(env).expanduser()
    from platformdirs import user_config_dir

    return Path(user_config_dir("ircmd")) / "keys"


def manifest_mac(key: bytes, manifest: dict[str, Any]) -> str:
    body = {k: v for k, v in manifest.items() if k != "mac"}
    msg = b"ircmd-manifest\n" + canonical_json(body).encode("utf-8")
    return hmac.new(key, msg, hashlib.sha256).hexdigest()


@dataclass
class ChainKeyState:
    """What a store knows about its chain key (the key itself is never printed)."""

    key: bytes | None = None
    source: str = ""
    """Where the key is, e.g. ``key file /…/keys/ab12.key`` or ``env IRCMD_CHAIN_KEY``."""
    manifest: dict[str, Any] | None = None
    problems: list[str] = field(default_factory=list)

    @property
    def keyed(self) -> bool:
        return self.manifest is not None

    def legacy_heads(self) -> dict[str, int]:
        heads = (self.manifest or {}).get("legacy_heads") or {}
        return {str(k): int(v) for k, v in heads.items() if isinstance(v, int)}

    def keyed_after(self, incident_id: str) -> int:
        return self.legacy_heads().get(incident_id, 0)


class KeySource:
    """Finds, reads and creates chain keys for one configured store."""

    def __init__(self, key_dir: Path | None, key_env: str | None) -> None:
        self.key_dir = key_dir if key_dir is not None else default_key_dir()
        self.key_env = key_env

    def _file(self, store_id: str) -> Path:
        return self.key_dir / f"{store_id}.key"

    def read(self, store_id: str) -> tuple[bytes | None, str, str]:
        """``(key, source, problem)`` for ``store_id``; problem is "" when the key was found."""
        if self.key_env:
            value = os.environ.get(self.key_env, "")
            source = f"env {self.key_env}"
            if len(value) < MIN_ENV_KEY_CHARS:
                return (
                    None,
                    source,
                    (
                        f"chain key: {self.key_env} is unset or shorter than "
                        f"{MIN_ENV_KEY_CHARS} characters"
                    ),
                )
            return value.encode("utf-8"), source, ""
        path = self._file(store_id)
        source = f"key file {path}"
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            return bytes.fromhex(data["key"]), source, ""
        except FileNotFoundError:
            return None, source, f"chain key: {path} not found (keyed events cannot be checked)"
        except (OSError, ValueError, KeyError, TypeError) as exc:
            return None, source, f"chain key: {path} unreadable ({type(exc).__name__})"

    def create(self, store_id: str, location: str) -> tuple[bytes, str]:
        if self.key_env:
            key, source, problem = self.read(store_id)
            if key is None:
                from ircmd.store.base import StoreError

                raise StoreError(problem)
            return key, source
        key = secrets.token_bytes(32)
        path = self._file(store_id)
        self.key_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        body = json.dumps({"store_id": store_id, "location": location, "key": key.hex()})
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(body + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        return key, f"key file {path}"

    def discard(self, store_id: str) -> None:
        if not self.key_env:
            self._file(store_id).unlink(missing_ok=True)

    def file_for_location(self, location: str) -> Path | None:
        """A key file made for a store at ``location`` (to notice a stripped manifest)."""
        if self.key_env or not self.key_dir.is_dir():
            return None
        for path in sorted(self.key_dir.glob("*.key")):
            try:
                if json.loads(path.read_text(encoding="utf-8")).get("location") == location:
                    return path
            except (OSError, ValueError, AttributeError):
                continue
        return None


def load_state(store: Any, source: KeySource) -> ChainKeyState:
    """The store's key state from its manifest (nothing is written)."""
    manifest = store.get_doc(META, MANIFEST_KEY)
    state = ChainKeyState()
    if manifest is None:
        if source.key_env:
            state.source = f"env {source.key_env}"
            if store.list_incidents():
                state.problems.append(
                    f"chain key: {source.key_env} is configured but the store carries no key "
                    "manifest (removed?): the chain cannot be trusted"
                )
        else:
            found = source.file_for_location(store.location)
            if found is not None:
                state.source = f"key file {found}"
                state.problems.append(
                    f"chain key: {found} was made for this store but the store carries no key "
                    "manifest (removed?): the chain cannot be trusted"
                )
        return state
    state.manifest = manifest
    store_id = str(manifest.get("store_id", ""))
    key, state.source, problem = source.read(store_id)
    if key is None:
        state.problems.append(problem)
        return state
    state.key = key
    if not mac_ok(manifest_mac(key, manifest), manifest.get("mac")):
        state.problems.append(
            "chain key: the key manifest does not match the key (edited, or the wrong key)"
        )
    return state


def ensure_keyed(store: Any, source: KeySource, *, only_if_used: bool) -> ChainKeyState:
    """Load the key; key the store when it has no manifest yet (the migration).

    ``only_if_used``: leave an empty store unkeyed (its first incident keys it)."""
    state = load_state(store, source)
    if state.manifest is not None or state.problems:
        return state
    incidents = store.list_incidents()
    if only_if_used and not incidents:
        return state
    store_id = secrets.token_hex(8)
    key, where = source.create(store_id, store.location)
    manifest: dict[str, Any] = {
        "store_id": store_id,
        "keyed_since": format_time(datetime.now(UTC)),
        "legacy_heads": {i.id: i.head_seq for i in incidents if i.head_seq},
    }
    manifest["mac"] = manifest_mac(key, manifest)
    put_if_absent = getattr(store, "put_doc_if_absent", None)
    if put_if_absent is None:
        store.put_doc(META, MANIFEST_KEY, manifest)
        stored = manifest
    else:
        stored = put_if_absent(META, MANIFEST_KEY, manifest)
    if stored.get("store_id") != store_id:
        source.discard(store_id)  # another process keyed the store first: use its key
        return load_state(store, source)
    return ChainKeyState(key=key, source=where, manifest=stored)


def chain_problems(
    incident_id: str,
    incident_record: dict[str, Any],
    records: list[dict[str, Any]],
    state: ChainKeyState,
) -> list[str]:
    """The keyed checks of one incident (the plain-hash checks are in ``store.verify``)."""
    from ircmd.domain.incidents.timeline import verify_macs

    key = state.key
    if key is None or state.manifest is None:
        return []
    keyed_after = state.keyed_after(incident_id)
    problems = [str(p) for p in verify_macs(incident_id, records, key, keyed_after)]
    last_seq = records[-1].get("seq") if records else 0
    if isinstance(last_seq, int) and last_seq < keyed_after:
        problems.append(
            f"{incident_id}: timeline ends at event {last_seq} but event {keyed_after} existed "
            "when the store was keyed (tail cut)"
        )
    head_seq = incident_record.get("head_seq", 0)
    head_hash = str(incident_record.get("head_hash", ""))
    if isinstance(head_seq, int) and head_seq > keyed_after:
        expected = head_mac(key, incident_id, head_seq, head_hash)
        if not mac_ok(expected, incident_record.get("head_mac")):
            problems.append(
                f"{incident_id} event {head_seq}: the head's MAC does not match (tail cut or "
                "head re-pointed without the chain key)"
            )
    return problems


def keyed_from(incident_id: str, records: list[dict[str, Any]], state: ChainKeyState) -> int | None:
    """The first event of the incident's chain that is keyed (None: none is)."""
    if state.manifest is None:
        return None
    after = state.keyed_after(incident_id)
    seqs = [r.get("seq") for r in records if isinstance(r, dict)]
    later = [s for s in seqs if isinstance(s, int) and s > after]
    return min(later) if later else None
