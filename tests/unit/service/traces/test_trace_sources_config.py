"""The documented [[trace_sources]] keys parse and build the three built-in sources."""

from __future__ import annotations

from pathlib import Path

from ircmd.backends.traces.files import FileTraceSource
from ircmd.backends.traces.otlp_receiver import OtlpReceiverSource
from ircmd.backends.traces.phoenix import PhoenixTraceSource
from ircmd.service.config import parse_config
from ircmd.service.traces.service import build_sources

TOML = """
[[trace_sources]]
name = "local"
kind = "files"
paths = ["traces/*.json"]

[[trace_sources]]
name = "receiver"
kind = "otlp"
port = 4318
enabled = false
spool_max_bytes = 1000000
spool_max_age_days = 2

[[trace_sources]]
name = "phoenix"
kind = "phoenix"
url = "http://127.0.0.1:6006"
project = "support"
token_env = "PHOENIX_API_KEY"

[[trace_sources]]
name = "third"
kind = "no-such-kind"
"""


def test_documented_keys_build_sources(tmp_path: Path) -> None:
    cfg = parse_config(
        TOML.replace('[[trace_sources]]\nname = "third"\nkind = "no-such-kind"\n', ""), "c.toml"
    )
    sources, problems = build_sources(cfg, tmp_path)
    assert problems == []
    files, rx, phx = sources
    assert isinstance(files, FileTraceSource) and files.paths == ["traces/*.json"]
    assert isinstance(rx, OtlpReceiverSource) and not rx.enabled
    assert rx.receiver.port == 4318 and rx.receiver.host == "127.0.0.1"
    assert rx.receiver.spool is not None and rx.receiver.spool.max_bytes == 1_000_000
    assert rx.spool_directory == tmp_path / "spool" / "receiver"
    assert isinstance(phx, PhoenixTraceSource) and phx.project == "support"


def test_unknown_kind_is_rejected_by_config_with_the_key_named() -> None:
    import pytest

    from ircmd.service.config import ConfigError

    with pytest.raises(ConfigError) as exc:
        parse_config(TOML, "c.toml")
    assert "no-such-kind" in str(exc.value) or "kind" in str(exc.value)
