"""Trace input for the headless CLI: OTLP files and the spool read in one batch, the
file source of the trace explorer, and the OTLP/HTTP receiver spooling to disk."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from ircmd.backends.protocols import TraceBatch, TraceSource, TraceSourceError
from ircmd.domain.config import OtlpSourceConfig

if TYPE_CHECKING:
    from ircmd.backends.traces.otlp_receiver import OtlpReceiver

__all__ = ["TraceBatch", "TraceSource", "TraceSourceError", "file_source", "load", "receiver"]


def load(paths: list[str], spool: Path | None) -> TraceBatch:
    """Every span in ``paths`` (files, directories, globs) and, with ``spool``, in the
    receiver's spool there; problems are the batch's warnings, never exceptions."""
    batch = TraceBatch()
    if paths:
        from ircmd.backends.traces.files import load_paths

        batch.extend(load_paths(paths))
    if spool is not None:
        from ircmd.backends.traces.otlp_receiver import read_spool

        if not spool.is_dir():
            batch.warnings.append(f"{spool}: no spool here (has `ircmd receive` run?)")
        batch.extend(read_spool(spool))
    from ircmd.domain.traces.tracetree import dedupe_spans

    spans, dups = dedupe_spans(batch.spans)  # a span read twice is one span everywhere
    batch.spans = spans
    for k, n in dups.items():
        batch.duplicates[k] = batch.duplicates.get(k, 0) + n
    return batch


def file_source(paths: list[str]) -> tuple[TraceSource, bool, list[str]]:
    """A watching source over ``paths``, whether any file matches yet, and what is missing."""
    from ircmd.backends.traces.files import FileTraceSource, expand

    files, missing = expand(list(paths))
    return FileTraceSource("files", list(paths), watch=True), bool(files), missing


def receiver(
    cfg: OtlpSourceConfig | None, data_dir: Path, host: str | None, port: int | None
) -> OtlpReceiver:
    """An OTLP/HTTP receiver (not started) spooling under ``data_dir``, from the config's
    ``otlp`` source when there is one; the spool's retention is applied first."""
    from ircmd.backends.traces.otlp_receiver import OtlpReceiver, spool_dir
    from ircmd.backends.traces.spool import Spool

    name = cfg.name if cfg else "receiver"
    spool = Spool(
        spool_dir(data_dir, name),
        max_bytes=cfg.spool_max_bytes if cfg else 512 * 1024 * 1024,
        max_age_s=(cfg.spool_max_age_days if cfg else 30.0) * 86400.0,
    )
    spool.retain()
    from ircmd.backends.traces.http_limits import ReceiverLimits

    return OtlpReceiver(
        host or (cfg.host if cfg else "127.0.0.1"),
        port if port is not None else (cfg.port if cfg else 4318),
        spool,
        origin=name,
        limits=ReceiverLimits.from_config(cfg) if cfg else None,
        grpc_port=cfg.grpc_port if cfg else 0,
    )
