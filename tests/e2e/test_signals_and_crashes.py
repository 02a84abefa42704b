"""End-to-end: how the installed ``drillbit`` ends when it is told to (SIGTERM, SIGHUP) and
when it crashes. See tests/e2e/conftest.py for the harness and app/tui/lifecycle.py."""

from __future__ import annotations

import os
import signal
import sqlite3
from pathlib import Path

import pytest

from app.tui.lifecycle import SIGNAL_GRACE_S
from tests.e2e.conftest import TIMEOUT_S, requires_terminal

pytestmark = requires_terminal

FIRST_TITLE = "The TCP three-way handshake"
PRACTICE = ("--bank", "bank", "--db", "h.sqlite3", "practice", "-n", "1", "--mode", "new")
PRACTICE += ("--skill", "network-protocols")


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP], ids=["TERM", "HUP"])
def test_a_signal_saves_the_draft_ends_the_session_and_exits(
    terminal_factory, bank: Path, signum: int
) -> None:
    """kill -TERM / kill -HUP (a closed terminal) right after typing: nothing typed is lost,
    the session is closed, and the process is gone within the grace period."""
    term = terminal_factory(80, 24)
    term.launch("s", *PRACTICE)
    term.wait_for("s", FIRST_TITLE, "space Reveal")  # the footer comes with the editor
    term.keys("s", "i")
    term.wait_gone("s", "space Reveal")  # the editor has the focus: the footer hides the keys
    draft = "typed a moment before the signal"
    term.type("s", draft)
    term.wait_for("s", draft)  # on screen; drafts are otherwise saved every 2 s
    os.kill(term.drillbit_pid("s"), signum)
    term.wait_for("s", f"[drillbit exited {128 + signum}]", timeout=SIGNAL_GRACE_S + 2)
    db = sqlite3.connect(f"file:{term.cwd / 'h.sqlite3'}?mode=ro", uri=True)
    try:
        answers = [row[0] for row in db.execute("SELECT answer FROM attempts")]
        open_sessions = db.execute("SELECT count(*) FROM sessions WHERE ended_at IS NULL")
        assert draft in answers
        assert open_sessions.fetchone()[0] == 0
    finally:
        db.close()


def test_a_crash_exits_1_with_one_line_and_a_crash_log(terminal_factory, bank: Path) -> None:
    """An unhandled exception (here injected into the help action, bound to ?) ends drillbit
    with status 1, one line on the terminal, and the traceback in a crash log."""
    inject = bank.parent / "inject"
    inject.mkdir()
    (inject / "sitecustomize.py").write_text(
        "import app.tui.app\n"
        "def fail(self):\n"
        "    raise RuntimeError('injected fault')\n"
        "app.tui.app.DrillbitApp.action_help = fail\n",
        encoding="utf-8",
    )
    term = terminal_factory(200, 30)
    term.launch("s", *PRACTICE, wrapper=("env", f"PYTHONPATH={inject}"))
    term.wait_for("s", FIRST_TITLE)
    term.keys("s", "?")
    screen = term.wait_for("s", "[drillbit exited 1]", timeout=TIMEOUT_S)
    [log] = (bank.parent / "xdg-state" / "drillbit" / "crashes").glob("crash-*.log")
    message = f"drillbit: crashed (RuntimeError: injected fault); details in {log}"
    lines = [line for line in screen.splitlines() if line.strip()]
    assert lines[-2:] == [message, "[drillbit exited 1]"], screen
    assert "Traceback" not in screen
    text = log.read_text(encoding="utf-8")
    assert "Traceback" in text and "RuntimeError: injected fault" in text
