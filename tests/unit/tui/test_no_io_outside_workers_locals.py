"""The UI-loop guard's blind spot, closed: a service object held in a *local* name.

``tests/unit/tui/test_no_io_outside_workers.py`` recognises service calls through the
store, the workspace, ``self.<service>`` and functions imported from ``ircmd.service``. A
verb that builds its own service (``svc = TaskService(room.workspace.incidents)``) and calls
``svc.add(...)`` right there, on the loop, would pass it. This walks the same functions and
fails on a method call on a local bound to an ``ircmd.service`` class (or to one of its
constructors, ``TraceService.for_workspace(...)``) outside a thread worker or a lambda
handed to ``run_write``/``run_worker``.
"""

from __future__ import annotations

import ast
from pathlib import Path

from tests.unit.tui.test_no_io_outside_workers import (
    TUI,
    _chain,
    _handed_to_worker,
    _own_calls,
    _thread_worker_targets,
    _walk_functions,
)


def _service_classes(tree: ast.AST) -> set[str]:
    """Capitalised names imported from ``ircmd.service`` (service classes)."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if not isinstance(node, ast.ImportFrom) or not node.module:
            continue
        if node.module.split(".")[:2] == ["ircmd", "service"]:
            names.update(
                a.asname or a.name for a in node.names if (a.asname or a.name)[:1].isupper()
            )
    return names


def _service_locals(fn: ast.AST, classes: set[str], inherited: set[str]) -> set[str]:
    """Local names ``fn`` binds to a service object (plus those of enclosing functions)."""
    names = set(inherited)
    for node in ast.walk(fn):
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
            made = _chain(node.value.func)
            if made and made[0] in classes:
                names.update(t.id for t in node.targets if isinstance(t, ast.Name))
    return names


def scan(root: Path = TUI) -> list[str]:
    found: list[str] = []
    for path in sorted(root.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        classes = _service_classes(tree)
        if not classes:
            continue
        workers = _thread_worker_targets(tree)
        rel = path.relative_to(root).as_posix()
        functions = list(_walk_functions(tree, "", False, workers))
        bound: dict[str, set[str]] = {}
        for qualname, _worker, fn in functions:
            outer = qualname.rsplit(".", 1)[0] if "." in qualname else ""
            bound[qualname] = _service_locals(fn, classes, bound.get(outer, set()))
        for qualname, worker, fn in functions:
            if worker:
                continue
            deferred = _handed_to_worker(fn)
            for call in _own_calls(fn):
                chain = _chain(call.func)
                if id(call) in deferred or len(chain) != 2:
                    continue
                if chain[0] in bound[qualname]:
                    found.append(f"{rel}:{call.lineno} {qualname}: {'.'.join(chain)}()")
    return found


def test_no_call_on_a_local_service_object_outside_thread_workers() -> None:
    found = scan()
    assert found == [], "service calls on the UI loop:\n" + "\n".join(found)


def test_the_check_catches_a_local_service_called_on_the_loop(tmp_path: Path) -> None:
    (tmp_path / "verbs.py").write_text(
        "from ircmd.service.incidents.tasks import TaskService\n"
        "from ircmd.service.traces.service import TraceService\n"
        "def task_verb(room):\n"
        "    def run(cmd):\n"
        "        svc = TaskService(room.workspace.incidents)\n"
        "        room.run_write(lambda: svc.add('INC-1', 'x'), 'added')\n"
        "        svc.done('INC-1', 'T-1')\n"
        "        def later():\n"
        "            svc.reopen('INC-1', 'T-1')\n"
        "        room.run_write(later, 'reopened')\n"
        "    return run\n"
        "def pin(ws):\n"
        "    traces = TraceService.for_workspace(ws)\n"
        "    traces.pin_span('INC-1', None, 'x')\n"
    )
    assert scan(tmp_path) == [
        "verbs.py:7 task_verb.run: svc.done()",
        "verbs.py:14 pin: traces.pin_span()",
    ]
