"""End-to-end: the installed ``drillbit`` in tmux, used as a person (and an attacker) would.

Each scenario types keys with ``send-keys``, reads the screen with ``capture-pane`` and checks the
history with ``drillbit export``. See tests/e2e/conftest.py for the harness.
"""

from __future__ import annotations

import shutil
import sqlite3
import time
from pathlib import Path

import pytest

from app.bank.loader import load_file
from tests.e2e.conftest import (
    SIZES,
    Terminal,
    export,
    kill_9,
    requires_terminal,
    run_drillbit,
    toasts,
)
from tests.test_faults import read_only_wrapper

pytestmark = requires_terminal

HOME = "3 questions in 2 skills"
PRACTICE_BANK = Path(__file__).parent.parent / "fixtures" / "practice"


def answer_question(
    term: Terminal, name: str, number: int, total: int, *, answer: str, grade: str = "3"
) -> None:
    """Hint, write an answer, leave the editor, reveal, rate: one question, as a person does it."""
    # The footer is mounted just after the prompt paints; "i" is checked against it below.
    term.wait_for(name, f"{number}/{total}", "h: hint (2 left)", "space Reveal")
    term.keys(name, "h")
    term.wait_for(name, "h: hint (1 left)")
    term.keys(name, "i")
    term.wait_gone(name, "space Reveal")  # the editor has the focus: the footer hides the keys
    term.type(name, answer)
    term.wait_for(name, answer)
    term.keys(name, "Escape")
    term.wait_for(name, "space Reveal")
    term.keys(name, "Space")
    term.wait_for(name, "Suggested:")
    term.keys(name, grade)
    if number < total:
        term.wait_for(name, f"{number + 1}/{total}")


def rate_question(term: Terminal, name: str, number: int, total: int, grade: str = "3") -> None:
    term.wait_for(name, f"{number}/{total}")
    term.keys(name, "Space")
    term.wait_for(name, "Suggested:")
    term.keys(name, grade)
    if number < total:
        term.wait_for(name, f"{number + 1}/{total}")


def rated(document: dict) -> list[dict]:
    return [a for a in document["attempts"] if a["status"] == "rated"]


@pytest.mark.parametrize(("width", "height"), SIZES, ids=["80x24", "200x50"])
def test_full_practice_session_as_a_new_user(terminal_factory, bank, width, height) -> None:
    term = terminal_factory(width, height)
    term.launch("s", "--bank", "bank", "--db", "h.sqlite3")
    home = term.wait_for("s", HOME, "Network protocols", "Debugging")
    assert "no streak yet" in home
    term.keys("s", "a")  # all skills
    for number in (1, 2, 3):
        answer_question(term, "s", number, 3, answer=f"my answer {number}")
    summary = term.wait_for("s", "Session complete", "3 rated, 0 skipped")
    assert "Coming due next" in summary or width < 100
    term.keys("s", "q")
    term.wait_for("s", "[drillbit exited 0]")

    document = export(term)
    attempts = rated(document)
    assert len(document["sessions"]) == 1
    assert sorted(a["answer"] for a in attempts) == ["my answer 1", "my answer 2", "my answer 3"]
    assert {a["rating"] for a in attempts} == {3}
    assert {a["hints_used"] for a in attempts} == {1}
    assert len(document["cards"]) == 3


def test_kill_9_mid_session_loses_no_rating_and_no_draft(terminal_factory, bank) -> None:
    term = terminal_factory(80, 24)
    term.launch("s", "--bank", "bank", "--db", "h.sqlite3")
    term.wait_for("s", HOME)
    term.keys("s", "a")
    rate_question(term, "s", 1, 3, grade="2")
    rate_question(term, "s", 2, 3, grade="4")
    term.wait_for("s", "3/3", "space Reveal")
    term.keys("s", "i")
    term.wait_gone("s", "space Reveal")
    draft = "half an answer, typed before the crash"
    term.type("s", draft)
    typed_at = time.monotonic()
    # Drafts are saved every 2 s: the draft reaches the disk well within 3 s of typing it.
    db = sqlite3.connect(f"file:{term.cwd / 'h.sqlite3'}?mode=ro", uri=True)
    try:
        while not db.execute(
            "SELECT 1 FROM attempts WHERE status = 'open' AND answer = ?", (draft,)
        ).fetchone():
            assert time.monotonic() - typed_at < 3.5, "the draft was not saved within 3 s"
            time.sleep(0.05)
    finally:
        db.close()
    kill_9(term.drillbit_pid("s"))
    term.wait_for("s", "[drillbit exited 137]")

    document = export(term)
    assert sorted(a["rating"] for a in rated(document)) == [2, 4]
    assert [a["answer"] for a in document["attempts"] if a["status"] == "open"] == [draft]
    # The database opens again (integrity checked on open) and the home screen counts both.
    term.launch("again", "--bank", "bank", "--db", "h.sqlite3")
    term.wait_for("again", HOME)
    term.keys("again", "q")
    term.wait_for("again", "[drillbit exited 0]")


