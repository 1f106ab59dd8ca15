"""Schema migrations for stored records.

The journal header carries the schema version its records were written with. Records of
an older schema are upgraded in memory as they are read (``migrate_ops``); ``ircmd store
compact`` then rewrites the file in the current schema. Add a function to ``MIGRATIONS``
when ``SCHEMA_VERSION`` goes up: ``MIGRATIONS[n]`` turns schema ``n`` ops into ``n + 1``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Op = list[Any]

MIGRATIONS: dict[int, Callable[[list[Op]], list[Op]]] = {}


def migrate_ops(ops: list[Op], from_schema: int) -> list[Op]:
    from ircmd.store.base import SCHEMA_VERSION

    version = from_schema
    while version < SCHEMA_VERSION:
        step = MIGRATIONS.get(version)
        if step is None:
            raise ValueError(f"no migration from schema {version}")
        ops = step(ops)
        version += 1
    return ops
