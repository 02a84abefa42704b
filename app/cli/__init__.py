"""The one package that owns drillbit's command line.

Each command lives in the module of its group (``bank``, ``history``, ``practice``,
``authoring``) as ``add_<name>(parser)`` and ``cmd_<name>(args)``; ``common`` holds what they
share. Start-up stays fast: only the named command's module is imported and only its subparser
is built, and heavy imports happen inside each command.
"""

from __future__ import annotations

import argparse
import importlib
import os
import re
import sys
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple, NoReturn

from app import __version__
from app.cli.common import EXIT_ERROR, EXIT_OK, EXIT_USAGE, UserError, did_you_mean, err


class Command(NamedTuple):
    name: str
    group: str
    """The module of ``app.cli`` with ``add_<name>`` and ``cmd_<name>``."""
    help: str

    def function(self, prefix: str) -> Callable[..., Any]:
        module = importlib.import_module(f"app.cli.{self.group}")
        return getattr(module, f"{prefix}_{self.name.replace('-', '_')}")  # type: ignore[no-any-return]


COMMANDS: list[Command] = [
    Command("validate", "bank", "check bank files; print file:line:col problems"),
    Command("schema", "bank", "print the JSON Schema of a bank file"),
    Command("list", "bank", "list questions"),
    Command("show", "bank", "render one question as a candidate sees it"),
    Command("stats", "history", "progress per skill, per day and per question"),
    Command("export", "history", "write every session and attempt (json or csv)"),
    Command("import", "history", "merge a json export into the history"),
    Command("practice", "practice", "start a practice session straight away"),
    Command("new", "authoring", "scaffold a question and open it in $EDITOR"),
    Command("watch", "authoring", "re-validate and preview bank files as they change"),
    Command("kit", "authoring", "write an interviewer's kit (Markdown or printable HTML)"),
    Command("export-anki", "authoring", "write the bank as an Anki deck (.apkg)"),
    Command("calibrate", "authoring", "flag time budgets and rubric points"),
    Command("bank", "bank", "coverage of the bank: skills x difficulty, kinds, quality"),
    Command("run", "coding", "run a coding exercise's tests on your code (or its solution)"),
    Command("doctor", "coding", "the toolchains found for coding exercises, and the sandbox"),
    Command("sync", "team", "exchange history with the team's PostgreSQL server"),
    Command("server", "team", "set up a team server: server init URL, server add-user NAME"),
]
_COMMAND_NAMES = frozenset(command.name for command in COMMANDS)

_INVALID_CHOICE = re.compile(r"invalid choice: '(?P<word>[^']*)' \(choose from (?P<choices>.*)\)$")


class Parser(argparse.ArgumentParser):
    """No abbreviated options (a prefix would mean something else as options are added), and
    errors in drillbit's one-line style, as usage errors (exit status 2)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["allow_abbrev"] = False
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> NoReturn:
        found = _INVALID_CHOICE.search(message)
        if found:
            choices = re.findall(r"'([^']*)'", found["choices"])
            message += did_you_mean(found["word"], choices)
        self.exit(EXIT_USAGE, f"drillbit: {message} (see {self.prog} --help)\n")


def _common_options(default: Any) -> argparse.ArgumentParser:
    """--bank and --db, accepted before or after the subcommand.

    Subcommands get SUPPRESS as default so that they do not overwrite a value given earlier.
    """
    common = Parser(add_help=False)
    common.add_argument(
        "--bank",
        action="append",
        metavar="DIR",
        default=default,
        help="a bank directory or file (repeatable; default: $DRILLBIT_BANK or the bundled bank)",
    )
    common.add_argument(
        "--db",
        metavar="PATH",
        default=default,
        help="the history database (default: $DRILLBIT_DB or the user data directory)",
    )
    return common


_TOP_LEVEL_VALUED = ("--bank", "--db")
_TOP_LEVEL_FLAGS = ("--version",)


def _commands_named(argv: Sequence[str] | None) -> set[str] | None:
    """The subcommand that ``argv`` names, or None for all of them.

    Building a subparser costs about 0.3 ms (argparse looks on disk for translations of its
    texts), and start-up should not pay that for the commands not asked for. All are built for
    help and for anything this does not recognise (a word that is not a command, an unknown
    option), so that argparse's answer is the one the whole parser gives.
    """
    if argv is None:
        return None
    arguments = iter(argv)
    for argument in arguments:
        if argument in _TOP_LEVEL_VALUED:
            next(arguments, None)  # the option's value
        elif argument in _TOP_LEVEL_FLAGS or argument.partition("=")[0] in _TOP_LEVEL_VALUED:
            continue  # a flag, or an option with its value attached
        elif argument in _COMMAND_NAMES:
            return {argument}
        else:
            return None
    return set()  # no command: the home screen


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The CLI's parser; given the arguments, with only the subcommands they may name."""
    common = _common_options(argparse.SUPPRESS)
    parser = Parser(
        prog="drillbit",
        description="Practise systems and edge-network engineering interviews in the terminal.",
        parents=[_common_options(None)],
    )
    parser.add_argument("--version", action="version", version=f"drillbit {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    wanted = _commands_named(argv)
    for command in COMMANDS:
        if wanted is None or command.name in wanted:
            child = sub.add_parser(
                command.name, help=command.help, description=command.help, parents=[common]
            )
            child.set_defaults(handler=command.function("cmd"))
            command.function("add")(child)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    arguments = sys.argv[1:] if argv is None else list(argv)
    args = build_parser(arguments).parse_args(arguments)
    handler = getattr(args, "handler", None)
    from app.paths import ConfigError

    try:
        if handler is None:
            from app.cli.practice import cmd_home

            return cmd_home(args)
        return int(handler(args))
    except UserError as error:
        err(f"drillbit: {error}")
        return error.code
    except ConfigError as error:
        err(f"drillbit: {error}")
        return EXIT_ERROR
    except KeyboardInterrupt:
        err("drillbit: interrupted")
        return 130
    except BrokenPipeError:
        # Output piped into head and the like: exit quietly.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except Exception as error:
        # The history failing under a command that reads it (a damaged page, a busy or full
        # disk): one line. Imported here, not at start-up: it is loaded if it raised.
        from app.store.db import StoreError

        if not isinstance(error, StoreError):
            raise
        err(f"drillbit: {error}")
        return EXIT_ERROR


__all__ = ["COMMANDS", "EXIT_USAGE", "UserError", "build_parser", "main"]
