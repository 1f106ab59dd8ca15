"""Redaction: typed placeholders, counts per type, profiles, Luhn, config/env secrets."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.evidence_fixtures import CUSTOM_ACCOUNT, ENV_SECRET, PII, llm_span

from ircmd.domain.evidence.redaction import (
    Profile,
    Redactor,
    content_kind,
    luhn_ok,
    placeholder,
)
from ircmd.domain.secrets import configured_secrets
from ircmd.service.config import parse_config


def external(**kw: Any) -> Redactor:
    return Redactor.for_profile(
        Profile.EXTERNAL,
        secrets=[ENV_SECRET],
        custom_patterns={"account": r"ACCT-[0-9]{8}"},
        **kw,
    )


@pytest.mark.parametrize(
    ("number", "ok"),
    [
        ("4111111111111111", True),
        ("5500000000000004", True),
        ("378282246310005", True),
        ("4111111111111112", False),
        ("1234567812345678", False),
    ],
)
def test_luhn(number: str, ok: bool) -> None:
    assert luhn_ok(number) is ok


def test_every_pii_kind_is_replaced_by_its_typed_placeholder_and_counted() -> None:
    r = external()
    for kind, values in PII.items():
        for v in values:
            text = f"before {'Authorization: Bearer ' if kind == 'bearer_token' else ''}{v} after"
            out = r.text(text)
            assert v not in out, (kind, v, out)
            assert placeholder(kind) in out, (kind, v, out)
            assert out.startswith("before ") and out.endswith(" after")
    jwt = (
        "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0."
        "dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"
    )
    assert r.text(jwt) == "[REDACTED:api_key]"
    r.counts["api_key"] -= 1
    expected = {k: len(v) for k, v in PII.items()}
    assert r.summary() == expected


def test_custom_pattern_and_env_secret() -> None:
    r = external()
    out = r.text(f"account {CUSTOM_ACCOUNT} token={ENV_SECRET}")
    assert CUSTOM_ACCOUNT not in out and ENV_SECRET not in out
    assert "[REDACTED:account]" in out and "[REDACTED:secret]" in out
    assert r.counts["account"] == 1 and r.counts["secret"] == 1


@pytest.mark.parametrize(
    "text",
    [
        "2026-11-28T07:14:19.123456Z",
        "at 2026-11-28 07:14 the bot answered",
        "sha256 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
        "card-like but not Luhn: 4111 1111 1111 1112",
        "version 1.2 and 3.14159 and INC-0001 and 37 conversations",
        "time 07:14:19 is not an IPv6 address",
    ],
)
def test_things_that_look_alike_are_left_alone(text: str) -> None:
    r = external()
    assert r.text(text) == text
    assert not r.counts


def test_internal_profile_removes_only_config_secrets() -> None:
    r = Redactor.for_profile(Profile.INTERNAL, secrets=[ENV_SECRET])
    text = f"{PII['email'][0]} {PII['api_key'][0]} {ENV_SECRET}"
    out = r.text(text)
    assert PII["email"][0] in out and PII["api_key"][0] in out
    assert ENV_SECRET not in out
    assert r.summary() == {"secret": 1}


def test_legal_profile_keeps_contents_but_redacts_secrets() -> None:
    r = Redactor.for_profile(Profile.LEGAL, secrets=[ENV_SECRET])
    span = llm_span()
    span["attributes"]["note"] = f"key {PII['api_key'][0]} Bearer {PII['bearer_token'][0]}"
    out = r.value(span)
    attrs = out["attributes"]
    # contents stay (legal needs them), including the email in the user message
    assert PII["email"][0] in str(attrs["gen_ai.input.messages"])
    assert "500 EUR" in str(attrs["gen_ai.output.messages"])
    # secrets do not; the card number is treated as a secret too
    assert PII["api_key"][0] not in attrs["note"] and PII["bearer_token"][0] not in attrs["note"]
    assert PII["payment_card"][0] not in str(attrs)
    assert r.summary() == {"api_key": 1, "bearer_token": 1, "payment_card": 1}


def test_external_profile_replaces_contents_and_tool_arguments_whole() -> None:
    r = external()
    out = r.value(llm_span())
    attrs = out["attributes"]
    assert attrs["gen_ai.input.messages"] == "[REDACTED:message_content]"
    assert attrs["gen_ai.output.messages"] == "[REDACTED:message_content]"
    assert attrs["gen_ai.tool.call.arguments"] == "[REDACTED:tool_arguments]"
    assert attrs["http.client_ip"] == "[REDACTED:ip_address]"
    # identifiers and model names are kept: they are what makes the evidence useful
    assert out["trace_id"] == llm_span()["trace_id"]
    assert attrs["gen_ai.request.model"] == "gpt-4o-2024-08-06"
    assert r.summary() == {"ip_address": 1, "message_content": 2, "tool_arguments": 1}


def test_external_profile_redacts_otlp_attribute_lists_and_openinference_keys() -> None:
    r = external()
    span = {
        "attributes": [
            {"key": "input.value", "value": {"stringValue": f"hi {PII['email'][0]}"}},
            {
                "key": "llm.input_messages.0.message.content",
                "value": {"stringValue": "secret plan"},
            },
            {"key": "llm.model_name", "value": {"stringValue": "claude"}},
        ]
    }
    out = r.value(span)
    values = [a["value"]["stringValue"] for a in out["attributes"]]
    assert values == ["[REDACTED:message_content]", "[REDACTED:message_content]", "claude"]


def test_notes_are_replaced_whole_only_under_external() -> None:
    assert external().note("call me at home") == "[REDACTED:note]"
    legal = Redactor.for_profile(Profile.LEGAL)
    assert legal.note("call me at home") == "call me at home"


def test_redaction_works_on_copies() -> None:
    span = llm_span()
    before = repr(span)
    external().value(span)
    assert repr(span) == before


def test_configured_secrets_cover_a_dsn_password_and_skip_unset() -> None:
    env = {"DSN": "postgresql://app:s3cr3t-pw@127.0.0.1:5432/db", "TOKEN": "abcdefgh"}
    config = parse_config(
        '[store]\nkind = "postgres"\ndsn_env = "DSN"\n'
        '[redaction]\nsecret_env = ["TOKEN", "MISSING"]\n'
    )
    values = configured_secrets(config, env)
    assert env["DSN"] in values and "abcdefgh" in values and len(values) == 2
    r = Redactor.for_profile(Profile.INTERNAL, secrets=values)
    out = r.text("connect postgresql://app:s3cr3t-pw@127.0.0.1:5432/db; pw s3cr3t-pw")
    assert "s3cr3t-pw" not in out


def test_content_kind() -> None:
    assert content_kind("gen_ai.input.messages") == "message_content"
    assert content_kind("retrieval.documents.3.document.content") == "message_content"
    assert content_kind("gen_ai.tool.call.arguments") == "tool_arguments"
    assert content_kind("gen_ai.request.model") is None


def test_bad_custom_regex_is_one_clear_error() -> None:
    with pytest.raises(ValueError, match=r"\[redaction\].patterns.broken: bad regex"):
        Redactor.for_profile(Profile.EXTERNAL, custom_patterns={"broken": "("})


def test_config_profiles_and_secret_env() -> None:
    from ircmd.service.config import parse_config
    from ircmd.service.evidence.dossier import make_redactor

    cfg = parse_config(
        """
