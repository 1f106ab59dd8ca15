"""The scrubber itself (pure): every form a secret can take is removed, before any cut."""

from __future__ import annotations

import base64

from hypothesis import given, settings
from hypothesis import strategies as st

from ircmd.domain.secrets import cut, display_url, scrub, secret_forms, userinfo_secrets
from tests.security.secret_support import FILLER, leaks, pads, tokens

filler = st.text(alphabet=FILLER, max_size=80)


@settings(max_examples=200, deadline=None)
@given(token=tokens, user=st.sampled_from(["svc", "u", "admin@corp"]), pad=pads, tail=filler)
def test_known_secret_in_every_form_is_gone_and_stays_gone_after_a_cut(
    token: str, user: str, pad: int, tail: str
) -> None:
    basic = base64.b64encode(f"{user}:{token}".encode()).decode()
    lead = (FILLER * 30)[:pad]
    texts = [
        f"{lead}{token}{tail}",
        f"{lead}Authorization: Bearer {token}{tail}",
        f"{lead}authorization={token}{tail}",
        f'{lead}{{"Proxy-Authorization": "Basic {basic}"}}{tail}',
        f"{lead}you sent {basic}{tail}",
        f"{lead}{base64.b64encode(token.encode()).decode()}{tail}",
        f"{lead}http://{user}:{token}@host/x{tail}",
    ]
    for text in texts:
        out = scrub(text, [token])
        assert not leaks(out, [token], user), (text, out)
        for limit in (40, 60, 120, 200):
            assert not leaks(cut(out, limit), [token], user)


@settings(max_examples=200, deadline=None)
@given(token=tokens, pad=pads, tail=filler)
def test_unknown_secrets_in_headers_userinfo_and_schemes_are_gone(
    token: str, pad: int, tail: str
) -> None:
    """Not configured anywhere: the shape alone gives them away."""
    lead = (FILLER * 30)[:pad]
    basic = base64.b64encode(f"svc:{token}".encode()).decode()
    for text in (
        f"{lead}Authorization: Bearer {token}{tail}",
        f"{lead}Authorization: {token}{tail}",
        f'{lead}"authorization": "Basic {basic}"{tail}',
        f"{lead}'Proxy-Authorization': '{token}'{tail}",
        f"{lead}Bearer {token}{tail}",
        f"{lead}Basic {basic}{tail}",
        f"{lead}https://svc:{token}@example.org/p{tail}",
        f"{lead}host=db password={token} user=x{tail}",
    ):
        out = scrub(text)
        assert not leaks(out, [token], "svc"), (text, out)


def test_dsn_value_scrubs_its_password_alone_too() -> None:
    dsn = "postgresql://ircmd:pa55-w0rd-long@db.internal:5432/ir"
    assert "pa55-w0rd-long" in secret_forms(dsn)
    line = 'connection failed: password authentication failed for "pa55-w0rd-long"'
    assert "pa55" not in scrub(line, [dsn])


def test_display_url_and_userinfo() -> None:
    assert display_url("http://u:p%40ss@h:9093/a?b=1") == "http://h:9093/a?b=1"
    assert display_url("http://h:9093") == "http://h:9093"
    assert set(userinfo_secrets("http://u:p%40ss@h")) == {"u:p%40ss", "u:p@ss", "p%40ss", "p@ss"}
    assert userinfo_secrets("http://h") == []


def test_ordinary_text_is_left_alone() -> None:
    text = "HTTP 500: flag support-refunds.pause not found (basic plan, bearer of news)"
    assert scrub(text, ["abc"]) == text