def test_two_terminals_practising_on_one_database(terminal_factory, bank) -> None:
    term = terminal_factory(200, 50)
    for name in ("left", "right"):
        term.launch(name, "--bank", "bank", "--db", "h.sqlite3")
    for name in ("left", "right"):
        term.wait_for(name, HOME)
        term.keys(name, "a")
    for number in (1, 2, 3):
        # Both reveal, then both rate at once: the two writes race for the database.
        for name in ("left", "right"):
            term.wait_for(name, f"{number}/3")
            term.keys(name, "Space")
        for name in ("left", "right"):
            term.wait_for(name, "Suggested:")
        for name, grade in (("left", "3"), ("right", "4")):
            term.keys(name, grade)
    for name in ("left", "right"):
        term.wait_for(name, "Session complete", "3 rated, 0 skipped")
        term.keys(name, "q")
        term.wait_for(name, "[drillbit exited 0]")

    document = export(term)
    assert len(document["sessions"]) == 2
    attempts = rated(document)
    assert len(attempts) == 6
    by_session: dict[int, list[int]] = {}
    for attempt in attempts:
        by_session.setdefault(attempt["session_id"], []).append(attempt["rating"])
    assert sorted(sorted(ratings) for ratings in by_session.values()) == [[3, 3, 3], [4, 4, 4]]


HOSTILE = """\
# yaml-language-server: $schema=schema.json
skill: security
title: Security
description: Escape-hostile text.
questions:
  - id: sec-osc-title
    title: "Innocent \\e]0;PWNED\\a title"
    difficulty: easy
    time: 1m
    prompt: "Clear \\e[2J the screen"
    answer: "x"
  - id: sec-literal
    title: 'Literal \\e]0;not-a-title\\a and ^[[2J'
    difficulty: easy
    time: 1m
    prompt: 'Shown as typed: \\x1b]2;nope\\x07 and [@click=app.quit]bye[/]'
    answer: "y"
"""


@pytest.mark.parametrize(("width", "height"), SIZES, ids=["80x24", "200x50"])
def test_hostile_text_displays_literally_and_fires_nothing(
    terminal_factory, bank, width, height
) -> None:
    (bank / "security.yaml").write_text(HOSTILE, encoding="utf-8")
    term = terminal_factory(width, height)

    # The escape sequences YAML decodes (\e, \a) are refused with file:line:col ...
    done = run_drillbit(term, "validate", "bank")
    assert done.returncode == 1
    lines = [line for line in done.stdout.splitlines() if "security.yaml" in line]
    assert lines == [
        "bank/security.yaml:7:12: error: text contains the control character U+001B"
        " (control character); only tab and newline are allowed",
        "bank/security.yaml:10:13: error: text contains the control character U+001B"
        " (control character); only tab and newline are allowed",
    ]

    # ... and the TUI leaves that question out, with a warning that says where.
    term.launch(
        "s", "practice", "--bank", "bank", "--db", "h.sqlite3", "--skill", "debugging",
        "--skill", "security", "--seed", "1",
    )  # fmt: skip
    toast = term.wait_for_toast("s", "security.yaml:7:12: error: text contains the control")
    assert "Bankproblems" in toasts(toast)
    titles = {"dbg-markup": "[b]Not bold[/b] and list[int]", "sec-literal": "Literal \\e]0;"}
    seen = []
    for number in (1, 2):
        screen = term.wait_for("s", f"{number}/2")
        current = next(qid for qid, title in titles.items() if title in screen)
        seen.append(current)
        if current == "dbg-markup":
            term.wait_for(
                "s",
                "#[red]",
                "The log says [@click=app.quit]x[/]",
                "[link=https://example.com]y[/]",
                "ERROR [b]upstream[/b] list[int] [/]",
            )
            term.keys("s", "h")
            term.wait_for("s", "h: hint (1 left)")
            term.keys("s", "h")
            term.wait_for("s", "[@click=app.quit]quit[/]", "Hint 2: [/]")
            term.wait_gone("s", "h Hint")  # no hints left: the footer shifts left, then settles
            # Clicks do reach the app (the footer's Quit asks to end the session) ...
            term.click("s", "q Quit")
            term.wait_for("s", "End this session?")
            term.keys("s", "n")
            term.wait_gone("s", "End this session?")
            # ... but clicking the would-be links runs nothing: no quit, no browser.
            term.click("s", "[@click=app.quit]quit")
            term.click("s", "[@click=app.quit]x")
            term.click("s", "[link=https://example.com]y")
            term.keys("s", "Space")
            term.wait_for("s", "Suggested:", "[b]x[/b] stays literal")
        else:
            term.wait_for(
                "s", "Literal \\e]0;not-a-title\\a and ^[[2J", "\\x1b]2;nope\\x07 and [@click"
            )
            term.click("s", "[@click=app.quit]bye")
            term.keys("s", "Space")
            term.wait_for("s", "Suggested:")
        assert "[drillbit exited" not in term.screen("s")
        term.keys("s", "3")
    assert sorted(seen) == ["dbg-markup", "sec-literal"]
    term.wait_for("s", "Session complete", "2 rated")
    title = term.title("s")
    assert "PWNED" not in title and "nope" not in title and "not-a-title" not in title
    term.keys("s", "q")
    term.wait_for("s", "[drillbit exited 0]")
    assert {a["question_id"] for a in rated(export(term))} == {"dbg-markup", "sec-literal"}


