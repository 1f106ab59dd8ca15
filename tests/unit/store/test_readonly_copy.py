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


def test_a_read_only_store_writes_only_operational_documents(tmp_path: Path) -> None:
    """Presence and seen/observed signals are written (observers are counted, their view
    works); evidence, signal links, a local control's state are refused and not written."""
    from ircmd.domain.signals.signals import LINKS_COLLECTION, SEEN_COLLECTION

    inner = TinyDBIncidentStore(tmp_path / "a")
    guarded = ReadOnlyStore(inner)
    guarded.put_doc("presence", "console-1", {"actor": "obs"})
    guarded.put_doc(SEEN_COLLECTION, "sig-1", {"by": "obs"})
    assert inner.get_doc("presence", "console-1") == {"actor": "obs"}
    assert inner.get_doc(SEEN_COLLECTION, "sig-1") == {"by": "obs"}
    for collection in ("evidence", LINKS_COLLECTION, "local-controls"):
        with pytest.raises(ReadOnlySeat, match=f"read-only seat: {collection}/k was not"):
            guarded.put_doc(collection, "k", {"x": 1})
        assert inner.get_doc(collection, "k") is None
