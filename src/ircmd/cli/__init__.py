"""The ``ircmd`` command line. Headless commands never import Textual (they start fast);
the TUI is imported only by the commands that open it."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from ircmd import __version__
from ircmd.cli import containment as containment_cmds
from ircmd.cli import evidence as evidence_cmds
from ircmd.cli import incident as incident_cmds
from ircmd.cli import serve as serve_cmds
from ircmd.cli import signals as signals_cmds
from ircmd.cli import store_cmds, trace_view, tui_cmds
from ircmd.cli import traces as trace_cmds
from ircmd.cli.common import CliError, Context, UsageError, check_argv, fail

# Each module adds its sub-commands; later capabilities add a module to this list.
COMMAND_MODULES = [
    tui_cmds,
    incident_cmds,
    store_cmds,
    serve_cmds,
    signals_cmds,
    evidence_cmds,
    containment_cmds,
    trace_cmds,
    trace_view,
]


class ArgParser(argparse.ArgumentParser):
    """argparse with one-line usage errors (exit 2) instead of a usage block."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(f"{self.prog}: {message} (see {self.prog} --help)")


def build_parser() -> ArgParser:
    parser = ArgParser(
        prog="ircmd",
        description=__doc__ and "Keyboard-first terminal console for AI incident response.",
    )
    parser.add_argument("--version", action="version", version=f"ircmd {__version__}")
    parser.add_argument(
        "--read-only", action="store_true", help="observer seat: everything visible, no action runs"
    )
    parser.set_defaults(func=tui_cmds.run_tui)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=ArgParser)
    for module in COMMAND_MODULES:
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    try:
        check_argv(args_list)
        parser = build_parser()
        args = parser.parse_args(args_list)
        ctx = Context(args=args)
        try:
            code = args.func(ctx, args)
        finally:
            ctx.close()
        return int(code or 0)
    except UsageError as exc:
        return fail(str(exc), 2)
    except CliError as exc:
        return fail(str(exc), exc.code)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 1
    except Exception as exc:
        from ircmd.cli.common import describe_error

        message, code = describe_error(exc)
        return fail(message, code)


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
