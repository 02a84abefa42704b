"""The screens: the home screen (``drillbit`` alone) and ``drillbit practice``."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from app.cli.common import (
    EXIT_USAGE,
    UserError,
    add_filters,
    bank_paths,
    check_loop,
    check_skills,
    check_tags,
    history_path,
    require_terminal,
)

if TYPE_CHECKING:
    from app.bank.index import Bank

NOT_A_TERMINAL_HINT = "for scripts, use drillbit list, show, stats or export"


def _check_paths(args: argparse.Namespace) -> None:
    """What the screens would otherwise meet in a thread: a name too long, a FIFO, a device."""
    bank_paths(args)
    history_path(args)


def cmd_home(args: argparse.Namespace) -> int:
    _check_paths(args)
    require_terminal("the practice screen", NOT_A_TERMINAL_HINT)
    from app.tui.launch import run_tui

    return run_tui(args, practice=False)


def add_practice(parser: argparse.ArgumentParser) -> None:
    from app.practice.planner import MODES

    add_filters(parser)
    parser.add_argument("-n", "--count", type=int, metavar="N", help="number of questions")
    parser.add_argument("--time", metavar="30m", help="total time for the session")
    parser.add_argument(
        "--mode", choices=MODES, default="auto", help="auto: due, then new, then weakest (default)"
    )
    parser.add_argument("--loop", metavar="NAME", help="run a mock-interview loop")
    parser.add_argument(
        "--id", action="append", metavar="ID", help="practise exactly this question (repeat)"
    )
    parser.add_argument(
        "--reschedule", action="store_true", help="let mock and loop ratings reschedule"
    )
    parser.add_argument("--seed", type=int, help=argparse.SUPPRESS)


def _check_loop_options(args: argparse.Namespace) -> None:
    """A loop plans its own rounds: options it would ignore are a usage error."""
    ignored = [
        option
        for option, given in (
            ("--skill", args.skill),
            ("--tag", args.tag),
            ("--difficulty", args.difficulty),
            ("--count", args.count is not None),
            ("--time", args.time),
            ("--mode", args.mode != "auto"),
        )
        if given
    ]
    if ignored:
        raise UserError(
            f"--loop plans its own rounds (skills, kinds, time); it cannot honour"
            f" {', '.join(ignored)}: drop them, or practise without --loop",
            EXIT_USAGE,
        )


def cmd_practice(args: argparse.Namespace) -> int:
    if args.time:
        from app.bank.durations import parse_duration

        try:
            args.total_seconds = parse_duration(args.time)
        except ValueError as error:
            raise UserError(str(error), EXIT_USAGE) from None
    else:
        args.total_seconds = None
    if args.count is not None and args.count < 1:
        raise UserError("--count must be at least 1", EXIT_USAGE)
    _check_paths(args)
    if args.loop:
        _check_loop_options(args)
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        # Usage errors first, though no screen can start; on a terminal the names are checked
        # once the bank has loaded beside Textual's import (run_tui), not before it.
        from app.bank.cache import load_bank_cached

        check_practice_names(load_bank_cached(bank_paths(args))[0], args)
    require_terminal("the practice screen", NOT_A_TERMINAL_HINT)
    from app.tui.launch import run_tui

    names_given = args.skill or args.tag or args.loop
    return run_tui(
        args,
        practice=True,
        check=(lambda bank: check_practice_names(bank, args)) if names_given else None,
    )


def check_practice_names(bank: Bank, args: argparse.Namespace) -> None:
    """Unknown skills, tags and loops are usage errors, with the valid names."""
    check_skills(bank, args.skill or ())
    check_tags(bank, args.tag or ())
    check_loop(bank, args.loop)
