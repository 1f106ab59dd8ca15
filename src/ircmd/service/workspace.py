"""Everything one ircmd process works with: config, data dir, store and the services on them.

Services that need backends are built lazily from the config (``functools.cached_property``),
so a command that does not use a backend never constructs it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ircmd.domain.config import Config
from ircmd.service.incidents.service import IncidentService, default_actor
from ircmd.store import IncidentStore, open_store
from ircmd.store.readonly import ReadOnlyStore


@dataclass
class Workspace:
    config: Config
    data_dir: Path
    store: IncidentStore
    incidents: IncidentService
    read_only: bool = False
    demo: bool = False
    notes: dict[str, object] = field(default_factory=dict)

    @classmethod
    def open(
        cls,
        config: Config,
        data_dir: Path,
        actor: str | None = None,
        read_only: bool = False,
        demo: bool = False,
    ) -> Workspace:
        store: IncidentStore = open_store(config.store, data_dir)
        if read_only:
            store = ReadOnlyStore(store)
        who = actor or config.author or default_actor()
        return cls(
            config=config,
            data_dir=data_dir,
            store=store,
            incidents=IncidentService(store=store, config=config, actor=who),
            read_only=read_only,
            demo=demo,
        )

    @property
    def actor(self) -> str:
        return self.incidents.actor

    def close(self) -> None:
        self.store.close()
