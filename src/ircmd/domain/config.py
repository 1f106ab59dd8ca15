"""The shape of ircmd's TOML configuration (validated, unknown keys rejected).

Reading the file lives outside the domain (``ircmd.service.config``); this module only describes
and checks the data.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Annotated, Any, Literal, Union

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    create_model,
    field_validator,
    model_validator,
)

from ircmd.domain.comms.audiences import CommsConfig
from ircmd.domain.incidents.workflow import Workflow


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)


class StoreConfig(_Strict):
    kind: Literal["tinydb", "postgres"] = "tinydb"
    path: str | None = None
    dsn_env: str | None = None
    key_env: str | None = None
    """Env var holding the timeline chain key (default: a 0600 file in ``<config>/keys/``)."""
    connect_timeout: float = Field(default=3.0, gt=0, le=300)
    """postgres: seconds to connect."""
    statement_timeout: float = Field(default=5.0, gt=0, le=3600)
    """postgres: seconds a statement (or COMMIT) may run on the server."""
    tcp_user_timeout: float = Field(default=4.0, gt=0, le=3600)
    """postgres: seconds sent data may stay unacknowledged before the connection is dropped."""

    @model_validator(mode="after")
    def _dsn(self) -> StoreConfig:
        if self.kind == "postgres" and not self.dsn_env:
            raise ValueError(
                "a postgres store needs dsn_env (the environment variable "
                "holding the connection string)"
            )
        return self


class FilesSourceConfig(_Strict):
    name: str
    kind: Literal["files"]
    paths: list[str] = Field(default_factory=list)
    watch: bool = True


class OtlpSourceConfig(_Strict):
    name: str
    kind: Literal["otlp"]
    host: str = "127.0.0.1"
    port: int = Field(default=4318, ge=0, le=65535)
    enabled: bool = True
    spool_max_bytes: int = Field(default=512 * 1024 * 1024, gt=0)
    spool_max_age_days: float = Field(default=30.0, gt=0)
    # receiver limits (defaults documented in ircmd.backends.traces.http_limits)
    grpc_port: int = Field(default=0, ge=0, le=65535)  # OTLP/gRPC; 0 = off (4317 is usual)
    max_body_bytes: int = Field(default=64 * 1024 * 1024, gt=0)
    max_inflated_bytes: int = Field(default=64 * 1024 * 1024, gt=0)
    max_concurrent_requests: int = Field(default=64, gt=0)
    header_timeout_s: float = Field(default=10.0, gt=0)
    body_timeout_s: float = Field(default=30.0, gt=0)
    idle_timeout_s: float = Field(default=60.0, gt=0)
    backlog: int = Field(default=1024, gt=0, le=65535)
    retry_after_s: int = Field(default=1, ge=0, le=3600)


class PhoenixSourceConfig(_Strict):
    name: str
    kind: Literal["phoenix"]
    url: str
    project: str = "default"
    token_env: str | None = None
    timeout: float = Field(default=10.0, gt=0)
    max_spans: int = Field(default=50_000, gt=0)
    lookback_hours: float | None = Field(default=None, gt=0)


TraceSourceConfig = Annotated[
    FilesSourceConfig | OtlpSourceConfig | PhoenixSourceConfig, Field(discriminator="kind")
]


class AlertmanagerSourceConfig(_Strict):
    name: str
    kind: Literal["alertmanager"]
    url: str
    filter: list[str] = Field(default_factory=list)
    interval: float = Field(default=10.0, gt=0)
    timeout: float = Field(default=5.0, gt=0)
    token_env: str | None = None


SignalSourceConfig = Annotated[AlertmanagerSourceConfig, Field(discriminator="kind")]


class ControllerConfig(_Strict):
    kind: Literal["unleash", "phoenix-prompts", "local"] | str
    url: str | None = None
    token_env: str | None = None
    project: str = "default"
    environment: str = "development"
    timeout: float = Field(default=5.0, gt=0)
    reconcile_interval: float = Field(default=15.0, gt=0)


class UIConfig(_Strict):
    keymap: dict[str, str] = Field(default_factory=dict)
    theme: str | None = None
    time_format: Literal["relative", "absolute"] = "relative"
    timezone: Literal["utc", "local"] = "utc"


class RedactionProfileConfig(_Strict):
    """``[redaction.profiles.<internal|legal|external>]``: override a profile's defaults."""

    types: list[str] | None = None
    """Pattern types to redact (email, phone, payment_card, api_key, bearer_token,
    ip_address, ``custom`` for every custom pattern, or one custom pattern's name)."""
    content: bool | None = None
    """Replace message contents, tool arguments and notes whole."""


