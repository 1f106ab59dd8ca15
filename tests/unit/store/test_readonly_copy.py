"""``ircmd store copy`` through a read-only seat's store: read, never written (the guard
forwards reads; ``import_raw`` is a write and is refused like ``apply``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ircmd.service.incidents.service import IncidentService
from ircmd.store.readonly import ReadOnlySeat, ReadOnlyStore
from ircmd.store.tinydb.raw import RawStore, export_raw, import_raw
from ircmd.store.tinydb.store import TinyDBIncidentStore


def test_a_read_only_store_exports_but_refuses_an_import(tmp_path: Path) -> None:
    inner = TinyDBIncidentStore(tmp_path / "a")
    IncidentService(store=inner, actor="maria.ic").declare("Refund bot")
    guarded = ReadOnlyStore(inner)
    assert export_raw(guarded) == export_raw(inner)
    assert len(export_raw(guarded).incidents) == 1
    empty = TinyDBIncidentStore(tmp_path / "b")
    with pytest.raises(ReadOnlySeat, match="read-only seat"):
        import_raw(ReadOnlyStore(empty), export_raw(inner))
    assert export_raw(empty).incidents == {}
    import_raw(empty, export_raw(inner))  # the store itself takes it
    assert export_raw(empty) == export_raw(inner)
    assert export_raw(empty) != RawStore()
