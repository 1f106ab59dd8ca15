"""Process-wide settings (issue 10): each is changed in one place, by the app's start-up or
around one bulk load, and put back. ``TinyDB.table_class`` is set on ircmd's own subclass
only; this fails if TinyDB stops honouring that class attribute."""

from __future__ import annotations

import gc
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.support.apps import make_app, make_workspace
from tinydb import TinyDB
from tinydb.table import Table

from ircmd.domain.traces.otlp import gc_paused
from ircmd.tui.process_tuning import SWITCH_INTERVAL, ProcessTuning, freeze_long_lived


@pytest.fixture
def interval() -> Iterator[float]:
    """A switch interval that is not the tuned one, restored afterwards."""
    before = sys.getswitchinterval()
    sys.setswitchinterval(0.004)
    yield 0.004
    sys.setswitchinterval(before)
    gc.unfreeze()


def test_tuning_is_applied_once_and_undone(interval: float) -> None:
    tuning = ProcessTuning()
    tuning.apply()
    assert sys.getswitchinterval() == pytest.approx(SWITCH_INTERVAL)
    tuning.apply()  # once: a second apply does not forget the original
    freeze_long_lived()
    assert gc.get_freeze_count() > 0
    tuning.undo()
    assert sys.getswitchinterval() == pytest.approx(interval)
    assert gc.get_freeze_count() == 0
    tuning.undo()  # idempotent
    assert sys.getswitchinterval() == pytest.approx(interval)


async def test_the_app_tunes_on_start_and_restores_on_exit(tmp_path: Path, interval: float) -> None:
    app = make_app(make_workspace(tmp_path))
    async with app.run_test() as pilot:
        await pilot.pause()
        assert sys.getswitchinterval() == pytest.approx(SWITCH_INTERVAL)
        freeze_long_lived()  # what a pane does after a big load
    assert sys.getswitchinterval() == pytest.approx(interval)
    assert gc.get_freeze_count() == 0


def test_gc_paused_restores_the_collector_as_it_was() -> None:
    assert gc.isenabled()
    with gc_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    try:
        with gc_paused():
            pass
        assert not gc.isenabled(), "a collector disabled by the caller stays disabled"
    finally:
        gc.enable()
    with pytest.raises(ValueError), gc_paused():
        raise ValueError("a failed load")
    assert gc.isenabled()


def test_table_class_is_ircmd_s_subclass_only(tmp_path: Path) -> None:
    from ircmd.store.tinydb.store import IrcmdTable, IrcmdTinyDB

    assert TinyDB.table_class is Table, "TinyDB patched globally"
    assert IrcmdTinyDB.table_class is IrcmdTable
    plain = TinyDB(str(tmp_path / "plain.json"))
    try:
        assert type(plain.table("x")) is Table
    finally:
        plain.close()
    # TinyDB still builds a database's tables from its ``table_class`` attribute (the hook
    # IrcmdTinyDB relies on): checked on a subclass with a marker table class.

    class Marked(Table):
        pass

    class MarkedDB(TinyDB):
        table_class = Marked

    db = MarkedDB(str(tmp_path / "marked.json"))
    try:
        assert type(db.table("x")) is Marked
    finally:
        db.close()