BROKEN = "  - id: broken-by-the-editor\n    title: [never closed\n"


@pytest.mark.parametrize(("width", "height"), SIZES, ids=["80x24", "200x50"])
def test_yaml_broken_from_the_editor_is_located_and_the_session_goes_on(
    terminal_factory, bank, tmp_path, width, height
) -> None:
    editor = tmp_path / "editor.sh"
    editor.write_text(
        "#!/bin/sh\n# Called as: editor +LINE FILE\nfor last; do :; done\n"
        f"printf '%s' '{BROKEN}' >> \"$last\"\n",
        encoding="utf-8",
    )
    editor.chmod(0o755)
    term = terminal_factory(width, height, EDITOR=str(editor))
    term.launch(
        "s", "practice", "--bank", "bank", "--db", "h.sqlite3", "--skill", "network-protocols"
    )
    term.wait_for("s", "1/2")
    edited = bank / "network-protocols.yaml"
    term.keys("s", "C-e")  # e itself picks option (e) of a choice question
    # The editor runs with the TUI suspended, appends broken YAML, and returns.
    deadline = time.monotonic() + 15
    while not edited.read_text(encoding="utf-8").endswith(BROKEN):
        assert time.monotonic() < deadline, "the editor did not run"
        time.sleep(0.05)
    problem = load_file(edited).problems[0]
    where = f"network-protocols.yaml:{problem.line}:{problem.column}:"
    # In an error notification, and on the status line (partly under the toast at 80x24).
    screen = term.wait_for_toast("s", f"The edited file has problems bank/{where} error: YAML")
    assert f" bank/{where}" in term.wait_for("s", f"bank/{where}")
    assert "[drillbit exited" not in screen
    # The session goes on: both questions of the broken file can still be rated.
    rate_question(term, "s", 1, 2)
    rate_question(term, "s", 2, 2)
    term.wait_for("s", "Session complete", "2 rated")
    term.keys("s", "q")
    term.wait_for("s", "[drillbit exited 0]")
    assert len(rated(export(term))) == 2


def test_read_only_data_directory_is_a_clear_message_at_start(
    terminal_factory, bank, tmp_path
) -> None:
    data = tmp_path / "data"
    data.mkdir()
    wrapper = read_only_wrapper(data)
    if wrapper is None:
        pytest.skip("cannot mount a read-only directory here (no unshare/mount namespace)")
    term = terminal_factory(80, 24)
    term.launch("s", "--bank", "bank", "--db", "data/h.sqlite3", wrapper=wrapper)
    screen = term.wait_for("s", "[drillbit exited 1]")
    assert "drillbit: data/h.sqlite3: cannot open the database" in screen
    assert "Traceback" not in screen
    assert not Path(data / "h.sqlite3").exists()


