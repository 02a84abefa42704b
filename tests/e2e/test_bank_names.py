"""On a real terminal, an unknown skill, tag or loop ends `practice` with a usage error and the
valid names, before any screen (issue 15, item 6); a symlink loop in the bank is one line."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.e2e.conftest import Terminal


@pytest.mark.parametrize(
    ("option", "message"),
    [
        (("--skill", "debuging"), "no skill 'debuging' (did you mean 'debugging'?)"),
        (("--loop", "nope"), "no loop 'nope'; the bank has: mini"),
        (("--tag", "nope"), "no tag 'nope'; the bank has:"),
    ],
)
def test_unknown_names_end_practice_on_a_terminal(
    terminal_factory, bank: Path, option: tuple[str, str], message: str
) -> None:
    terminal: Terminal = terminal_factory(160, 24)
    terminal.launch("t", "--bank", str(bank), "--db", "h.sqlite3", "practice", *option)
    screen = terminal.wait_for("t", "[drillbit exited 2]")
    assert message in screen.replace("\n", "")


def test_a_symlink_loop_in_the_bank_is_one_line_not_a_crash(terminal_factory, bank: Path) -> None:
    os.symlink("loop.yaml", bank / "loop.yaml")
    terminal: Terminal = terminal_factory(120, 30)
    terminal.launch("t", "--bank", str(bank), "--db", "h.sqlite3", "practice", "-n", "1")
    screen = terminal.wait_for("t", "Too many levels of symbolic links")
    assert "Traceback" not in screen and "AssertionError" not in screen
