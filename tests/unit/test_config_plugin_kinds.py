"""``domain.config.config_model``: third-party kinds handed in by the caller are accepted
in their section, validated by their own model, and refused elsewhere."""

from __future__ import annotations

import pytest
from pydantic import BaseModel, ValidationError

from ircmd.domain.config import Config, ControllerConfig, PluginKind, config_model


class FlagKeys(BaseModel):
    endpoint: str
    retries: int = 2


class TraceKeys(BaseModel):
    bucket: str


PLUGINS = (
    PluginKind("myflags", "controllers", FlagKeys),
    PluginKind("s3traces", "trace_sources", TraceKeys),
)


def test_without_plugins_the_model_is_config_itself() -> None:
    assert config_model(()) is Config


def test_plugin_kinds_are_validated_by_their_own_models() -> None:
    model = config_model(PLUGINS)
    cfg = model.model_validate(
        {
            "trace_sources": [
                {"name": "s3", "kind": "s3traces", "bucket": "spans"},
                {"name": "local", "kind": "files", "paths": ["a.json"]},
            ],
            "controllers": {
                "flags": {"kind": "myflags", "endpoint": "http://127.0.0.1:1", "retries": 5},
                "plain": {"kind": "local"},
            },
        }
    )
    s3, local = cfg.trace_sources
    assert isinstance(s3, TraceKeys) and s3.bucket == "spans" and s3.name == "s3"
    assert local.kind == "files"
    flags = cfg.controllers["flags"]
    assert isinstance(flags, FlagKeys) and flags.retries == 5
    assert isinstance(cfg.controllers["plain"], ControllerConfig)


@pytest.mark.parametrize(
    ("raw", "loc"),
    [
        (
            {"trace_sources": [{"name": "s3", "kind": "s3traces", "bucket": "b", "buckt": 1}]},
            ("trace_sources", 0, "s3traces", "buckt"),
        ),
        (
            {"controllers": {"f": {"kind": "myflags", "endpoint": "e", "retry": 1}}},
            ("controllers", "f", "myflags", "retry"),
        ),
    ],
)
def test_unknown_keys_of_a_plugin_kind_are_rejected(
    raw: dict[str, object], loc: tuple[object, ...]
) -> None:
    with pytest.raises(ValidationError) as exc:
        config_model(PLUGINS).model_validate(raw)
    [err] = exc.value.errors()
    assert err["type"] == "extra_forbidden" and err["loc"] == loc


def test_a_plugin_kind_is_refused_outside_its_section() -> None:
    with pytest.raises(ValidationError) as exc:
        config_model(PLUGINS).model_validate(
            {"signal_sources": [{"name": "x", "kind": "s3traces", "bucket": "b"}]}
        )
    assert exc.value.errors()[0]["type"] == "union_tag_invalid"
