"""Writing one file atomically (temp file + fsync + link/rename), never clobbering silently."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from ircmd.domain.incidents.incident import DomainError


def write_new(path: Path, data: bytes, force: bool = False) -> None:
    """Write ``data`` to ``path``; refuse when it exists unless ``force`` (then replace it
    atomically). A crash leaves either nothing or the whole file."""
    if (path.exists() or path.is_symlink()) and not force:
        raise DomainError(f"{path} already exists; choose another path or pass --force")
    if not path.parent.is_dir():
        raise DomainError(f"{path.parent} is not a directory")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        if force:
            os.replace(tmp, path)
        else:
            try:
                os.link(tmp, path)  # atomic and fails if the path appeared meanwhile
            except FileExistsError:
                raise DomainError(
                    f"{path} already exists; choose another path or pass --force"
                ) from None
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