def test_a_session_with_select_all_and_compare(terminal_factory, bank) -> None:
    """`practice --id` twice: a select-all question answered with three keys (e picks option e,
    it does not open an editor), then a written answer shown beside the model answer."""
    shutil.copytree(PRACTICE_BANK, bank, dirs_exist_ok=True)
    term = terminal_factory(160, 40)
    term.launch(
        "s", "--bank", "bank", "--db", "h.sqlite3", "practice",
        "--id", "mc-multi", "--id", "net-tcp-handshake",
    )  # fmt: skip
    term.wait_for("s", "1/2", "Select all that apply.", "f) [ ] FIN")
    term.keys("s", "b", "d", "e")
    term.wait_for("s", "e) [x] MTU")
    term.keys("s", "e", "f")  # e again takes the wrong pick back
    term.wait_for("s", "e) [ ] MTU", "f) [x] FIN")
    term.keys("s", "Space")
    screen = term.wait_for("s", "Correct.", "Suggested:")
    assert "✓ correct" in screen and "✗" not in screen
    term.keys("s", "3")
    term.wait_for("s", "2/2", "space Reveal")
    term.keys("s", "i")
    # The editor has the focus: the footer hides the keys. Without this wait, "space Reveal"
    # below could still be the old footer, and the space would follow the escape at once.
    term.wait_gone("s", "space Reveal")
    answer = "SYN then SYN-ACK then ACK"
    term.type("s", answer)
    term.wait_for("s", answer)
    term.keys("s", "Escape")
    term.wait_for("s", "space Reveal")  # an escape and a key sent at once read as alt+key
    term.keys("s", "Space")
    screen = term.wait_for("s", "Model answer", "Suggested:")
    rows = screen.splitlines()
    mine = next(n for n, line in enumerate(rows) if answer in line)
    theirs = next(n for n, line in enumerate(rows) if "Model answer" in line)
    assert abs(mine - theirs) <= 2, screen  # side by side, not one above the other
    assert rows[theirs].index("Model answer") > rows[mine].index(answer) + len(answer)
    term.keys("s", "4")
    term.wait_for("s", "Session complete", "2 rated, 0 skipped")
    term.keys("s", "q")
    term.wait_for("s", "[drillbit exited 0]")
    attempts = {a["question_id"]: a for a in rated(export(term))}
    assert attempts["mc-multi"]["auto_grade"] in (1, True)
    assert attempts["net-tcp-handshake"]["answer"] == answer


CODING_FIXTURE = Path(__file__).parent.parent / "fixtures" / "coding" / "problem-solving.yaml"


def test_a_coding_exercise_run_fixed_revealed_and_rated(terminal_factory, bank) -> None:
    """The trust question for a bank that is not bundled, a failing run of the starter, a fix
    typed into the editor, a passing run, the reference beside the code, a rating; both runs
    are in the history with their code."""
    shutil.copy(CODING_FIXTURE, bank / "problem-solving.yaml")
    term = terminal_factory(160, 40)
    term.launch(
        "s", "--bank", "bank", "--db", "h.sqlite3", "practice", "--id", "ps-code-parse-port"
    )  # fmt: skip
    term.wait_for("s", "1/1", "[Python]", "^r Run tests")
    term.keys("s", "C-r")
    term.wait_for("s", "Run code from this bank?", "Trust and run (y)")
    term.keys("s", "y")
    term.wait_for("s", "0 of 5 tests passed", "test_rejects_a_sign")
    term.keys("s", "i")
    term.wait_gone("s", "space Reveal")  # the editor has the focus
    fix = (
        "def parse_port(text): return int(text) if text.isdigit() and 0 < int(text) < 65536"
        ' else int("no")'
    )
    term.keys("s", "F7")  # select all, then delete it: wait until the starter is gone, so
    term.keys("s", "BSpace")  # no typed key follows the F7 sequence before it is read
    term.wait_gone("s", "raise NotImplementedError")
    term.type("s", fix)
    term.wait_for("s", 'else int("no")')
    term.keys("s", "C-r")  # from inside the editor
    term.wait_for("s", "all 5 tests passed")
    term.keys("s", "Escape")
    term.wait_for("s", "space Reveal")
    term.keys("s", "Space")
    screen = term.wait_for("s", "Reference solution (Python)", "Suggested: Easy")
    rows = screen.splitlines()
    mine = next(n for n, line in enumerate(rows) if "def parse_port(text): return" in line)
    assert "Reference solution" in "".join(rows[max(0, mine - 12) : mine + 12])
    term.keys("s", "4")
    term.wait_for("s", "Session complete")
    term.keys("s", "q")
    term.wait_for("s", "[drillbit exited 0]")
    document = export(term)
    (attempt,) = rated(document)
    assert attempt["answer"] == fix and attempt["language"] == "python"
    runs = sorted(document["code_runs"], key=lambda run: run["id"])
    assert [(r["status"], r["passed"], r["total"]) for r in runs] == [
        ("failed", 0, 5),
        ("passed", 5, 5),
    ]
    assert runs[1]["code"] == fix
