"""Import cycles in ``src/ircmd`` (issue 10: "break the seven cycles", "no cycles between
areas"): two-module cycles, and cycles between the area packages of one layer
(``service/evidence`` and ``service/regulatory``, say).

The seven the issue named are gone; the ones left are listed here (most are a function-level
import one way: the extension registry ``service/hooks.py`` and the providers it lists, a
command module and its completer). This fails on a new cycle, and on a listed one that is
fixed (strike it from the list). Imports under ``if TYPE_CHECKING:`` do not count."""

from __future__ import annotations

import grimp

KNOWN = {
    ("ircmd.backends.traces.grpc_receiver", "ircmd.backends.traces.otlp_receiver"),
    ("ircmd.cli", "ircmd.cli.parser"),
    ("ircmd.cli.common", "ircmd.cli.completion"),
    ("ircmd.cli.regulatory_clock_cmds", "ircmd.cli.regulatory_cmds"),
    ("ircmd.domain.traces.logs", "ircmd.domain.traces.otlp"),
    ("ircmd.service.containment.hooks", "ircmd.service.hooks"),
    ("ircmd.service.evidence.hooks", "ircmd.service.hooks"),
    ("ircmd.service.hooks", "ircmd.service.regulatory.clocks"),
    ("ircmd.service.hooks", "ircmd.service.signals.service"),
    ("ircmd.service.hooks", "ircmd.service.traces.health"),
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
}


KNOWN_AREAS = {
    # regulatory reads the evidence dossier; evidence/hooks.py holds the Art. 73 providers
    # (they belong in regulatory/; tests import them from evidence.hooks today)
    ("ircmd.service.evidence", "ircmd.service.regulatory"),
}


def _graph() -> grimp.ImportGraph:
    return grimp.build_graph("ircmd", exclude_type_checking_imports=True)


def area_cycles() -> set[tuple[str, str]]:
    """Pairs of area packages (``ircmd.<layer>.<area>``) of one layer importing each other."""
    graph = _graph()

    def area(module: str) -> str | None:
        parts = module.split(".")
        if len(parts) < 3:
            return None
        package = ".".join(parts[:3])
        return package if graph.find_children(package) else None

    edges: dict[str, set[str]] = {}
    for module in graph.modules:
        a = area(module)
        for imported in graph.find_modules_directly_imported_by(module):
            b = area(imported)
            if a and b and a != b and a.split(".")[1] == b.split(".")[1]:
                edges.setdefault(a, set()).add(b)
    return {(a, b) for a, bs in edges.items() for b in bs if a < b and a in edges.get(b, set())}


def test_no_new_cycle_between_areas() -> None:
    found = area_cycles()
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
