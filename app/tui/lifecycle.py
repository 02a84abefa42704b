"""How the TUI ends: signals take the app's normal way out; a crash is one line and a log.

- SIGTERM and SIGHUP (a closed terminal) call ``app.exit()``, the way out every key takes, so
  the app saves the draft and closes the session (``DrillbitApp`` does that on unmount). Should
  shutting down hang (a write to a terminal that is gone, a database busy beyond its timeout),
  the process ends anyway after ``SIGNAL_GRACE_S``. The exit status is 128 + the signal.
- An unhandled exception ends the app with status 1, never 0, in the app or in any thread
  (the preload, a store's background check): one line on stderr, with the path of a crash log
  holding the traceback (in the user state directory, see app.paths).
"""

from __future__ import annotations

import asyncio
import io
import os
import signal
import sys
import threading
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from types import FrameType
from typing import Any

from textual.app import App

EXIT_SIGNALS = (signal.SIGTERM, signal.SIGHUP)
SIGNAL_GRACE_S = 6.0
"""Seconds a signalled app has to shut down: the store's busy timeout (5 s) and a margin."""


def run_app(app: App[Any], **run_options: Any) -> int | None:
    """Run ``app``. The exit status when a signal or a crash ended it, None otherwise."""
    from rich.console import Console

    # Textual prints a crash's traceback to its error console when it exits: keep it for the
    # crash log rather than fill the terminal with it.
    exit_text = io.StringIO()
    app.error_console = Console(
        file=exit_text, width=120, color_system=None, markup=False, highlight=False
    )
    received: list[int] = []
    thread_errors: list[BaseException] = []
    with _exit_on_signals(app, received), _threads_reported_to(exit_text, thread_errors):
        try:
            app.run(**run_options)
        except Exception as error:
            return _report_crash(error, exit_text.getvalue() + traceback.format_exc())
    # A thread's error comes first: it is the cause when the app then fails waiting for it.
    error = thread_errors[0] if thread_errors else getattr(app, "_exception", None)
    if error is not None or app.return_code not in (0, None):
        return _report_crash(error, exit_text.getvalue())
    if exit_text.getvalue():
        sys.stderr.write(exit_text.getvalue())  # a message the app chose to leave on exit
    return 128 + received[0] if received else None


@contextmanager
def _exit_on_signals(app: App[Any], received: list[int]) -> Iterator[None]:
    watchdogs: list[threading.Timer] = []

    def handle(signum: int, frame: FrameType | None) -> None:
        first = not received
        received.append(signum)
        if not first:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            # Not running yet (or any more): nothing to save, nothing to close.
            raise SystemExit(128 + signum) from None
        loop.call_soon_threadsafe(app.exit)
        watchdog = threading.Timer(SIGNAL_GRACE_S, os._exit, (128 + signum,))
        watchdog.daemon = True
        watchdog.start()
        watchdogs.append(watchdog)

    previous = {number: signal.signal(number, handle) for number in EXIT_SIGNALS}
    try:
        yield
    finally:
        for watchdog in watchdogs:
            watchdog.cancel()  # the app is down: what remains is the CLI's own way out
        for number, handler in previous.items():
            signal.signal(number, handler)


@contextmanager
def _threads_reported_to(log: io.StringIO, errors: list[BaseException]) -> Iterator[None]:
    """An exception that ends a thread (the preload, a store's check) goes to the crash log
    and makes the run a crash, instead of a traceback printed over the screen."""

    def keep(failure: threading.ExceptHookArgs) -> None:
        if failure.exc_value is not None:
            errors.append(failure.exc_value)
        log.write(f"In thread {failure.thread.name if failure.thread else '?'}:\n")
        log.write("".join(traceback.format_exception(failure.exc_value)))

    previous = threading.excepthook
    threading.excepthook = keep
    try:
        yield
    finally:
        threading.excepthook = previous


def _report_crash(error: BaseException | None, details: str) -> int:
    """Write the crash log; say in one line what happened and where the log is."""
    from app import __version__
    from app.paths import crash_log_path
    from app.textfmt import printable

    what = "an unexpected error" if error is None else f"{type(error).__name__}: {error}"
    what = printable(what, one_line=True)[:300]
    path = crash_log_path(datetime.now(UTC), os.getpid())
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        header = f"drillbit {__version__}, Python {sys.version.split()[0]}, argv {sys.argv!r}\n"
        path.write_text(header + (details or what) + "\n", encoding="utf-8")
        where = f"details in {path}"
    except OSError as write_error:
        where = f"no crash log ({path}: {write_error.strerror or write_error})"
    sys.stderr.write(f"drillbit: crashed ({what}); {printable(where, one_line=True)}\n")
    return 1
