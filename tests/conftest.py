"""Fixtures every test gets. Keep it small; per-area fixtures live next to their tests."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from hypothesis import settings

import tests.services
from tests.services import PrivateService, require_service, start_private, unleash_token

if TYPE_CHECKING:
    from ircmd.service import Workspace

FIXED_NOW = datetime(2026, 11, 28, 9, 30, tzinfo=UTC)

# Every fuzz test is bounded and repeatable: the same examples on every run (a failure in CI
# reproduces on a laptop). Set HYPOTHESIS_PROFILE=explore to search with fresh random examples.
settings.register_profile("ircmd", derandomize=True, print_blob=True)
settings.register_profile("explore", derandomize=False, max_examples=500)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ircmd"))


# Fixtures that reach a real server: a test using one gets the ``services`` marker
# automatically, so ``pytest -m "not services"`` is the fast subset that needs no server.
SERVICE_FIXTURES = frozenset(
    {
        "pg_admin_dsn",
        "alertmanager_url",
        "phoenix_url",
        "unleash_admin",
        "chromium_path",
        "private_service",
        "pg_database",
        "pg_dsn",
    }
)
# Parametrised fixtures whose parameter picks a real server (tests/store: ``spec[postgres]``).
SERVICE_PARAMS = {"spec": "postgres"}


def needs_services(item: pytest.Item) -> bool:
    if SERVICE_FIXTURES & set(getattr(item, "fixturenames", ())):
        return True
    callspec = getattr(item, "callspec", None)
    params = callspec.params if callspec is not None else {}
    return any(params.get(name) == value for name, value in SERVICE_PARAMS.items())


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if needs_services(item) and item.get_closest_marker("services") is None:
            item.add_marker(pytest.mark.services)


@pytest.fixture(autouse=True)
def _services_marker_guard(request: pytest.FixtureRequest) -> Iterator[None]:
    """``require_service`` fails a test that reaches a real server without the marker."""
    tests.services.CURRENT_TEST_MARKED = request.node.get_closest_marker("services") is not None
    yield
    tests.services.CURRENT_TEST_MARKED = None


@pytest.fixture(autouse=True)
def _ircmd_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No test touches the user's real data or config: IRCMD_DATA_DIR and IRCMD_CONFIG point
    at a fresh temporary directory (an empty config file = the defaults)."""
    home = tmp_path_factory.mktemp("ircmd-home")
    config = home / "config.toml"
    config.write_text("", encoding="utf-8")
    (home / "data").mkdir()
    monkeypatch.setenv("IRCMD_DATA_DIR", str(home / "data"))
    monkeypatch.setenv("IRCMD_CONFIG", str(config))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "xdg-data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "xdg-config"))
    return home


@pytest.fixture
def isolated_dirs(_ircmd_home: Path) -> Path:
    """The test's data dir (IRCMD_DATA_DIR)."""
    return _ircmd_home / "data"


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Workspace]:
    """An empty workspace (the default config, a TinyDB store in ``tmp_path/data``, actor
    ``tester``), opened as ``ircmd`` opens one; IRCMD_DATA_DIR points at it; closed after.
    A module that needs another config defines its own ``workspace`` fixture."""
    from ircmd.service import Workspace
    from ircmd.service.config import parse_config

    monkeypatch.setenv("IRCMD_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("IRCMD_CONFIG", str(tmp_path / "none.toml"))
    ws = Workspace.open(parse_config("", "<test>"), tmp_path / "data", actor="tester")
    yield ws
    ws.close()


class StepClock:
    """A clock that starts at FIXED_NOW and moves one second per call."""

    def __init__(self, start: datetime = FIXED_NOW, step: float = 1.0) -> None:
        self.now = start
        self.step = timedelta(seconds=step)

    def __call__(self) -> datetime:
        value = self.now
        self.now += self.step
        return value


@pytest.fixture
def step_clock() -> StepClock:
    return StepClock()


# -- real servers (tests/services.py; started by scripts/services.sh) -------------------------
@pytest.fixture
def pg_admin_dsn() -> str:
    """Superuser DSN of the shared PostgreSQL 15 (create your own database)."""
    return require_service("postgres")


@pytest.fixture
def alertmanager_url() -> str:
    return require_service("alertmanager")


@pytest.fixture
def phoenix_url() -> str:
    return require_service("phoenix")


@pytest.fixture
def unleash_admin() -> tuple[str, str]:
    """(URL, admin API token) of the shared Unleash."""
    return require_service("unleash"), unleash_token()


@pytest.fixture
def chromium_path() -> str:
    return require_service("chromium")


@pytest.fixture
def private_service(tmp_path: Path) -> Iterator[Callable[[str], PrivateService]]:
    """``private_service("unleash")`` starts an instance the test owns (it may kill it);
    every one started is stopped and cleaned up after the test."""
    started: list[PrivateService] = []

    def start(name: str) -> PrivateService:
        service = start_private(name, tmp_path / f"private-{len(started)}")
        started.append(service)
        return service

    yield start
    for service in reversed(started):
        service.close()
