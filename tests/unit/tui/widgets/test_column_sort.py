"""ColumnSort: which column, which way, the header glyph, and a stable sort."""

from __future__ import annotations

from ircmd.tui.widgets.column_sort import ColumnSort, sort_rows

COLUMNS = ["id", "sev", "title"]
KEYS = {"id": lambda r: r[0], "sev": lambda r: r[1], "title": lambda r: r[2]}
ROWS = [(2, 1, "b"), (1, 3, "c"), (3, 1, "a")]


def test_step_starts_at_either_end_and_wraps() -> None:
    assert ColumnSort().step(COLUMNS, 1).column == "id"
    assert ColumnSort().step(COLUMNS, -1).column == "title"
    assert ColumnSort("title").step(COLUMNS, 1).column == "id"
    assert ColumnSort("id", True).step(COLUMNS, 1) == ColumnSort("sev", True)
    assert ColumnSort("gone").step(COLUMNS, 1).column == "id"
    assert ColumnSort().step([], 1) == ColumnSort()


def test_reverse_and_header_glyph() -> None:
    asc = ColumnSort("sev")
    desc = asc.reversed(COLUMNS)
    assert desc == ColumnSort("sev", True) and desc.reversed(COLUMNS) == asc
    assert ColumnSort().reversed(COLUMNS) == ColumnSort("id", True)
    assert asc.header("sev", "SEV") == "SEV▲" and desc.header("sev", "SEV") == "SEV▼"
    assert asc.header("id", "ID") == "ID"
    assert desc.describe({"sev": "SEV"}) == "sorted by SEV descending"
    assert ColumnSort().describe({}) == "unsorted"


def test_sort_rows_is_stable_and_reversible() -> None:
    assert sort_rows(ROWS, ColumnSort(), KEYS) == ROWS
    assert sort_rows(ROWS, ColumnSort("id"), KEYS) == [ROWS[1], ROWS[0], ROWS[2]]
    assert sort_rows(ROWS, ColumnSort("id", True), KEYS) == [ROWS[2], ROWS[0], ROWS[1]]
    # equal severities keep the order handed in
    assert sort_rows(ROWS, ColumnSort("sev"), KEYS) == [ROWS[0], ROWS[2], ROWS[1]]
    assert sort_rows(ROWS, ColumnSort("nope"), KEYS) == ROWS
