"""The ``:`` command line (k9s style): a pure interpreter with verbs, usage, completion, history.

Nothing here knows about Textual: the war room hands a line to :meth:`VerbRegistry.parse`,
gets a :class:`Command` back (or a :class:`CommandError` whose ``str`` is one line: what was
wrong, then the verb's usage), and calls ``command.verb.handler(command)``.

Grammar::

    [:]VERB [ARG ...] [--OPTION [VALUE]] ...

* Words are split on whitespace; a word that *starts* with ``"`` or ``'`` runs to the
  matching quote, so ``tag "two words"`` works, while apostrophes inside text
  (``note customer's refund``) need no quoting.
* A ``text`` parameter or option takes the rest of the line up to the next ``--option``
  the verb knows, verbatim (``severity high --reason sensitive data seen by customers``).

Adding verbs (other panes do this)
----------------------------------
Describe the verb with :class:`Verb` and hand it to a registry; the ``handler`` receives
the parsed :class:`Command` and may return a one-line result for the status line::

    from ircmd.domain.incidents.commandline import Opt, Param, Verb

    Verb(
        "contain",
        "turn a containment control on",
        params=(Param("control", choices=lambda: ["pause", "human-review"]),),
        options=(Opt("reason", kind="text", required=True),),
        handler=self.run_contain,        # (Command) -> str | None
        mutates=True,                    # refused (and hidden) in a read-only seat
    )

In the TUI a war-room pane contributes verbs by implementing ``verbs() -> Iterable[Verb]``
(see ``ircmd.tui.screens.warroom.panes.base.Pane``); the screen registers them when the pane mounts.
A verb that belongs to no pane (``export``, ``eval``) is registered process-wide with
``ircmd.tui.screens.warroom.verbs.register_global_verb(factory)``. ``choices`` may be a tuple or a
callable returning the current candidates (evaluated at completion time only). A name
or alias already taken raises ``ValueError`` unless ``replace=True``.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from ircmd.domain.incidents.incident import DomainError

Choices = Sequence[str] | Callable[[], Sequence[str]]


def _choices(value: Choices) -> list[str]:
    try:
        items = value() if callable(value) else value
        return [str(c) for c in items]
    except Exception:  # choices come from panes' and extensions' code: never break the line
        return []


@dataclass(frozen=True)
class Param:
    """A positional argument: one ``word``, or ``text`` (the rest of the line)."""

    name: str
    kind: Literal["word", "text"] = "word"
    required: bool = True
    choices: Choices = ()
    help: str = ""

    @property
    def usage(self) -> str:
        shown = self.name.upper() + ("…" if self.kind == "text" else "")
        return shown if self.required else f"[{shown}]"


@dataclass(frozen=True)
class Opt:
    """``--name``: a ``flag``, one ``word`` or ``text`` up to the next known option."""

    name: str
    kind: Literal["flag", "word", "text"] = "word"
    required: bool = False
    choices: Choices = ()
    help: str = ""

    @property
    def usage(self) -> str:
        if self.kind == "flag":
            shown = f"--{self.name}"
        else:
            value = self.name.upper() + ("…" if self.kind == "text" else "")
            shown = f"--{self.name} {value}"
        return shown if self.required else f"[{shown}]"


@dataclass(frozen=True)
class Verb:
    name: str
    summary: str
    params: tuple[Param, ...] = ()
    options: tuple[Opt, ...] = ()
    aliases: tuple[str, ...] = ()
    mutates: bool = True
    """Changes the incident or a backend: refused and hidden in a read-only seat."""
    handler: Callable[[Command], Any] | None = field(default=None, compare=False)
    source: str = "core"
    """Who registered it (``core``, a pane's name...), shown in ``help``."""

    @property
    def usage(self) -> str:
        parts = [self.name, *(p.usage for p in self.params), *(o.usage for o in self.options)]
        return " ".join(parts)

    def option(self, name: str) -> Opt | None:
        return next((o for o in self.options if o.name == name), None)


@dataclass(frozen=True)
class Command:
    verb: Verb
    args: dict[str, str]
    options: dict[str, str | bool]
    line: str

    def arg(self, name: str, default: str = "") -> str:
        return self.args.get(name, default)

    def opt(self, name: str, default: str = "") -> str:
        value = self.options.get(name, default)
        return value if isinstance(value, str) else default

    def flag(self, name: str) -> bool:
        return self.options.get(name) is True


class CommandError(DomainError):
    """A line that cannot run; ``str()`` is one line: the problem, then the usage."""

    def __init__(self, message: str, usage: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.usage = usage

    def __str__(self) -> str:
        return f"{self.message} — usage: {self.usage}" if self.usage else self.message


@dataclass(frozen=True)
class _Token:
    text: str
    start: int
    end: int
    quoted: bool

    @property
    def is_option(self) -> bool:
        return not self.quoted and self.text.startswith("--") and len(self.text) > 2


def tokenize(line: str, *, lenient: bool = False) -> list[_Token]:
    """Split on whitespace; a word starting with a quote runs to the matching quote."""
    tokens: list[_Token] = []
    i, n = 0, len(line)
    while i < n:
        if line[i].isspace():
            i += 1
            continue
        start = i
        if line[i] in "\"'":
            quote = line[i]
            close = line.find(quote, i + 1)
            if close < 0:
                if lenient:
                    tokens.append(_Token(line[i + 1 :], start, n, True))
                    break
                raise CommandError(f"unclosed {quote} quote at column {i + 1}")
            tokens.append(_Token(line[i + 1 : close], start, close + 1, True))
            i = close + 1
            continue
        while i < n and not line[i].isspace():
            i += 1
        tokens.append(_Token(line[start:i], start, i, False))
    return tokens


def _strip_prompt(line: str) -> str:
    text = line.strip()
    return text[1:].lstrip() if text.startswith(":") else text


class VerbRegistry:
    """Verbs by name and alias; parses lines and completes them."""

    def __init__(self, verbs: Iterable[Verb] = ()) -> None:
        self._verbs: dict[str, Verb] = {}
        self._aliases: dict[str, str] = {}
        for verb in verbs:
            self.register(verb)

    # -- registration ------------------------------------------------------------------
    def register(self, verb: Verb, *, replace: bool = False) -> None:
        for name in (verb.name, *verb.aliases):
            if not name or any(ch.isspace() for ch in name) or name.startswith("-"):
                raise ValueError(f"bad verb name {name!r}")
            taken = self.get(name)
            if taken is not None:
                if not replace:
                    raise ValueError(f"verb {name!r} is already registered by {taken.source}")
                self.unregister(taken.name)
        self._verbs[verb.name] = verb
        for alias in verb.aliases:
            self._aliases[alias] = verb.name

    def unregister(self, name: str) -> None:
        verb = self._verbs.pop(name, None)
        if verb is not None:
            for alias in verb.aliases:
                self._aliases.pop(alias, None)

    def get(self, name: str) -> Verb | None:
        key = name.lower()
        return self._verbs.get(key) or self._verbs.get(self._aliases.get(key, ""))

    def verbs(self, *, read_only: bool = False) -> list[Verb]:
        found = sorted(self._verbs.values(), key=lambda v: v.name)
        return [v for v in found if not (read_only and v.mutates)]

    def __contains__(self, name: str) -> bool:
        return self.get(name) is not None

    # -- parsing -----------------------------------------------------------------------
    def parse(self, line: str, *, read_only: bool = False) -> Command:
        text = _strip_prompt(line)
        if not text:
            raise CommandError("empty command", "help (lists every command)")
        tokens = tokenize(text)
        name = tokens[0].text
        verb = self.get(name)
        if verb is None or (read_only and verb.mutates):
            if verb is not None:
                raise CommandError(f"read-only seat: {verb.name} would change the incident")
            names = [v.name for v in self.verbs(read_only=read_only)]
            close = difflib.get_close_matches(name.lower(), names, n=1)
            hint = f"; did you mean {close[0]}?" if close else ""
            raise CommandError(f"unknown command {name!r}{hint}", "help (lists every command)")
        return self._bind(verb, text, tokens[1:])

    def _bind(self, verb: Verb, text: str, tokens: list[_Token]) -> Command:
        usage = verb.usage

        def fail(message: str) -> CommandError:
            return CommandError(message, usage)

        def rest(i: int) -> tuple[str, int]:
            """Raw text from token i up to the next known option; returns (text, next i)."""
            j = i
            while j < len(tokens):
                tok = tokens[j]
                if tok.is_option and verb.option(tok.text[2:].split("=", 1)[0]) is not None:
                    break
                j += 1
            if j == i:
                return "", j
            if j == i + 1 and tokens[i].quoted:
                return tokens[i].text, j
            return text[tokens[i].start : tokens[j - 1].end].strip(), j

        args: dict[str, str] = {}
        options: dict[str, str | bool] = {}
        p = 0
        i = 0
        while i < len(tokens):
            tok = tokens[i]
            if tok.is_option:
                name, eq, inline = tok.text[2:].partition("=")
                opt = verb.option(name)
                if opt is None:
                    known = ", ".join(f"--{o.name}" for o in verb.options) or "none"
                    raise fail(f"{verb.name} has no option --{name} (options: {known})")
                if opt.kind == "flag":
                    if eq:
                        raise fail(f"--{name} takes no value")
                    options[name] = True
                    i += 1
                    continue
                if eq:
                    value, i = inline, i + 1
                    if opt.kind == "text":
                        more, i = rest(i)
                        value = f"{value} {more}".strip()
                elif opt.kind == "text":
                    value, i = rest(i + 1)
                else:
                    if i + 1 >= len(tokens) or tokens[i + 1].is_option:
                        raise fail(f"--{name} needs a value")
                    value, i = tokens[i + 1].text, i + 2
                if not value.strip():
                    raise fail(f"--{name} needs a value")
                options[name] = value
                continue
            if p >= len(verb.params):
                raise fail(f"unexpected {tok.text!r}")
            param = verb.params[p]
            if param.kind == "text":
                value, i = rest(i)
            else:
                value, i = tok.text, i + 1
            args[param.name] = value
            p += 1
        for param in verb.params:
            if param.required and not args.get(param.name, "").strip():
                raise fail(f"{verb.name} needs {param.name.upper()}")
        for opt in verb.options:
            if opt.required and opt.name not in options:
                raise fail(f"{verb.name} needs --{opt.name}")
        return Command(verb=verb, args=args, options=options, line=text)

    # -- completion --------------------------------------------------------------------
    def complete(self, line: str, *, read_only: bool = False) -> list[str]:
        """Full-line candidates for the word under the cursor (at the end of ``line``)."""
        prefix = ":" if line.lstrip().startswith(":") else ""
        text = _strip_prompt(line)
        lead = line[: len(line) - len(line.lstrip())] + prefix
        if text and line.endswith((" ", "\t")):
            text += " "
        tokens = tokenize(text, lenient=True)
        at_new_word = not tokens or text.endswith(" ")
        if not tokens or (len(tokens) == 1 and not at_new_word):
            word = tokens[0].text.lower() if tokens else ""
            names = [v.name for v in self.verbs(read_only=read_only)]
            return [f"{lead}{n} " for n in names if n.startswith(word)]
        verb = self.get(tokens[0].text)
        if verb is None:
            return []
        done = tokens[1:] if at_new_word else tokens[1:-1]
        current = "" if at_new_word else tokens[-1].text
        base = text if at_new_word else text[: tokens[-1].start]
        candidates: list[str] = []
        # Which slot is the current word filling?
        pending_opt: Opt | None = None
        p = 0
        in_text = False
        for tok in done:
            if tok.is_option:
                pending_opt = verb.option(tok.text[2:].split("=", 1)[0])
                in_text = False
                if pending_opt is not None and pending_opt.kind == "flag":
                    pending_opt = None
                continue
            if pending_opt is not None:
                in_text = pending_opt.kind == "text"
                pending_opt = None
                continue
            if in_text:
                continue
            if p < len(verb.params):
                in_text = verb.params[p].kind == "text"
                p += 1
        if current.startswith("-"):
            used = {t.text[2:] for t in done if t.is_option}
            candidates = [
                f"--{o.name}"
                for o in verb.options
                if f"--{o.name}".startswith(current) and o.name not in used
            ]
        elif pending_opt is not None:
            candidates = [c for c in _choices(pending_opt.choices) if _starts(c, current)]
        elif not in_text and p < len(verb.params):
            candidates = [c for c in _choices(verb.params[p].choices) if _starts(c, current)]
        return [f"{lead}{base}{_quote(c)} " for c in candidates]

    def help_rows(self, *, read_only: bool = False) -> list[tuple[str, str]]:
        return [(v.usage, v.summary) for v in self.verbs(read_only=read_only)]


def _starts(candidate: str, prefix: str) -> bool:
    return candidate.lower().startswith(prefix.lower())


def _quote(word: str) -> str:
    return f'"{word}"' if any(ch.isspace() for ch in word) else word


def common_prefix(candidates: Sequence[str]) -> str:
    if not candidates:
        return ""
    first, last = min(candidates), max(candidates)
    n = 0
    while n < min(len(first), len(last)) and first[n] == last[n]:
        n += 1
    return first[:n]


class History:
    """Lines entered, oldest first; ``older``/``newer`` walk it like a shell."""

    def __init__(self, entries: Iterable[str] = (), limit: int = 200) -> None:
        self.limit = limit
        self.entries: list[str] = [e for e in entries if e.strip()][-limit:]
        self._pos = len(self.entries)
        self._draft = ""

    def add(self, line: str) -> None:
        line = line.strip()
        if line and (not self.entries or self.entries[-1] != line):
            self.entries.append(line)
            del self.entries[: -self.limit]
        self._pos = len(self.entries)
        self._draft = ""

    def older(self, current: str) -> str:
        if self._pos == len(self.entries):
            self._draft = current
        if self._pos > 0:
            self._pos -= 1
        return self.entries[self._pos] if self.entries else current

    def newer(self) -> str:
        if self._pos < len(self.entries):
            self._pos += 1
        if self._pos == len(self.entries):
            return self._draft
        return self.entries[self._pos]
