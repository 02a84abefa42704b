"""Start the TUI from the CLI's arguments: the one module that knows start-up's and the
runtime's tricks (the preload's head start, the garbage collector off until the first screen
is whole, a short thread switch interval while the TUI runs)."""

from __future__ import annotations

import argparse
import gc
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from app.bank.index import Bank

FRAME_HANDOFF_S = 0.0005
"""The interpreter's thread switch interval while the TUI runs. Textual writes each frame from
its own thread; at Python's default (5 ms) that thread can wait for the UI thread's next chores
before the frame reaches the terminal."""

PRELOAD_HEAD_START = 0.15
"""Seconds the bank and history get to load before Textual is imported (see app.tui.preload)."""


def first_screen_shown() -> None:
    """Turn back on the garbage collector that ``run_tui`` turned off. The objects made so far
    live as long as the app, so they are frozen out of future collections, not scanned."""
    if not gc.isenabled():
        gc.freeze()
        gc.enable()


def run_tui(
    args: argparse.Namespace, *, practice: bool, check: Callable[[Bank], None] | None = None
) -> int:
    """Run the app; ``check`` sees the bank first (once it has loaded beside Textual's import)
    and may raise the CLI's usage error, before any screen starts."""
    previous = sys.getswitchinterval()
    sys.setswitchinterval(FRAME_HANDOFF_S)
    try:
        return _run_tui(args, practice=practice, check=check)
    finally:
        sys.setswitchinterval(previous)


def _run_tui(
    args: argparse.Namespace, *, practice: bool, check: Callable[[Bank], None] | None
) -> int:
    # Start-up makes some 70,000 long-lived objects (modules, classes, styles, widgets) and the
    # cyclic garbage collector would scan them over and over: measured, the first question
    # paints sooner without it, by 0.05-0.15x of a bare Textual app's time. The app turns it
    # back on, with those objects frozen, once the first screen is whole.
    gc.disable()
    from app.paths import bank_dirs, database_path
    from app.tui.preload import Preload

    directories, db_path = bank_dirs(args.bank or ()), database_path(args.db)
    preload = Preload(directories, db_path).start(head_start=PRELOAD_HEAD_START)
    from app.tui.app import DrillbitApp

    if check is not None:
        try:
            bank = preload.result()[0]
        except Exception:
            bank = None  # the app reports the failure in its own words
        if bank is not None:
            check(bank)

    request = None
    if practice:
        from app.practice.planner import Filters
        from app.practice.request import PracticeRequest

        request = PracticeRequest(
            mode=args.mode,
            filters=Filters(tuple(args.skill or ()), args.difficulty, tuple(args.tag or ())),
            ids=tuple(args.id or ()),
            count=args.count if args.count is not None or args.total_seconds else 5,
            total_seconds=args.total_seconds,
            loop=args.loop,
            reschedule=args.reschedule,
            seed=args.seed,
        )
    app = DrillbitApp(directories, db_path, practice=request, preload=preload)
    from app.tui.lifecycle import run_app

    ended = run_app(app)  # a signal or a crash: its status
    if ended is not None:
        return ended
    if app.fatal_error:
        sys.stderr.write(f"drillbit: {app.fatal_error}\n")
        return app.fatal_code
    return 0
