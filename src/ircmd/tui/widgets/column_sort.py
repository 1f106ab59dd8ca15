"""Sort by column, shared by the incidents list, the trace list and the containment board.

``>`` sorts by the next column to the right, ``<`` by the one to the left, ``=`` reverses the
order; the sorted column's header carries ``▲`` (ascending) or ``▼`` (descending). Starting
from no column sort (the order the rows were handed in), ``>`` picks the first sortable column
and ``<`` the last. Pure: the widgets keep a :class:`ColumnSort` and call :func:`sort_rows`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, TypeVar

from textual.binding import Binding

T = TypeVar("T")

ASCENDING = "▲"
DESCENDING = "▼"


@dataclass(frozen=True)
class ColumnSort:
    column: str | None = None
    """The column key rows are sorted by; ``None``: the order they were handed in."""
    descending: bool = False

    def step(self, columns: Sequence[str], delta: int) -> ColumnSort:
        """The sort by the column ``delta`` places right (or left) of the current one."""
        if not columns:
            return self
        if self.column not in columns:
            return ColumnSort(columns[0] if delta > 0 else columns[-1], self.descending)
        index = (columns.index(self.column) + delta) % len(columns)
        return replace(self, column=columns[index])

    def reversed(self, columns: Sequence[str]) -> ColumnSort:
        if self.column is None and columns:
            return ColumnSort(columns[0], True)
        return replace(self, descending=not self.descending)

    def header(self, key: str, label: str) -> str:
        """``label`` with the direction glyph when ``key`` is the sorted column."""
        if key != self.column:
            return label
        return f"{label}{DESCENDING if self.descending else ASCENDING}"

    def describe(self, labels: Mapping[str, str]) -> str:
        if self.column is None:
            return "unsorted"
        way = "descending" if self.descending else "ascending"
        return f"sorted by {labels.get(self.column, self.column)} {way}"


def sort_rows(
    rows: Sequence[T], sort: ColumnSort, keys: Mapping[str, Callable[[T], Any]]
) -> list[T]:
    """``rows`` ordered by ``sort`` (stable: equal values keep the order handed in)."""
    if sort.column is None or sort.column not in keys:
        return list(rows)
    key = keys[sort.column]
    return sorted(rows, key=key, reverse=sort.descending)


def sort_bindings(prefix: str) -> list[Binding]:
    """The three sort bindings, with ids under ``prefix`` (remappable by keymaps)."""
    return [
        Binding(
            "greater_than_sign", "sort_column(1)", "Sort →", show=False, id=f"{prefix}.sort_next"
        ),
        Binding(
            "less_than_sign", "sort_column(-1)", "Sort ←", show=False, id=f"{prefix}.sort_prev"
        ),
        Binding(
            "equals_sign", "sort_reverse", "Reverse sort", show=False, id=f"{prefix}.sort_reverse"
        ),
    ]