[store]
kind = "postgres"
dsn_env = "PG_DSN"

[redaction]
patterns = { account = "ACCT-[0-9]{8}" }
secret_env = ["OPENAI_API_KEY"]

[redaction.profiles.legal]
types = ["api_key", "account"]
content = false
""",
        "t.toml",
    )
    env = {"PG_DSN": "postgresql://app:pw-123456@db/x", "OPENAI_API_KEY": "plain-secret-value"}
    r = make_redactor(cfg, Profile.LEGAL, env)
    out = r.text(f"{CUSTOM_ACCOUNT} plain-secret-value pw-123456 jane@example.com 4111111111111111")
    assert out == (
        "[REDACTED:account] [REDACTED:secret] [REDACTED:secret] jane@example.com 4111111111111111"
    )
    with pytest.raises(Exception, match=r"redaction\.profiles\.public.*'internal', 'legal' or"):
        parse_config("[redaction.profiles.public]\ncontent = true\n", "t.toml")


# -- properties ------------------------------------------------------------------------------

_filler = st.text(
    alphabet=st.characters(whitelist_categories=("L", "Zs"), max_codepoint=0x24F), max_size=30
)


def _luhn_complete(digits: str) -> str:
    for check in "0123456789":
        if luhn_ok(digits + check):
            return digits + check
    raise AssertionError


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(
    before=_filler,
    after=_filler,
    user=st.from_regex(r"[a-z][a-z0-9._+-]{0,15}[a-z0-9]", fullmatch=True),
    domain=st.from_regex(r"[a-z][a-z0-9-]{0,10}\.(com|org|eu|de|co\.uk)", fullmatch=True),
    card=st.from_regex(r"4[0-9]{14}", fullmatch=True),
    sep=st.sampled_from(["", " ", "-"]),
    octets=st.tuples(*[st.integers(0, 255)] * 4),
)
def test_no_email_card_or_ip_survives_external(
    before: str, after: str, user: str, domain: str, card: str, sep: str, octets: tuple[int, ...]
) -> None:
    email = f"{user}@{domain}"
    number = _luhn_complete(card)
    shown = sep.join(number[i : i + 4] for i in range(0, 16, 4))
    ip = ".".join(str(o) for o in octets)
    text = f"{before} {email} {after} card {shown} from {ip} {before}"
    out = Redactor.for_profile(Profile.EXTERNAL).text(text)
    assert email not in out
    assert shown not in out and number not in out.replace(" ", "").replace("-", "")
    assert f" {ip} " not in out
