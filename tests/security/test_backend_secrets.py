"""Tokens thrown at every error path of every backend (Hypothesis, bounded): the error
line, the stored ``containment_failed`` event, the store file and every export profile
never hold a token, a URL password, or their base64 (the ``Basic`` header httpx builds).

Fault injection: ``httpx.MockTransport`` answering 500 / non-JSON with the Authorization
header echoed, the secret placed so that it crosses the old cut positions."""

from __future__ import annotations

import asyncio
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ircmd.backends.controllers.phoenix_prompts import PhoenixPromptsController
from ircmd.backends.controllers.unleash import UnleashController
from ircmd.backends.evidence.phoenix_datasets import PhoenixDatasetError, upload_cases
from ircmd.backends.protocols import SignalSourceError
from ircmd.backends.signals.alertmanager import AlertmanagerSource
from ircmd.backends.traces.phoenix import PhoenixClient, PhoenixError
from ircmd.domain.config import AlertmanagerSourceConfig
from ircmd.domain.incidents.timeline import EventKind
from ircmd.service.evidence.export import export_incident
from tests.functional.containment_support import service, workspace
from tests.security.secret_support import all_text, echo_handler, leaks, pads, tokens
from tests.support.configs import flags_and_prompts_toml

USER = "svc"
BOUNDED = settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


@contextmanager
def env(**values: str) -> Iterator[None]:
    old = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def config_text(userinfo: str) -> str:
    at = f"{userinfo}@" if userinfo else ""
    return flags_and_prompts_toml(
        f"http://{at}unleash.test", f"http://{at}phoenix.test", token_prefix="SEC", timeout=2
    )


@BOUNDED
@given(
    token=tokens,
    password=tokens,
    with_userinfo=st.booleans(),
    pad=pads,
    status=st.sampled_from([500, 200, 401]),
    which=st.sampled_from(["flags", "prompts"]),
)
def test_containment_failure_leaks_nothing_to_store_or_any_export(
    token: str, password: str, with_userinfo: bool, pad: int, status: int, which: str
) -> None:
    userinfo = f"{USER}:{password}" if with_userinfo else ""
    secrets = [token, password] if with_userinfo else [token]
    with (
        tempfile.TemporaryDirectory() as tmp,
        env(SEC_UNLEASH_TOKEN=token, SEC_PHOENIX_TOKEN=token),
    ):
        root = Path(tmp)
        ws = workspace(root, config_text(userinfo))
        svc = service(ws)
        transport = echo_handler(pad, status)
        cls = UnleashController if which == "flags" else PhoenixPromptsController
        svc.controllers[which] = cls(ws.config.controllers[which], name=which, transport=transport)
        inc, _ = ws.incidents.declare("Refunds wrong", workflow_id="support-refunds")
        control = "support-refunds/pause" if which == "flags" else "support-refunds/prompt"

        try:
            result = svc.contain(inc.id, control, "refunds wrong")
        finally:
            svc.close()
        assert not result.ok
        assert not leaks(result.error or "", secrets, USER)
        failed = [
            e for e in ws.incidents.timeline(inc.id) if e.kind == EventKind.CONTAINMENT_FAILED
        ]
        assert failed and not leaks(repr(failed[-1].data) + failed[-1].text, secrets, USER)
        rows = repr([r for r in svc.rows()])
        assert not leaks(rows, secrets, USER)
        for profile in ("internal", "legal", "external"):
            export_incident(ws.incidents, inc.id, root / f"pkg-{profile}", profile=profile)
        ws.close()
        for path in [Path(ws.store.location), *root.glob("pkg-*")]:
            found = leaks(all_text(path), secrets, USER)
            assert not found, (path.name, found)


