from __future__ import annotations

from pathlib import Path

import pytest

from ircmd.domain.config import OtlpSourceConfig
from ircmd.service.config import ConfigError, load_config, parse_config

CONTRACT = """
[store]
kind = "tinydb"

[[trace_sources]]
name = "local"
kind = "files"
paths = ["traces/*.json"]

[[trace_sources]]
name = "receiver"
kind = "otlp"
port = 4318

[[trace_sources]]
name = "phoenix"
kind = "phoenix"
url = "http://127.0.0.1:6006"
project = "support"
token_env = "PHOENIX_API_KEY"

[[signal_sources]]
name = "alerts"
kind = "alertmanager"
url = "http://127.0.0.1:9093"

[controllers.flags]
kind = "unleash"
url = "http://127.0.0.1:4242"
token_env = "UNLEASH_ADMIN_TOKEN"
project = "default"
environment = "development"

[[workflows]]
id = "support-refunds"
name = "Support refunds assistant"
owner = "Head of Support"
risk_tier = "high"

[[workflows.controls]]
id = "pause"
kind = "pause_workflow"
controller = "flags"
flag = "support-refunds.pause"
critical = true
"""


def test_the_design_contract_example_parses() -> None:
    cfg = parse_config(CONTRACT, "contract.toml")
    assert [s.kind for s in cfg.trace_sources] == ["files", "otlp", "phoenix"]
    otlp = cfg.trace_sources[1]
    assert isinstance(otlp, OtlpSourceConfig) and otlp.host == "127.0.0.1"
    assert cfg.controllers["flags"].token_env == "UNLEASH_ADMIN_TOKEN"
    wf = cfg.workflow("support-refunds")
    assert wf is not None and (pause := wf.control("pause")) is not None
    assert pause.critical


def test_postgres_store_config() -> None:
    cfg = parse_config('[store]\nkind = "postgres"\ndsn_env = "IRCMD_PG_DSN"\n')
    assert cfg.store.dsn_env == "IRCMD_PG_DSN"
    with pytest.raises(ConfigError, match="dsn_env"):
        parse_config('[store]\nkind = "postgres"\n', "c.toml")


@pytest.mark.parametrize(
    "text,expected",
    [
        ('[store]\nkind = "tinydb"\nbogus = 1\n', "c.toml:3: store.bogus: unknown key"),
        (
            '[[trace_sources]]\nname = "a"\nkind = "files"\npathz = []\n',
            "c.toml:4: trace_sources[0].pathz: unknown key",
        ),
        (
            '[[trace_sources]]\nname = "a"\nkind = "kafka"\n',
            "c.toml:3: trace_sources[0].kind: 'kafka' is not one of: files, otlp, phoenix",
        ),
        (
            '[[trace_sources]]\nname = "r"\nkind = "otlp"\nport = 99999\n',
            "c.toml:4: trace_sources[0].port: Input should be less than or equal to 65535",
        ),
        (
            '[[workflows]]\nid = "w"\n\n[[workflows.controls]]\nid = "p"\nkind = "pause"\n',
            "c.toml:6: workflows[0].controls[0].kind",
        ),
        (
            "[[workflows]]\nid = 'w'\n[[workflows.controls]]\nid = 'p'\nkind = 'pause_workflow'\n"
            "controller = 'nope'\n",
            "names controller 'nope', which is not in [controllers]",
        ),
        ("this is = = not toml", "c.toml: not valid TOML"),
        ("unknown_top = 1\n", "c.toml:1: unknown_top: unknown key"),
    ],
)
def test_errors_name_file_line_and_key(text: str, expected: str) -> None:
    with pytest.raises(ConfigError) as err:
        parse_config(text, "c.toml")
    assert expected in str(err.value)
    assert "\n" not in str(err.value)


def test_missing_explicit_config_is_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("IRCMD_CONFIG", str(tmp_path / "nope.toml"))
    with pytest.raises(ConfigError, match="config file not found"):
        load_config()


def test_no_config_anywhere_means_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("IRCMD_CONFIG")
    cfg = load_config()
    assert cfg.store.kind == "tinydb" and cfg.workflows == []


def test_duplicate_workflow_and_control_ids_are_refused() -> None:
    with pytest.raises(ConfigError, match="workflow id 'w' is used twice"):
        parse_config("[[workflows]]\nid = 'w'\n[[workflows]]\nid = 'w'\n")
    with pytest.raises(ConfigError, match="control id 'p' is used twice"):
        parse_config(
            "[[workflows]]\nid = 'w'\n[[workflows.controls]]\nid = 'p'\n"
            "kind = 'pause_workflow'\n[[workflows.controls]]\nid = 'p'\n"
            "kind = 'force_human_review'\n"
        )
