"""Fixtures every test gets. Keep it small; per-area fixtures live next to their tests."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.services import PrivateService, require_service, start_private, unleash_token


@pytest.fixture(autouse=True)
def _ircmd_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No test touches the user's real data or config: IRCMD_DATA_DIR and IRCMD_CONFIG point
    at a fresh temporary directory (an empty config file = the defaults)."""
    home = tmp_path_factory.mktemp("ircmd-home")
    config = home / "config.toml"
    config.write_text("", encoding="utf-8")
    monkeypatch.setenv("IRCMD_DATA_DIR", str(home / "data"))
    monkeypatch.setenv("IRCMD_CONFIG", str(config))
    return home


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
