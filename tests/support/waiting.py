"""ONE way to wait in tests: on the app's events, with a deadline and a clear failure.

``await wait_until(pilot, lambda: table.row_count == 3, what="three rows")`` lets the app
process its pending messages (``pilot.pause()`` waits until the app is idle), and yields to
running workers between checks, until the condition holds; it returns the condition's truthy
value or fails the test naming what it waited for. ``poll_until`` is the same for code with no
app (a store written by another process, a real server catching up).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable, Iterable
from typing import Any, TypeVar

from textual.app import App
from textual.pilot import Pilot
from textual.widget import Widget

T = TypeVar("T")

# How long one wait yields to threads (workers, servers) before looking again when the app is
# already idle: short enough not to slow a test, long enough not to spin a core.
_YIELD = 0.01


def _describe(condition: Callable[[], object], what: str | None) -> str:
    if what:
        return what
    name = getattr(condition, "__qualname__", repr(condition))
    code = getattr(condition, "__code__", None)
    where = f" ({code.co_filename.rsplit('/', 1)[-1]}:{code.co_firstlineno})" if code else ""
    return f"{name}{where}"


async def wait_until(
    pilot: Pilot[Any] | App[Any],
    condition: Callable[[], T | None],
    timeout: float = 10.0,
    *,
    what: str | None = None,
) -> T:
    """Wait until ``condition()`` is truthy while the app runs; return that value."""
    app = pilot.app if isinstance(pilot, Pilot) else pilot
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            if isinstance(pilot, Pilot):
                # let the app finish handling what led there (e.g. mount the pushed screen)
                await pilot.pause()
            return value
        if time.monotonic() > deadline:
            raise AssertionError(
                f"timed out after {timeout:g}s waiting for {_describe(condition, what)}; "
                f"last value {value!r}, screen {type(app.screen).__name__}, "
                f"running workers {[w.name for w in app.workers if w.is_running]}"
            )
        if isinstance(pilot, Pilot):
            await pilot.pause()
        if not condition():
            # Idle but not there yet: a thread worker or a server is still working.
            await asyncio.sleep(_YIELD)


def poll_until(condition: Callable[[], T], timeout: float = 10.0, *, what: str | None = None) -> T:
    """Synchronous ``wait_until`` for tests without an app; returns the truthy value."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(
                f"timed out after {timeout:g}s waiting for {_describe(condition, what)}; "
                f"last value {value!r}"
            )
        time.sleep(_YIELD)  # another thread/process is working; look again shortly


async def apoll_until(
    condition: Callable[[], Awaitable[T | None]],
    timeout: float = 10.0,
    *,
    what: str | None = None,
    every: float = _YIELD,
) -> T:
    """``poll_until`` for async code without an app: ``condition`` is a coroutine function
    (e.g. one poll of a backend); ``every`` spaces the calls (a real server asked again too
    soon only answers the same). Returns the truthy value."""
    deadline = time.monotonic() + timeout
    while True:
        value = await condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(
                f"timed out after {timeout:g}s waiting for {_describe(condition, what)}; "
                f"last value {value!r}"
            )
        await asyncio.sleep(every)  # the server is still working; ask again shortly


async def settle(
    pilot: Pilot[Any], timeout: float = 10.0, *, ignore_groups: Iterable[str] = ()
) -> None:
    """Until the app is idle and every worker it has started has finished (a worker that
    runs as long as its widget, e.g. a pane's live sources, is named in ``ignore_groups``):
    a key's or a message's whole effect, whatever it started, without guessing a time."""
    app = pilot.app
    ignored = set(ignore_groups)
    deadline = time.monotonic() + timeout
    while True:
        await pilot.pause()
        pending = [w for w in app.workers if not w.is_finished and w.group not in ignored]
        if not pending:
            await pilot.pause()  # what the last workers posted is handled
            if not [w for w in app.workers if not w.is_finished and w.group not in ignored]:
                return
            continue
        left = deadline - time.monotonic()
        if left <= 0:
            raise AssertionError(
                f"timed out after {timeout:g}s waiting for workers to finish: "
                f"{[f'{w.group}/{w.name}' for w in pending]}"
            )
        with contextlib.suppress(TimeoutError):  # reported above, with the names, next turn
            await asyncio.wait_for(app.workers.wait_for_complete(pending), left)


W = TypeVar("W", bound=Widget)


def shown(app: App[Any], widget_type: type[W]) -> W | None:
    """The first ``widget_type`` on the current screen, or None (for ``wait_until``)."""
    nodes = list(app.screen.query(widget_type))
    return nodes[0] if nodes else None
