"""Static check (cheap, no app): the TUI calls the store and the services only in workers.

Walks every function in ``src/ircmd/tui/**``. A function is a *worker* when it is decorated
``@work(thread=True, ...)`` or handed to ``run_worker(..., thread=True)`` in the same module;
nested functions and lambdas inside a worker count as the worker (they run on its thread).
Everywhere else (event handlers, actions, ``compose``, verbs' handlers...) a call through an
attribute chain that names the store (``self.workspace.store.docs()``, ``svc.store.get()``)
or a service (``self.workspace.incidents.get()``, ``self.service.set_control()``) fails the
test, unless the call is in :data:`ALLOWED` with its reason.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import ircmd.tui

TUI = Path(ircmd.tui.__file__).parent

SERVICES = {
    "incidents",
    "containment",
    "signals",
    "traces",
    "service",
    "severity_service",
    "presence",
}
"""Attribute names under which the TUI holds a service (``workspace.X`` or ``self.X``)."""

PURE = {
    "clock",  # the workspace clock: no I/O (tests pin it)
    "board",  # SignalService.board(): the in-memory board from the last poll, no I/O
    "reconcile_interval",
    "due",  # SignalService.due(): which sources' interval passed (in memory)
    "source_of",
    "timeout_for",
}
"""Service methods that do no I/O (in-memory state or configuration only)."""

ALLOWED: dict[tuple[str, str], str] = {
    ("screens/evidence/verbs.py", "export_verb.run"): (
        "default_export_path() only joins the data dir and a time stamp (no I/O); the export "
        "itself is handed to run_write"
    ),
    ("screens/incidents.py", "IncidentsScreen.on_mount"): (
        "signal_service() returns the workspace's cached service object (built from the "
        "config, no I/O); polling is a worker"
    ),
    ("screens/warroom/panes/containment.py", "ContainmentPane._change_warnings"): (
        "a helper called only from the prepare_toggle/prepare_plan thread workers"
    ),
    ("screens/warroom/panes/traces.py", "default_sources"): (
        "build_sources() builds source objects from the config; they read nothing until the "
        "live-sources worker polls them"
    ),
}
"""(file relative to tui/, function qualname) → why a store/service call there is fine."""


def _chain(node: ast.expr) -> list[str]:
    """``self.workspace.store.docs`` → ['self', 'workspace', 'store', 'docs']."""
    out: list[str] = []
    while isinstance(node, ast.Attribute):
        out.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        out.append(node.id)
    return out[::-1]


def _is_thread_work(dec: ast.expr) -> bool:
    if not isinstance(dec, ast.Call):
        return False
    name = _chain(dec.func)
    if not name or name[-1] != "work":
        return False
    return any(
        k.arg == "thread" and isinstance(k.value, ast.Constant) and k.value.value is True
        for k in dec.keywords
    )


def _thread_worker_targets(tree: ast.AST) -> set[str]:
    """Names of functions passed as ``run_worker(fn, ..., thread=True)`` or as the war room's
    ``run_write(fn, ...)`` (a thread worker that runs ``fn`` on its thread)."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        func = _chain(node.func)
        if not func or func[-1] not in {"run_worker", "run_write"}:
            continue
        thread = ast.Call(func=ast.Name("work"), args=[], keywords=node.keywords)
        if func[-1] == "run_worker" and not _is_thread_work(thread):
            continue
        target = _chain(node.args[0])
        if target:
            names.add(target[-1])
    return names


