"""The workspace's backend loop: results, errors and timeouts of coroutines run on it."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from ircmd.service.backend_loop import BackendLoop


@pytest.fixture
def loop() -> Iterator[BackendLoop]:
    backend = BackendLoop("test-backends")
    yield backend
    backend.stop()


async def _answer() -> int:
    await asyncio.sleep(0)
    return 42


async def _own_timeout() -> None:
    raise TimeoutError("upstream gave up after 2 s")


async def _slow() -> None:
    await asyncio.sleep(30)  # the behaviour under test: a call that outlives its timeout


def test_a_result_comes_back(loop: BackendLoop) -> None:
    assert loop.run(_answer(), 5) == 42


def test_the_coroutines_own_timeout_error_is_its_own(loop: BackendLoop) -> None:
    # TimeoutError is concurrent.futures.TimeoutError since 3.11: without a bound, and
    # within one, the coroutine's error comes back as it raised it
    with pytest.raises(TimeoutError, match="upstream gave up after 2 s"):
        loop.run(_own_timeout())
    with pytest.raises(TimeoutError, match="upstream gave up after 2 s"):
        loop.run(_own_timeout(), 5)


def test_a_call_past_its_bound_is_cancelled_and_named(loop: BackendLoop) -> None:
    with pytest.raises(TimeoutError, match=r"backend call did not finish in 0\.05 s"):
        loop.run(_slow(), 0.05)
    assert loop.run(_answer(), 5) == 42  # the loop is still usable
