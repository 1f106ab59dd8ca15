"""TreeRows: the flat visible-row list behind the span tree (pure, no terminal)."""

from __future__ import annotations

from ircmd.tui.widgets.traces.tree_rows import TreeRows


def chain_and_fan() -> TreeRows:
    #   0
    #   ├─1
    #   │ ├─3
    #   │ └─4
    #   └─2
    #     └─5
    #   6 (second root)
    return TreeRows([-1, 0, 0, 1, 1, 2, -1])


def test_collapsed_shows_roots_only() -> None:
    rows = chain_and_fan()
    rows.rebuild()
    assert rows.rows == [0, 6]
    assert rows.depth == [0, 1, 1, 2, 2, 2, 0]


def test_expand_and_collapse_splice_only_the_subtree() -> None:
    rows = chain_and_fan()
    rows.rebuild()
    assert rows.expand(0) == 2
    assert rows.rows == [0, 1, 2, 6]
    assert rows.expand(1) == 2
    assert rows.rows == [0, 1, 3, 4, 2, 6]
    assert rows.collapse(0) == 4
    assert rows.rows == [0, 6]
    # re-expanding the root brings back the expanded child's children too
    rows.expand(0)
    assert rows.rows == [0, 1, 3, 4, 2, 6]


def test_expand_all_collapse_all_and_row_of() -> None:
    rows = chain_and_fan()
    rows.expand_all()
    assert rows.rows == [0, 1, 3, 4, 2, 5, 6]
    assert rows.row_of(5) == 5
    rows.collapse_all()
    assert rows.rows == [0, 6]
    assert rows.row_of(5) == -1


def test_filter_keeps_matches_and_ancestors() -> None:
    rows = chain_and_fan()
    rows.rebuild()
    rows.set_filter({4})
    assert rows.rows == [0, 1, 4]
    assert rows.has_children(1) and not rows.has_children(4)
    rows.set_filter(None)
    assert rows.rows[:3] == [0, 1, 3]


def test_reveal_expands_ancestors() -> None:
    rows = chain_and_fan()
    rows.rebuild()
    rows.reveal([5])
    assert 5 in rows.rows and rows.rows.index(5) == rows.rows.index(2) + 1


def test_expand_to_depth_respects_the_row_limit() -> None:
    parents = [-1] + [0] * 5000 + [1] * 10
    rows = TreeRows(parents)
    rows.expand_to_depth(5, 400)
    assert rows.rows == [0]  # 5000 children would exceed the limit
    rows.expand_to_depth(5, 6000)
    assert len(rows.rows) == 5011


def test_parent_cycle_and_bad_parents_do_not_hang() -> None:
    rows = TreeRows([1, 0, 99, 2])  # 0<->1 cycle, 2 points nowhere
    rows.expand_all()
    assert sorted(rows.rows) == [0, 1, 2, 3]


def test_deep_chain_is_iterative() -> None:
    n = 50_000
    rows = TreeRows([-1, *list(range(n - 1))])
    rows.expand_all()
    assert len(rows.rows) == n
    assert rows.subtree_end(0) == n