class RedactionConfig(_Strict):
    patterns: dict[str, str] = Field(default_factory=dict)
    profiles: dict[Literal["internal", "legal", "external"], RedactionProfileConfig] = Field(
        default_factory=dict
    )
    secret_env: list[str] = Field(default_factory=list)
    """More environment variables whose values must never appear in an export."""

    @field_validator("patterns")
    @classmethod
    def _compiles(cls, patterns: dict[str, str]) -> dict[str, str]:
        """A bad regex is a config error when the config loads, not a failed export."""
        for name, pattern in patterns.items():
            try:
                re.compile(pattern)
            except (re.error, RecursionError, OverflowError) as exc:
                raise ValueError(f"pattern {name!r} is not a valid regex: {exc}") from None
        return patterns

    def secret_env_names(self, config: Config) -> list[str]:
        """Every env var named by ``token_env``/``dsn_env`` anywhere, plus ``secret_env``."""
        names: list[str] = list(self.secret_env)
        if config.store.dsn_env:
            names.append(config.store.dsn_env)
        for src in [*config.trace_sources, *config.signal_sources]:
            token_env = getattr(src, "token_env", None)
            if token_env:
                names.append(token_env)
        for ctl in config.controllers.values():
            token_env = getattr(ctl, "token_env", None)
            if token_env:
                names.append(token_env)
        for ep in config.model_endpoints:
            if ep.token_env:
                names.append(ep.token_env)
        return sorted(set(names))


class PriceConfig(_Strict):
    """``[prices."MODEL"]``: USD per million tokens (adds a model or overrides genai-prices)."""

    input_mtok: float = Field(ge=0)
    output_mtok: float = Field(default=0.0, ge=0)
    cache_read_mtok: float | None = Field(default=None, ge=0)
    cache_write_mtok: float | None = Field(default=None, ge=0)


class ModelEndpointConfig(_Strict):
    """``[[model_endpoints]]``: an OpenAI-compatible chat completions endpoint for replay."""

    name: str = Field(min_length=1)
    url: str = Field(min_length=1)
    """The base URL (``…/v1``); ``/chat/completions`` is appended."""
    model: str | None = None
    """The model to send (default: the pinned request's model)."""
    token_env: str | None = None
    timeout: float = Field(default=60.0, gt=0)


class TracesConfig(_Strict):
    """``[traces]``: how spans are read beyond the GenAI and OpenInference conventions."""

    conversation_attributes: list[str] = Field(default_factory=list)
    """More span attributes holding a conversation id, for apps with their own (after
    ``gen_ai.conversation.id`` and ``session.id``): conversations and blast radii use them."""


class Config(_Strict):
    store: StoreConfig = Field(default_factory=StoreConfig)
    trace_sources: list[TraceSourceConfig] = Field(default_factory=list)
    signal_sources: list[SignalSourceConfig] = Field(default_factory=list)
    controllers: dict[str, ControllerConfig] = Field(default_factory=dict)
    workflows: list[Workflow] = Field(default_factory=list)
    ui: UIConfig = Field(default_factory=UIConfig)
    redaction: RedactionConfig = Field(default_factory=RedactionConfig)
    comms: CommsConfig = Field(default_factory=CommsConfig)
    author: str | None = None
    prices: dict[str, PriceConfig] = Field(default_factory=dict)
    model_endpoints: list[ModelEndpointConfig] = Field(default_factory=list)
    traces: TracesConfig = Field(default_factory=TracesConfig)

    @model_validator(mode="after")
    def _references(self) -> Config:
        names: set[str] = set()
        for src in [*self.trace_sources, *self.signal_sources]:
            if src.name in names:
                raise ValueError(f"source name {src.name!r} is used twice")
            names.add(src.name)
        ids: set[str] = set()
        for wf in self.workflows:
            if wf.id in ids:
                raise ValueError(f"workflow id {wf.id!r} is used twice")
            ids.add(wf.id)
            for control in wf.controls:
                if control.controller != "local" and control.controller not in self.controllers:
                    raise ValueError(
                        f"workflow {wf.id!r} control {control.id!r} names controller "
                        f"{control.controller!r}, which is not in [controllers]"
                    )
        return self

    def workflow(self, workflow_id: str) -> Workflow | None:
        return next((w for w in self.workflows if w.id == workflow_id), None)


