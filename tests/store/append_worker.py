"""Another console, as a process: append N notes to one incident on the configured store.

Usage: python append_worker.py INCIDENT_ID N TAG   (store from IRCMD_CONFIG/IRCMD_DATA_DIR)
"""

from __future__ import annotations

import sys

from ircmd.service import Workspace
from ircmd.service.config import data_dir, load_config


def main() -> int:
    incident_id, count, tag = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    ws = Workspace.open(load_config(), data_dir(), actor=f"worker-{tag}")
    try:
        for i in range(count):
            ws.incidents.note(incident_id, f"{tag}-{i}")
    finally:
        ws.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
