"""Shell completion (bash, zsh, fish) through argcomplete.

``ircmd completion bash|zsh|fish`` prints the script to source. When the shell asks
(``_ARGCOMPLETE`` in the environment), ``ircmd.cli.main`` builds the whole parser and hands it
to :func:`autocomplete`. Completers read the store read-only and never raise: a missing
store or a broken config completes nothing rather than printing a traceback into the shell.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Callable
from typing import Any

from ircmd.cli.context import Context
from ircmd.domain.text import one_line

SHELLS = ("bash", "zsh", "fish")


def register(sub: Any) -> None:
    p = sub.add_parser(
        "completion",
        help="print the shell completion script (bash, zsh or fish)",
        description='Enable with e.g. `eval "$(ircmd completion bash)"` in ~/.bashrc, '
        '`eval "$(ircmd completion zsh)"` in ~/.zshrc, or '
        "`ircmd completion fish | source` in config.fish.",
    )
    p.add_argument("shell", choices=SHELLS)
    p.set_defaults(func=cmd_completion)


def cmd_completion(ctx: Context, args: argparse.Namespace) -> int:
    from argcomplete.shell_integration import shellcode

    sys.stdout.write(shellcode(["ircmd"], shell=args.shell))
    return 0


def autocomplete(parser: argparse.ArgumentParser) -> None:
    import argcomplete

    argcomplete.autocomplete(parser)


def _read_only(parsed_args: Any) -> Context:
    return Context(args=argparse.Namespace(read_only=True))


def said_quietly(exc: BaseException) -> None:
    """A completer's failure, as one line on argcomplete's debug stream (``_ARC_DEBUG=1``):
    completion must never break the user's shell, but a bug must still be findable."""
    from argcomplete.io import debug

    debug(f"ircmd completion: {type(exc).__name__}: {one_line(exc, 200)}")


def _quietly(produce: Callable[[Context], list[str]], parsed_args: Any) -> list[str]:
    ctx = _read_only(parsed_args)
    try:
        return produce(ctx)
    except Exception as exc:  # never break the user's shell; said under _ARC_DEBUG
        said_quietly(exc)
        return []
    finally:
        with contextlib.suppress(Exception):  # closing a completion read is best effort
            ctx.close()


def incident_ids(prefix: str = "", parsed_args: Any = None, **_: Any) -> list[str]:
    """Open incidents first, then the rest."""

    def produce(ctx: Context) -> list[str]:
        incidents = ctx.service.list_incidents()
        ordered = sorted(incidents, key=lambda i: (not i.is_open, -i.number))
        return [i.id for i in ordered if i.id.lower().startswith(prefix.lower())]

    return _quietly(produce, parsed_args)


def control_ids(prefix: str = "", parsed_args: Any = None, **_: Any) -> list[str]:
    """``WORKFLOW/CONTROL`` of every control in the config's workflow inventory."""

    def produce(ctx: Context) -> list[str]:
        ids = [f"{wf.id}/{c.id}" for wf in ctx.config.workflows for c in wf.controls]
        return [i for i in ids if i.startswith(prefix)]

    return _quietly(produce, parsed_args)


def evidence_ids(prefix: str = "", parsed_args: Any = None, **_: Any) -> list[str]:
    """SHA-256 digests of the spans pinned on the incident named earlier on the line."""
    incident = getattr(parsed_args, "incident", None)
    if not incident:
        return []

    def produce(ctx: Context) -> list[str]:
        from ircmd.service.traces.service import TraceService

        docs = TraceService.for_workspace(ctx.workspace).evidence(incident)
        digests = [str(d.get("sha256", "")) for d in docs]
        return [d for d in digests if d and d.startswith(prefix.lower())]

    return _quietly(produce, parsed_args)