def _service_imports(tree: ast.AST) -> set[str]:
    """Local names bound to functions or modules of ``ircmd.service``/``ircmd.store``
    (classes, capitalised, are left out: building a service object does no I/O)."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if not isinstance(node, ast.ImportFrom) or not node.module:
            continue
        if node.module.split(".")[:2] in (["ircmd", "service"], ["ircmd", "store"]):
            for alias in node.names:
                name = alias.asname or alias.name
                if not name[:1].isupper():
                    names.add(name)
    return names


def _offending(call: ast.Call, imported: set[str]) -> str | None:
    chain = _chain(call.func)
    if chain and chain[0] in imported and chain[-1] not in PURE:
        return ".".join(chain)
    if len(chain) < 2:
        return None
    method, owners = chain[-1], chain[:-1]
    if "store" in owners:
        return ".".join(chain)
    held = owners[-1] == "service" or "workspace" in owners or owners[0] == "self"
    if owners[-1] in SERVICES and method not in PURE and held:
        return ".".join(chain)
    return None


def _walk_functions(
    node: ast.AST, prefix: str, in_worker: bool, workers: set[str]
) -> Iterator[tuple[str, bool, ast.AST]]:
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.ClassDef):
            yield from _walk_functions(child, f"{prefix}{child.name}.", in_worker, workers)
        elif isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
            worker = (
                in_worker
                or any(_is_thread_work(d) for d in child.decorator_list)
                or child.name in workers
            )
            yield f"{prefix}{child.name}", worker, child
            yield from _walk_functions(child, f"{prefix}{child.name}.", worker, workers)
        else:
            yield from _walk_functions(child, prefix, in_worker, workers)


def _own_calls(fn: ast.AST) -> Iterator[ast.Call]:
    """Calls in ``fn``'s body, not in nested defs (those are walked on their own); lambdas
    are included (they run where they are called, usually right here)."""
    stack = list(ast.iter_child_nodes(fn))
    while stack:
        node = stack.pop()
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            continue
        if isinstance(node, ast.Call):
            yield node
        stack.extend(ast.iter_child_nodes(node))


def _handed_to_worker(fn: ast.AST) -> set[int]:
    """ids of lambdas passed straight to ``run_write(...)``/``run_worker(...)``: they run in
    that worker, not here."""
    out: set[int] = set()
    for node in ast.walk(fn):
        if isinstance(node, ast.Call):
            name = _chain(node.func)
            if name and name[-1] in {"run_write", "run_worker"}:
                for arg in node.args:
                    if isinstance(arg, ast.Lambda):
                        out.update(id(n) for n in ast.walk(arg))
    return out


def scan(root: Path = TUI) -> list[str]:
    found: list[str] = []
    for path in sorted(root.rglob("*.py")):
        tree = ast.parse(path.read_text(), str(path))
        workers = _thread_worker_targets(tree)
        imported = _service_imports(tree)
        rel = path.relative_to(root).as_posix()
        for qualname, worker, fn in _walk_functions(tree, "", False, workers):
            if worker or (rel, qualname) in ALLOWED:
                continue
            deferred = _handed_to_worker(fn)
            for call in _own_calls(fn):
                if id(call) in deferred:
                    continue
                what = _offending(call, imported)
                if what:
                    found.append(f"{rel}:{call.lineno} {qualname}: {what}()")
    return sorted(found, key=lambda f: (f.split(":")[0], int(f.split(":")[1].split()[0])))


def test_no_store_or_service_call_outside_thread_workers() -> None:
    found = scan()
    assert found == [], "store/service calls outside thread workers:\n" + "\n".join(found)


def test_the_check_catches_a_store_read_in_a_handler(tmp_path: Path) -> None:
    (tmp_path / "pane.py").write_text(
        "from textual import work\n"
        "from ircmd.service import hooks\n"
        "class P:\n"
        "    def on_mount(self):\n"
        "        self.workspace.store.docs('evidence')\n"
        "    def verbs(self):\n"
        "        def pinned():\n"
        "            return room.workspace.store.docs('evidence')\n"
        "        return pinned\n"
        "    def action_go(self):\n"
        "        self.service.set_control('INC-1', 'wf/c', 'on', 'why')\n"
        "        self.run_write(lambda: self.workspace.incidents.add_note('x'), 'ok')\n"
        "        self.reader()\n"
        "        hooks.change_warnings(self.workspace, 'INC-1', 'x')\n"
        "    @work(thread=True, exit_on_error=False)\n"
        "    def reader(self):\n"
        "        self.workspace.store.docs('evidence')\n"
        "        self.service.rows()\n"
    )
    assert scan(tmp_path) == [
        "pane.py:5 P.on_mount: self.workspace.store.docs()",
        "pane.py:8 P.verbs.pinned: room.workspace.store.docs()",
        "pane.py:11 P.action_go: self.service.set_control()",
        "pane.py:14 P.action_go: hooks.change_warnings()",
    ]
    # ...and the real TUI with a store read put back on the loop
    tree = tmp_path / "tui"
    (tree / "screens/evidence").mkdir(parents=True)
    verbs = (TUI / "screens/evidence/verbs.py").read_text()
    bad = verbs.replace(
        "    pinned = digests.choices\n",
        "    def pinned() -> list[str]:\n"
        "        return list(room.workspace.store.docs('evidence'))\n",
    )
    assert bad != verbs
    (tree / "screens/evidence/verbs.py").write_text(bad)
    assert [f.split(" ", 1)[1] for f in scan(tree)] == [
        "eval_verb.pinned: room.workspace.store.docs()"
    ]