@BOUNDED
@given(token=tokens, password=tokens, pad=pads, status=st.sampled_from([500, 200, 403]))
def test_alertmanager_error_lines(token: str, password: str, pad: int, status: int) -> None:
    for url in (f"http://{USER}:{password}@am.test", "http://am.test"):
        cfg = AlertmanagerSourceConfig(
            name="alerts", kind="alertmanager", url=url, token_env="SEC_AM_TOKEN"
        )
        src = AlertmanagerSource(
            cfg, transport=echo_handler(pad, status), environ={"SEC_AM_TOKEN": token}
        )
        with pytest.raises(SignalSourceError) as err:
            asyncio.run(src.fetch_signals())
        assert not leaks(str(err.value), [token, password], USER), str(err.value)


@BOUNDED
@given(token=tokens, password=tokens, pad=pads, status=st.sampled_from([500, 200, 401]))
def test_phoenix_traces_error_lines(token: str, password: str, pad: int, status: int) -> None:
    with env(SEC_PX_TOKEN=token):
        for url in (f"http://{USER}:{password}@px.test", "http://px.test"):
            client = PhoenixClient(
                url, token_env="SEC_PX_TOKEN", transport=echo_handler(pad, status)
            )

            async def run(c: PhoenixClient = client) -> None:
                try:
                    await c.get("/v1/projects")
                finally:
                    await c.close()

            with pytest.raises(PhoenixError) as err:
                asyncio.run(run())
            assert not leaks(str(err.value), [token, password], USER), str(err.value)


@BOUNDED
@given(token=tokens, password=tokens, pad=pads, status=st.sampled_from([500, 200, 401]))
def test_phoenix_dataset_upload_error_lines(
    token: str, password: str, pad: int, status: int
) -> None:
    for url in (f"http://{USER}:{password}@px.test", "http://px.test"):
        with pytest.raises(PhoenixDatasetError) as err:
            asyncio.run(
                upload_cases(url, "ds", [], token=token, transport=echo_handler(pad, status))
            )
        assert not leaks(str(err.value), [token, password], USER), str(err.value)


@BOUNDED
@given(token=tokens, password=tokens)
def test_unreachable_hosts_name_no_secret(token: str, password: str) -> None:
    """A connect error's text quotes the URL: its userinfo never shows."""

    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError(f"cannot connect to {request.url} (Authorization: {token})")

    url = f"http://{USER}:{password}@127.0.0.1:9"
    cfg = AlertmanagerSourceConfig(name="a", kind="alertmanager", url=url, token_env="T")
    src = AlertmanagerSource(cfg, transport=httpx.MockTransport(refuse), environ={"T": token})
    with pytest.raises(SignalSourceError) as err:
        asyncio.run(src.fetch_signals())
    assert not leaks(str(err.value), [token, password], USER), str(err.value)
    with pytest.raises(PhoenixDatasetError) as err2:
        asyncio.run(upload_cases(url, "ds", [], token=token, transport=httpx.MockTransport(refuse)))
    assert not leaks(str(err2.value), [token, password], USER), str(err2.value)


@pytest.mark.parametrize("with_userinfo", [False, True])
def test_wrong_token_against_the_real_unleash_leaks_nothing(
    unleash_admin: tuple[str, str], tmp_path: Path, with_userinfo: bool
) -> None:
    url = unleash_admin[0]
    token, password = tokens_example(1), tokens_example(2)
    if with_userinfo:
        url = url.replace("http://", f"http://{USER}:{password}@")
    text = config_text("").replace("http://unleash.test", url)
    with env(SEC_UNLEASH_TOKEN=token, SEC_PHOENIX_TOKEN=token):
        ws = workspace(tmp_path, text)
        svc = service(ws)
        inc, _ = ws.incidents.declare("Refunds wrong", workflow_id="support-refunds")

        try:
            result = svc.contain(inc.id, "support-refunds/pause", "refunds wrong")
        finally:
            svc.close()
        assert not result.ok
        export_incident(ws.incidents, inc.id, tmp_path / "pkg", profile="external")
        ws.close()
        for path in (Path(ws.store.location), tmp_path / "pkg"):
            assert not leaks(all_text(path), [token, password], USER)
        assert not leaks(result.error or "", [token, password], USER)


def tokens_example(seed: int) -> str:
    from tests.security.secret_support import _token

    return _token(seed, 40)
