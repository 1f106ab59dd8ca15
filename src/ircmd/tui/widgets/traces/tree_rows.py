"""The visible rows of a big tree, kept as a flat list so 100,000 nodes stay cheap.

Pure Python (no Textual): nodes are integers ``0..n-1`` with a parent array. Only the
rows that are visible (expanded ancestors, passing the filter) are in :attr:`rows`;
expanding splices a node's visible descendants in after it and collapsing cuts them out,
so the cost of either is the number of rows that appear or disappear, not the tree size.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence


class TreeRows:
    def __init__(self, parents: Sequence[int], order: Sequence[int] | None = None) -> None:
        """``parents[i]`` is the index of node ``i``'s parent or ``-1`` for a root.

        ``order`` (optional) lists the nodes in display order among siblings (e.g. by
        start time); by default nodes keep their index order."""
        n = len(parents)
        self.size = n
        self.parent: list[int] = [p if 0 <= p < n and p != i else -1 for i, p in enumerate(parents)]
        self.children: list[list[int]] = [[] for _ in range(n)]
        self.roots: list[int] = []
        for i in order if order is not None else range(n):
            p = self.parent[i]
            if p < 0:
                self.roots.append(i)
            else:
                self.children[p].append(i)
        self.depth: list[int] = [0] * n
        self._reachable = self._compute_depths()
        self.expanded: bytearray = bytearray(n)
        self.visible_filter: set[int] | None = None
        self.rows: list[int] = []
        self._row_of: dict[int, int] | None = None

    def _compute_depths(self) -> int:
        """Depths by a DFS from the roots; nodes on a parent cycle become roots."""
        seen = bytearray(self.size)
        count = 0
        stack = [(r, 0) for r in reversed(self.roots)]
        while True:
            while stack:
                node, d = stack.pop()
                if seen[node]:
                    continue
                seen[node] = 1
                count += 1
                self.depth[node] = d
                stack.extend((c, d + 1) for c in reversed(self.children[node]))
            if count == self.size:
                return count
            # a cycle: promote its first unseen node to a root and go on
            for i in range(self.size):
                if not seen[i]:
                    p = self.parent[i]
                    if p >= 0:
                        self.children[p].remove(i)
                    self.parent[i] = -1
                    self.roots.append(i)
                    stack.append((i, 0))
                    break

    # -- building the rows -------------------------------------------------------------
    def _kids(self, node: int) -> list[int]:
        kids = self.children[node]
        f = self.visible_filter
        if f is None:
            return kids
        return [c for c in kids if c in f]

    def _visible_below(self, node: int) -> list[int]:
        """The visible descendants of an expanded ``node`` in display order."""
        out: list[int] = []
        stack = list(reversed(self._kids(node)))
        expanded = self.expanded
        while stack:
            n = stack.pop()
            out.append(n)
            if expanded[n] and self.children[n]:
                stack.extend(reversed(self._kids(n)))
        return out

    def rebuild(self) -> None:
        rows: list[int] = []
        f = self.visible_filter
        for r in self.roots:
            if f is not None and r not in f:
                continue
            rows.append(r)
            if self.expanded[r]:
                rows.extend(self._visible_below(r))
        self.rows = rows
        self._row_of = None

    def row_of(self, node: int) -> int:
        """The row showing ``node``, or -1 when it is hidden."""
        if self._row_of is None:
            self._row_of = {n: i for i, n in enumerate(self.rows)}
        return self._row_of.get(node, -1)

    def has_children(self, node: int) -> bool:
        return (
            bool(self._kids(node)) if self.visible_filter is not None else bool(self.children[node])
        )

    # -- structural changes ------------------------------------------------------------
    def expand(self, row: int) -> int:
        """Expand the node on ``row``; returns the number of rows added."""
        node = self.rows[row]
        if self.expanded[node] or not self.children[node]:
            self.expanded[node] = 1
            return 0
        self.expanded[node] = 1
        below = self._visible_below(node)
        self.rows[row + 1 : row + 1] = below
        self._row_of = None
        return len(below)

    def collapse(self, row: int) -> int:
        """Collapse the node on ``row``; returns the number of rows removed."""
        node = self.rows[row]
        if not self.expanded[node]:
            return 0
        self.expanded[node] = 0
        end = self.subtree_end(row)
        removed = end - row - 1
        if removed:
            del self.rows[row + 1 : end]
            self._row_of = None
        return removed

    def subtree_end(self, row: int) -> int:
        """The first row after ``row`` that is not below it."""
        d = self.depth[self.rows[row]]
        depth = self.depth
        rows = self.rows
        end = row + 1
        n = len(rows)
        while end < n and depth[rows[end]] > d:
            end += 1
        return end

    def expand_all(self) -> None:
        for i in range(self.size):
            if self.children[i]:
                self.expanded[i] = 1
        self.rebuild()

    def collapse_all(self) -> None:
        self.expanded = bytearray(self.size)
        self.rebuild()

    def expand_to_depth(self, depth: int, limit: int) -> None:
        """Expand breadth-first down to ``depth`` while at most ``limit`` rows show."""
        shown = len(self.roots)
        level = list(self.roots)
        for _ in range(depth):
            nxt: list[int] = []
            for node in level:
                kids = self.children[node]
                if not kids:
                    continue
                if shown + len(kids) > limit:
                    self.rebuild()
                    return
                self.expanded[node] = 1
                shown += len(kids)
                nxt.extend(kids)
            level = nxt
        self.rebuild()

    def reveal(self, nodes: Iterable[int]) -> None:
        """Expand every ancestor of ``nodes`` so they show."""
        for node in nodes:
            p = self.parent[node]
            while p >= 0 and not self.expanded[p]:
                self.expanded[p] = 1
                p = self.parent[p]
        self.rebuild()

    def set_filter(self, nodes: set[int] | None) -> None:
        """Show only ``nodes`` plus their ancestors (all expanded), or everything again."""
        if nodes is None:
            self.visible_filter = None
            self.rebuild()
            return
        keep: set[int] = set()
        for node in nodes:
            while node >= 0 and node not in keep:
                keep.add(node)
                node = self.parent[node]
        self.visible_filter = keep
        for node in keep:
            if self.children[node]:
                self.expanded[node] = 1
        self.rebuild()

    def ancestors(self, node: int) -> list[int]:
        out = []
        p = self.parent[node]
        while p >= 0:
            out.append(p)
            p = self.parent[p]
        return out

    def preorder(self) -> list[int]:
        """Every node in display order (ignores expansion and filter)."""
        out: list[int] = []
        stack = list(reversed(self.roots))
        while stack:
            n = stack.pop()
            out.append(n)
            stack.extend(reversed(self.children[n]))
        return out
