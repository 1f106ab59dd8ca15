"""The per-command context: the parsed arguments, and the config, workspace, store and
service each built when the command first asks (``ircmd --version`` builds none).

Its own module so that ``cli.completion`` can build one without importing ``cli.common``
(which names the completers in ``cli.completion``): no import cycle between the two."""

from __future__ import annotations

import argparse
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ircmd.cli.errors import LOADED

if TYPE_CHECKING:
    from ircmd.domain.config import Config
    from ircmd.service import IncidentService, Workspace
    from ircmd.service.admin.store_admin import IncidentStore


@dataclass
class Context:
    args: argparse.Namespace
    _config: Config | None = None
    _workspace: Workspace | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def config(self) -> Config:
        if self._config is None:
            from ircmd.service.config import load_config

            self._config = load_config()
            LOADED[:] = [self._config]
        return self._config

    @property
    def data_dir(self) -> Path:
        from ircmd.service.config import data_dir

        return data_dir()

    @property
    def read_only(self) -> bool:
        return bool(
            getattr(self.args, "read_only", False) or getattr(self.args, "read_only_sub", False)
        )

    @property
    def workspace(self) -> Workspace:
        if self._workspace is None:
            from ircmd.service import Workspace

            self._workspace = Workspace.open(
                self.config,
                self.data_dir,
                actor=getattr(self.args, "author", None),
                read_only=self.read_only,
            )
        return self._workspace

    @property
    def store(self) -> IncidentStore:
        return self.workspace.store

    @property
    def service(self) -> IncidentService:
        return self.workspace.incidents

    def close(self) -> None:
        if self._workspace is not None:
            self._workspace.close()
            self._workspace = None
