"""One background asyncio event loop per workspace, on which backend coroutines run.

Services are synchronous; backends are async (``httpx.AsyncClient``). A service hands a
backend's coroutine to :meth:`BackendLoop.run`, which schedules it on the loop's thread with
``asyncio.run_coroutine_threadsafe`` and blocks the calling thread (a TUI worker or the CLI)
until it finishes or the timeout passes. Clients bound to a loop (e.g. the controllers'
pooled httpx client) therefore live on this one loop for the whole process.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any, TypeVar

T = TypeVar("T")


class BackendLoop:
    """Started lazily on the first :meth:`run`; :meth:`stop` joins the thread."""

    def __init__(self, name: str = "ircmd-backends") -> None:
        self._name = name
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def _ensure(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            if self._loop is None or self._thread is None or not self._thread.is_alive():
                loop = asyncio.new_event_loop()
                ready = threading.Event()

                def serve() -> None:
                    asyncio.set_event_loop(loop)
                    loop.call_soon(ready.set)
                    loop.run_forever()

                thread = threading.Thread(target=serve, name=self._name, daemon=True)
                thread.start()
                ready.wait()
                self._loop, self._thread = loop, thread
            return self._loop

    def run(self, coro: Coroutine[Any, Any, T], timeout: float | None = None) -> T:
        """Run ``coro`` on the loop thread and return its result (or raise its error;
        ``TimeoutError`` after ``timeout`` seconds, the coroutine is then cancelled)."""
        loop = self._ensure()
        if threading.current_thread() is self._thread:
            coro.close()
            raise RuntimeError("BackendLoop.run called from its own loop thread")
        future = asyncio.run_coroutine_threadsafe(coro, loop)
        try:
            return future.result(timeout)
        except FutureTimeout:
            if future.done():  # the coroutine's own TimeoutError (the same class since 3.11)
                raise
            future.cancel()
            raise TimeoutError(f"backend call did not finish in {timeout:g} s") from None

    def stop(self) -> None:
        with self._lock:
            loop, thread = self._loop, self._thread
            self._loop = self._thread = None
        if loop is None or thread is None:
            return

        async def drain() -> None:
            tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for t in tasks:
                t.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            await loop.shutdown_asyncgens()

        if thread.is_alive():
            asyncio.run_coroutine_threadsafe(drain(), loop).result(5)
            loop.call_soon_threadsafe(loop.stop)
            thread.join(5)
        loop.close()