# -- third-party kinds ------------------------------------------------------------------------

Section = Literal["trace_sources", "signal_sources", "controllers"]
SECTIONS: tuple[Section, ...] = ("trace_sources", "signal_sources", "controllers")
BUILTIN_KINDS: dict[Section, tuple[str, ...]] = {
    "trace_sources": ("files", "otlp", "phoenix"),
    "signal_sources": ("alertmanager",),
    "controllers": ("unleash", "phoenix-prompts", "local"),
}


@dataclass(frozen=True)
class PluginKind:
    """A third party's backend kind, as its package declares it: the config section it
    belongs to and the pydantic model of its own keys (``name``/``kind`` are added here)."""

    kind: str
    section: Section
    model: type[BaseModel]


def _strict_plugin_model(plugin: PluginKind) -> type[BaseModel]:
    """The plug-in's model with ``kind`` (and, for sources, ``name``) and unknown keys
    rejected, like a built-in kind's model."""
    fields: dict[str, Any] = {"kind": (Literal[plugin.kind], ...)}
    if plugin.section != "controllers" and "name" not in plugin.model.model_fields:
        fields["name"] = (str, ...)
    strict = create_model(
        f"{plugin.model.__name__}_{plugin.section}",
        __base__=plugin.model,
        **fields,
    )
    strict.model_config["extra"] = "forbid"
    strict.model_rebuild(force=True)
    return strict


def _controller_tag(plugin_kinds: frozenset[str]) -> Any:
    def tag(value: Any) -> str:
        kind = value.get("kind") if isinstance(value, dict) else getattr(value, "kind", None)
        return str(kind) if kind in plugin_kinds else "builtin"

    return tag


def _one_of(members: Sequence[Any], discriminator: Any) -> Any:
    """``Annotated[Union[*members], discriminator]``, built at run time."""
    return Annotated[Union[tuple(members)], discriminator]  # noqa: UP007


@lru_cache(maxsize=8)
def _config_model(plugins: tuple[PluginKind, ...]) -> type[Config]:
    by_section: dict[str, list[PluginKind]] = {s: [] for s in SECTIONS}
    for plugin in plugins:
        by_section[plugin.section].append(plugin)
    overrides: dict[str, Any] = {}
    traces = [_strict_plugin_model(p) for p in by_section["trace_sources"]]
    if traces:
        builtin: list[Any] = [FilesSourceConfig, OtlpSourceConfig, PhoenixSourceConfig]
        item = _one_of([*builtin, *traces], Field(discriminator="kind"))
        overrides["trace_sources"] = (list[item], Field(default_factory=list))  # type: ignore[valid-type]
    signals = [_strict_plugin_model(p) for p in by_section["signal_sources"]]
    if signals:
        item = _one_of([AlertmanagerSourceConfig, *signals], Field(discriminator="kind"))
        overrides["signal_sources"] = (list[item], Field(default_factory=list))  # type: ignore[valid-type]
    controllers = by_section["controllers"]
    if controllers:
        tagged: list[Any] = [Annotated[ControllerConfig, Tag("builtin")]]
        tagged += [Annotated[_strict_plugin_model(p), Tag(p.kind)] for p in controllers]
        tag = _controller_tag(frozenset(p.kind for p in controllers))
        item = _one_of(tagged, Discriminator(tag))
        overrides["controllers"] = (dict[str, item], Field(default_factory=dict))  # type: ignore[valid-type]
    if not overrides:
        return Config
    model: type[Config] = create_model("ConfigWithPlugins", __base__=Config, **overrides)
    return model


def config_model(plugins: Sequence[PluginKind] = ()) -> type[Config]:
    """:class:`Config`, or a subclass whose sections also accept the given third-party kinds
    (each validated by its own model). The caller finds the plug-ins (entry points are not
    the domain's business) and hands their schemas in."""
    return _config_model(tuple(plugins))
