"""Import cycles in ``src/ircmd`` (issue 10: "break the seven cycles", "no cycles between
areas"): two-module cycles, and cycles between the area packages of one layer
(``service/evidence`` and ``service/regulatory``, say).

Cycles between areas are also a contract (``acyclic_siblings`` in ``pyproject.toml``, run by
``lint-imports``, which also counts a layer's loose modules such as ``service/hooks.py`` as
areas). The seven the issue named are gone, and so are the later ones; the one two-module
cycle left is listed here, with why. This fails on a new cycle, and on a listed
one that is fixed (strike it from the list). Imports under ``if TYPE_CHECKING:`` do not count."""

from __future__ import annotations

import grimp

KNOWN = {
    # the package's lean entry point (``ircmd --version`` answers before argparse is imported)
    # imports the parser only when a command runs; the parser reads its table of commands
    ("ircmd.cli", "ircmd.cli.parser"),
}
BROKEN_BY_ISSUE_10 = {
    ("ircmd.domain.traces.conventions", "ircmd.domain.traces.spans"),
    ("ircmd.domain.traces.otlp", "ircmd.domain.traces.otlp_stream"),
    ("ircmd.cli.incident", "ircmd.cli.signals"),
    ("ircmd.cli.evidence", "ircmd.cli.review_cmds"),
    ("ircmd.cli.evidence", "ircmd.cli.regulatory_cmds"),
    ("ircmd.service.containment.drift", "ircmd.service.containment.service"),
    ("ircmd.store.tinydb.raw", "ircmd.store.tinydb.store"),
    ("ircmd.tui.screens.warroom.screen", "ircmd.tui.screens.warroom.verbs"),
    # the war-room registry and its providers: the composition root lists the providers
    ("ircmd.service.containment.hooks", "ircmd.service.hooks"),
    ("ircmd.service.evidence.hooks", "ircmd.service.hooks"),
    ("ircmd.service.hooks", "ircmd.service.regulatory.clocks"),
    ("ircmd.service.hooks", "ircmd.service.signals.service"),
    ("ircmd.service.hooks", "ircmd.service.traces.health"),
    # the per-command Context is its own module; the clock command asks the service itself
    ("ircmd.cli.common", "ircmd.cli.completion"),
    ("ircmd.cli.regulatory_clock_cmds", "ircmd.cli.regulatory_cmds"),
    # AnyValue decoding in its own module; the gRPC server asks its receiver to decode
    ("ircmd.domain.traces.logs", "ircmd.domain.traces.otlp"),
    ("ircmd.backends.traces.grpc_receiver", "ircmd.backends.traces.otlp_receiver"),
}


KNOWN_AREAS: set[tuple[str, str]] = set()
BROKEN_AREAS = {
    # the Art. 73 providers moved from evidence/hooks.py to regulatory/hooks.py
    ("ircmd.service.evidence", "ircmd.service.regulatory"),
    # the containment and trace panes' dialogs moved into warroom/panes/
    ("ircmd.tui.screens.containment", "ircmd.tui.screens.warroom"),
    ("ircmd.tui.screens.traces", "ircmd.tui.screens.warroom"),
}


def _graph() -> grimp.ImportGraph:
    # no cache: grimp's cache can hand back a graph built with the other
    # exclude_type_checking_imports setting after the sources changed (50 ms uncached)
    return grimp.build_graph("ircmd", exclude_type_checking_imports=True, cache_dir=None)


# the packages whose area packages must not import each other (as the contract in pyproject.toml)
LAYERS = ("ircmd.domain", "ircmd.service", "ircmd.backends", "ircmd.store", "ircmd.cli",
          "ircmd.tui", "ircmd.tui.screens", "ircmd.tui.widgets")  # fmt: skip


def area_cycles() -> set[tuple[str, str]]:
    """Pairs of area packages (``<layer>.<area>``, ``ircmd.tui.screens.warroom`` say) of one
    layer importing each other, directly."""
    graph = _graph()

    def area(module: str) -> tuple[str, str] | None:
        """(layer, area package) of a module: the innermost layer it is in."""
        layer = max((x for x in LAYERS if module.startswith(x + ".")), key=len, default=None)
        if layer is None:
            return None
        package = ".".join(module.split(".")[: layer.count(".") + 2])
        return (layer, package) if graph.find_children(package) else None

    edges: dict[str, set[str]] = {}
    for module in graph.modules:
        a = area(module)
        for imported in graph.find_modules_directly_imported_by(module):
            b = area(imported)
            if a and b and a[1] != b[1] and a[0] == b[0]:
                edges.setdefault(a[1], set()).add(b[1])
    return {(a, b) for a, bs in edges.items() for b in bs if a < b and a in edges.get(b, set())}


def test_no_new_cycle_between_areas() -> None:
    found = area_cycles()
    assert not found & BROKEN_AREAS, sorted(found & BROKEN_AREAS)
    assert found - KNOWN_AREAS == set(), f"new cycles between areas: {sorted(found - KNOWN_AREAS)}"
    assert KNOWN_AREAS - found == set(), f"fixed, strike: {sorted(KNOWN_AREAS - found)}"


def two_module_cycles() -> set[tuple[str, str]]:
    graph = _graph()
    found: set[tuple[str, str]] = set()
    for module in graph.modules:
        for imported in graph.find_modules_directly_imported_by(module):
            if module < imported and module in graph.find_modules_directly_imported_by(imported):
                found.add((module, imported))
    return found


def test_no_new_two_module_cycle_and_the_named_ones_stay_broken() -> None:
    found = two_module_cycles()
    assert not found & BROKEN_BY_ISSUE_10, sorted(found & BROKEN_BY_ISSUE_10)
    assert found - KNOWN == set(), f"new import cycles: {sorted(found - KNOWN)}"
    assert KNOWN - found == set(), f"fixed, strike from KNOWN: {sorted(KNOWN - found)}"
