"""Broad exception handlers in ``src/ircmd`` (issue 10, the ``except Exception`` audit).

A handler for ``Exception``/``BaseException`` (or a bare ``except:``, or
``suppress(Exception)``) either re-raises (cleanup, nothing swallowed) or carries a comment
on its line saying why it is broad (a worker that must report instead of dying unseen,
third-party code, completion that must never break a shell...). None is a bare ``pass``.
Everything else narrows to the exceptions that really occur.
"""

from __future__ import annotations

import ast
import io
import tokenize
from pathlib import Path

import ircmd
from ircmd.domain.incidents.incident import DomainError, Incident
from ircmd.domain.incidents.timeline import EventKind, TimelineEvent
from ircmd.service.incidents.service import IncidentService
from ircmd.store.tinydb.store import TinyDBIncidentStore

SRC = Path(ircmd.__file__).parent
BROAD = {"Exception", "BaseException"}


def _names(node: ast.expr | None) -> set[str]:
    if node is None:
        return {"BaseException"}  # bare ``except:``
    if isinstance(node, ast.Tuple):
        return {n for elt in node.elts for n in _names(elt)}
    if isinstance(node, ast.Name):
        return {node.id}
    if isinstance(node, ast.Attribute):
        return {node.attr}
    return set()


def _reraises(handler: ast.ExceptHandler) -> bool:
    return any(isinstance(stmt, ast.Raise) and stmt.exc is None for stmt in handler.body)


def _commented_lines(text: str) -> set[int]:
    tokens = tokenize.generate_tokens(io.StringIO(text).readline)
    return {tok.start[0] for tok in tokens if tok.type == tokenize.COMMENT}


def scan(root: Path = SRC) -> list[str]:
    found: list[str] = []
    for path in sorted(root.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        commented = _commented_lines(text)
        rel = path.relative_to(root).as_posix()
        for node in ast.walk(ast.parse(text, str(path))):
            if isinstance(node, ast.ExceptHandler) and _names(node.type) & BROAD:
                if all(isinstance(s, ast.Pass) for s in node.body):
                    found.append(f"{rel}:{node.lineno}: a broad except that only passes")
                elif not _reraises(node) and node.lineno not in commented:
                    found.append(f"{rel}:{node.lineno}: a broad except with no reason given")
            elif isinstance(node, ast.withitem) and isinstance(node.context_expr, ast.Call):
                call = node.context_expr
                func = call.func
                name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
                broad = any(_names(a) & BROAD for a in call.args)
                if name == "suppress" and broad and call.lineno not in commented:
                    found.append(f"{rel}:{call.lineno}: suppress(Exception) with no reason given")
    return found


def test_every_broad_handler_says_why_or_reraises() -> None:
    found = scan()
    assert found == [], "broad exception handlers without a reason:\n" + "\n".join(found)


def test_the_scan_catches_an_unexplained_or_silent_handler(tmp_path: Path) -> None:
    (tmp_path / "m.py").write_text(
        "import contextlib\n"
        "def f():\n"
        "    try:\n"
        "        g()\n"
        "    except Exception:\n"
        "        return None\n"
        "    try:\n"
        "        g()\n"
        "    except (OSError, Exception):  # a reason\n"
        "        pass\n"
        "    try:\n"
        "        g()\n"
        "    except BaseException:\n"
        "        cleanup()\n"
        "        raise\n"
        "    try:\n"
        "        g()\n"
        "    except Exception:  # a worker reports one line\n"
        "        report()\n"
        "    try:\n"
        "        g()\n"
        "    except ValueError:\n"
        "        return None\n"
        "    with contextlib.suppress(Exception):\n"
        "        g()\n"
        "    with contextlib.suppress(Exception):  # closing is best effort\n"
        "        g()\n"
    )
    assert scan(tmp_path) == [
        "m.py:5: a broad except with no reason given",
        "m.py:9: a broad except that only passes",
        "m.py:24: suppress(Exception) with no reason given",
    ]


def test_a_failing_declare_hook_is_noted_on_the_incident_not_swallowed(tmp_path: Path) -> None:
    """The declaration stands, and the hook's failure (a bug: its type is named) is on the
    timeline instead of vanishing."""
    svc = IncidentService(store=TinyDBIncidentStore(tmp_path), actor="maria.ic")

    def broken(inc: Incident, events: list[TimelineEvent]) -> None:
        raise AttributeError("'NoneType' object has no attribute 'name'")

    def refused(inc: Incident, events: list[TimelineEvent]) -> None:
        raise DomainError("no playbook matched")

    svc.on_declared.extend([broken, refused])
    inc, _ = svc.declare("Refund bot over-promising")
    notes = [e for e in svc.timeline(inc.id) if e.kind == EventKind.NOTE]
    assert [n.text for n in notes] == [
        "after declaring: AttributeError: 'NoneType' object has no attribute 'name'",
        "after declaring: no playbook matched",
    ]
    assert all(n.author == "ircmd" for n in notes)
