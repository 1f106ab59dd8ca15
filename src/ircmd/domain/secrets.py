"""One secret scrubber for every string that leaves a backend.

Error lines, timeline events, ``--json`` output, logs and exports pass through
:func:`scrub` **before** they are cut to length, so a secret that crosses a cut position
is removed whole, never half-kept. It removes:

* the values of secrets the caller names (the configured ``token_env``/``dsn_env``/
  ``secret_env`` variables, read by the caller at call time), also percent-encoded and
  base64-encoded at any byte alignment (so a ``Basic`` header built from them goes too);
* URL userinfo (``scheme://user:password@host`` → ``scheme://***@host``);
* ``Authorization`` / ``Proxy-Authorization`` header values, however they are echoed;
* ``Bearer`` tokens and ``Basic`` credentials;
* ``password=`` fields of libpq key/value connection strings.

Pure: no environment is read here (:func:`env_secrets` takes the mapping to read).
"""

from __future__ import annotations

import base64
import re
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING
from urllib.parse import quote, unquote, urlsplit, urlunsplit

if TYPE_CHECKING:
    from ircmd.domain.config import Config

MASK = "***"
MIN_SECRET = 4
"""Shorter values are not scrubbed by value (they would eat ordinary words)."""

_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.\-]*://)([^/?#\s@\"'<>]*)@")
_HEADER = re.compile(
    r"(?i)((?:proxy-)?authori[sz]ation)(\\?[\"']?\s*[:=]\s*\\?[\"']?)"
    r"((?:bearer|basic|token|digest|negotiate)\s+)?([^\s\"'\\,;}\]\)]+)"
)
_SCHEME_TOKEN = re.compile(r"(?i)\b(bearer|basic)(\s+)([A-Za-z0-9\-._~+/=:]{8,})")
_PG_PASSWORD = re.compile(r"(?i)\b(password\s*=\s*)('(?:[^'\\]|\\.)*'|[^\s'\"]+)")


def _b64_variants(raw: bytes) -> set[str]:
    """The base64 text that encodes ``raw`` wherever it sits in a longer byte string."""
    out: set[str] = set()
    for shift in range(3):
        padded = b"\0" * shift + raw
        for enc in (base64.b64encode(padded), base64.urlsafe_b64encode(padded)):
            text = enc.decode("ascii").rstrip("=")
            start = (shift * 8 + 5) // 6
            end = (len(padded) * 8) // 6
            piece = text[start:end]
            if len(piece) >= MIN_SECRET * 4 // 3:
                out.add(piece)
    return out


def secret_forms(value: str) -> set[str]:
    """Every form of ``value`` that must never appear: itself, percent-encoded, base64,
    and the parts of a DSN/URL it contains (its password and userinfo)."""
    forms: set[str] = set()
    if len(value) < MIN_SECRET:
        return forms
    forms.add(value)
    forms.add(quote(value, safe=""))
    forms.add(quote(value))
    forms |= _b64_variants(value.encode("utf-8"))
    try:
        parts = urlsplit(value)
    except ValueError:
        parts = None
    if parts is not None and parts.netloc and "@" in parts.netloc:
        userinfo = parts.netloc.rsplit("@", 1)[0]
        _, _, password = userinfo.partition(":")
        for piece in (userinfo, unquote(userinfo), password, unquote(password)):
            if len(piece) >= MIN_SECRET:
                forms.add(piece)
                forms |= _b64_variants(piece.encode("utf-8"))
    for m in _PG_PASSWORD.finditer(value):
        pw = m.group(2).strip("'")
        if len(pw) >= MIN_SECRET:
            forms.add(pw)
            forms |= _b64_variants(pw.encode("utf-8"))
    return {f for f in forms if len(f) >= MIN_SECRET}


def env_secrets(names: Iterable[str | None], environ: Mapping[str, str]) -> list[str]:
    """The values of the named environment variables that are set (read now)."""
    values: list[str] = []
    for name in names:
        if name:
            value = environ.get(name)
            if value:
                values.append(value)
    return values


def userinfo_secrets(url: str | None) -> list[str]:
    """The userinfo (``user:password``) of ``url`` and its password, if it has any."""
    if not url:
        return []
    try:
        netloc = urlsplit(url).netloc
    except ValueError:
        return []
    if "@" not in netloc:
        return []
    userinfo = netloc.rsplit("@", 1)[0]
    password = userinfo.partition(":")[2]
    return [p for p in {userinfo, unquote(userinfo), password, unquote(password)} if p]


def configured_secrets(config: Config, environ: Mapping[str, str]) -> list[str]:
    """What ``config`` makes secret: the values of every ``token_env``/``dsn_env``/
    ``secret_env`` variable (read from ``environ`` now) and the userinfo of every URL."""
    values = env_secrets(config.redaction.secret_env_names(config), environ)
    urls = [getattr(s, "url", None) for s in [*config.trace_sources, *config.signal_sources]]
    urls += [c.url for c in config.controllers.values()]
    for url in urls:
        values += userinfo_secrets(url if isinstance(url, str) else None)
    return values


def scrub(text: str, secrets: Iterable[str] = (), *, mask: str = MASK) -> str:
    """``text`` with every secret (see the module doc) replaced by ``mask``."""
    if not text:
        return text
    forms: set[str] = set()
    for value in secrets:
        forms |= secret_forms(value)
    for form in sorted(forms, key=len, reverse=True):
        text = text.replace(form, mask)

    def masked(value: str) -> bool:
        return value.startswith((mask, MASK, "[REDACTED"))

    text = _USERINFO.sub(
        lambda m: m.group(0) if masked(m.group(2)) else m.group(1) + mask + "@", text
    )
    text = _HEADER.sub(
        lambda m: (
            m.group(0)
            if masked(m.group(4))
            else m.group(1) + m.group(2) + (m.group(3) or "") + mask
        ),
        text,
    )
    text = _SCHEME_TOKEN.sub(
        lambda m: m.group(0) if masked(m.group(3)) else m.group(1) + m.group(2) + mask, text
    )
    return _PG_PASSWORD.sub(lambda m: m.group(0) if masked(m.group(2)) else m.group(1) + mask, text)


def scrub_obj(value: object, secrets: Iterable[str] = ()) -> object:
    """:func:`scrub` applied to every string inside a JSON-like value (keys included)."""
    found = list(secrets)
    if isinstance(value, str):
        return scrub(value, found)
    if isinstance(value, dict):
        return {
            (scrub(k, found) if isinstance(k, str) else k): scrub_obj(v, found)
            for k, v in value.items()
        }
    if isinstance(value, (list, tuple)):
        return [scrub_obj(v, found) for v in value]
    return value


def display_url(url: str) -> str:
    """``url`` without its userinfo (``http://u:p@host/x`` → ``http://host/x``)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return scrub(url)
    if not parts.netloc or "@" not in parts.netloc:
        return url
    host = parts.netloc.rsplit("@", 1)[1]
    return urlunsplit((parts.scheme, host, parts.path, parts.query, parts.fragment))


def cut(text: str, limit: int) -> str:
    """Cut ``text`` to ``limit`` characters with an ellipsis (call after :func:`scrub`)."""
    return text if len(text) <= limit else text[: max(0, limit - 1)] + "…"
