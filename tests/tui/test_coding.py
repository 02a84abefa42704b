"""Pilot tests of a coding exercise on the question screen (issue 14 section 3), by keyboard
alone: write, run, see a failure, fix, pass, reveal, compare, rate; the language switch, a
cancelled run, a compile error and the trust question for a bank that is not bundled.

The runs are real (the runner on the fixture exercise); the tests wait for the run's message,
never for a time.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from app.bank.loader import load_file
from app.coding.trust import decision, remember
from app.practice.coding import available_languages
from app.practice.request import PracticeRequest
from app.store.db import Store
from app.tui.app import DrillbitApp
from app.tui.screens.question import QuestionScreen
from app.tui.screens.trust import TrustScreen
from app.tui.widgets.answer import AnswerEditor
from app.tui.widgets.coding import CodeEditor, CodingPanel, RunResults
from tests.coding_support import shared_go_cache  # noqa: F401  (an autouse fixture)
from tests.tui.conftest import wait_loaded
from tests.tui.test_question import screen_text

BANK = Path(__file__).parent.parent / "fixtures" / "coding" / "problem-solving.yaml"
QUESTION = load_file(BANK).questions[0][0]
ID = QUESTION.id
assert QUESTION.code is not None
PYTHON = QUESTION.code.languages["python"]


@pytest.fixture
def make(tmp_path: Path, clock):
    def make(*, trusted: bool | None = True) -> DrillbitApp:
        if trusted is not None:
            remember(BANK, trusted)
        return DrillbitApp(
            [BANK], tmp_path / "h.sqlite3", practice=PracticeRequest(ids=(ID,)), clock=clock
        )

    return make


async def wait_run(app: DrillbitApp, pilot) -> None:
    """Wait for the current run to end and its result to be shown, never for a time."""
    coding = app.screen.session.current.coding
    assert await asyncio.to_thread(coding.wait, 60) is not None
    for _ in range(100):
        await pilot.pause()
        if not app.screen.query_one(RunResults).running:
            break


def results_text(app: DrillbitApp) -> str:
    results = app.screen.query_one(RunResults)
    return "\n".join(
        str(results.get_option_at_index(n).prompt) for n in range(results.option_count)
    )


async def type_code(pilot, app: DrillbitApp, code: str) -> None:
    """Replace the editor's code by keyboard: select all, then type (one line of code)."""
    editor = app.screen.query_one(CodeEditor)
    assert editor.has_focus and not editor.read_only
    await pilot.press("f7", *(KEYS.get(c, c) for c in code))


KEYS = {" ": "space", "\n": "enter"}
FIX = (
    "def parse_port(text): return int(text) if text.isdigit() and 0 < int(text) < 65536"
    ' else int("no")'
)


async def test_write_run_fail_fix_pass_reveal_compare_rate(make, tmp_path: Path) -> None:
    app = make()
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_loaded(app, pilot)
        screen = app.screen
        assert isinstance(screen, QuestionScreen)
        assert not screen.query_one(AnswerEditor).display
        editor = screen.query_one(CodeEditor)
        assert editor.text == PYTHON.starter and editor.language == "python"
        assert "[Python]" in screen_text(app)

        # The starter fails: ctrl+r from inside the editor runs the tests.
        await pilot.press("i")
        assert editor.has_focus
        await pilot.press("ctrl+r")
        await wait_run(app, pilot)
        shown = results_text(app)
        assert shown.startswith("0 of 5 tests passed")
        assert "! test_parses_a_plain_port\nNotImplementedError" in shown  # an error, not a fail

        # Fix it by keyboard and run again: every test passes.
        await type_code(pilot, app, FIX)
        assert editor.text == FIX
        await pilot.press("ctrl+r")
        await wait_run(app, pilot)
        shown = results_text(app)
        assert "✓ test_rejects_a_sign" in shown and "✗" not in shown, shown

        # Leave the editor, reveal: the candidate's code beside the reference and explanation.
        await pilot.press("escape", "space")
        await pilot.pause()
        text = screen_text(app)
        assert "Reference solution (Python)" in text and "Explanation" in text
        assert "isascii" in text  # the reference, shown next to the code typed above
        panel, reveal = screen.query_one(CodingPanel), screen.query_one("#q-reveal")
        assert panel.region.x < reveal.region.x and panel.region.y == reveal.region.y
        assert "Suggested: Easy (tests 5/5" in text
        await pilot.press("4")
        await pilot.pause()

    with Store(tmp_path / "h.sqlite3") as store:
        attempt = store.attempts()[-1]
        assert attempt.rating == 4 and attempt.language == "python"
        runs = store.code_runs(attempt.id)
        assert [(r.status, r.passed, r.total) for r in runs] == [("failed", 0, 5), ("passed", 5, 5)]
        assert runs[0].code == PYTHON.starter and runs[1].code == FIX
        assert attempt.answer == runs[1].code


LANGUAGES = available_languages(QUESTION)


@pytest.mark.skipif(len(LANGUAGES) < 2, reason="only one of the exercise's toolchains here")
async def test_the_language_switch_keeps_code_per_language_and_drafts_say_which(
    make, tmp_path: Path
) -> None:
    app = make()
    async with app.run_test(size=(100, 40)) as pilot:
        await wait_loaded(app, pilot)
        editor = app.screen.query_one(CodeEditor)
        await pilot.press("i", "f7", *"# mine")
        assert editor.text == "# mine"
        await pilot.press("ctrl+l")  # from inside the editor
        second = LANGUAGES[1]
        assert editor.language == second
        assert editor.text == QUESTION.code.languages[second].starter
        assert f"[{second.capitalize()}]" in screen_text(app)
        await app.workers.wait_for_complete()  # the switch saved the draft in its language
        with Store(tmp_path / "h.sqlite3") as store:
            assert store.last_code_draft(ID) == (editor.text, second)
        for _ in LANGUAGES[1:]:
            await pilot.press("ctrl+l")
        assert (editor.language, editor.text) == ("python", "# mine")


async def test_a_run_is_cancelled_by_its_key_or_escape(make) -> None:
    app = make()
    async with app.run_test(size=(100, 40)) as pilot:
        await wait_loaded(app, pilot)
        await pilot.press("i")
        await type_code(pilot, app, "def parse_port(text): [0 for _ in iter(int, 1)]")
        # In the editor, the run key again cancels; outside it, escape does.
        for keys, cancel in ((("ctrl+r",), "ctrl+r"), (("escape", "ctrl+r"), "escape")):
            await pilot.press(*keys)
            coding = app.screen.session.current.coding
            assert coding.running and "Running the Python tests" in results_text(app)
            assert app.screen.query_one(CodeEditor).text.startswith("def")  # nothing blocked
            await pilot.press(cancel)
            await wait_run(app, pilot)
            assert coding.last_result.status == "cancelled"
            assert results_text(app).lower().startswith("cancelled"), results_text(app)


async def test_a_compile_error_points_at_its_line(make) -> None:
    app = make()
    async with app.run_test(size=(100, 40)) as pilot:
        await wait_loaded(app, pilot)
        editor = app.screen.query_one(CodeEditor)
        await pilot.press("i")
        await type_code(pilot, app, "PORT = 1\n\ndef parse_port(text) return PORT")
        editor.cursor_location = (0, 0)
        await pilot.press("ctrl+r")
        await wait_run(app, pilot)
        shown = results_text(app)
        assert "your code, line 3" in shown and "SyntaxError" in shown, shown
        assert editor.cursor_location[0] == 2  # moved to the error's line
        # Enter on the error in the results (reached by keyboard) moves there again.
        editor.cursor_location = (0, 0)
        await pilot.press("escape", "tab")
        results = app.screen.query_one(RunResults)
        while not results.has_focus:
            await pilot.press("tab")
        await pilot.press("end", "enter")
        assert editor.cursor_location[0] == 2 and editor.has_focus


async def test_output_with_markup_is_shown_as_text(make) -> None:
    app = make()
    async with app.run_test(size=(100, 40)) as pilot:
        await wait_loaded(app, pilot)
        await pilot.press("i")
        await type_code(pilot, app, 'def parse_port(text): return "[/] [bold]x"')
        await pilot.press("ctrl+r")
        await wait_run(app, pilot)
        assert "'[/] [bold]x' != 443" in results_text(app)
        assert "[/] [bold]x" in screen_text(app)


async def test_a_bank_not_bundled_asks_once_before_its_first_run(make) -> None:
    app = make(trusted=None)
    async with app.run_test(size=(100, 40)) as pilot:
        await wait_loaded(app, pilot)
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert isinstance(app.screen, TrustScreen)
        assert str(BANK.resolve()) in screen_text(app)
        await pilot.press("n")
        await pilot.pause()
        coding = app.screen.session.current.coding
        assert not coding.running and not coding.results
        assert decision(BANK) is False
        await pilot.press("ctrl+r")  # remembered: not asked again, not run
        await pilot.pause()
        assert isinstance(app.screen, QuestionScreen) and not coding.running
        assert "You said no" in list(app._notifications)[-1].message


async def test_trusting_a_bank_runs_and_is_remembered(make) -> None:
    app = make(trusted=None)
    async with app.run_test(size=(100, 40)) as pilot:
        await wait_loaded(app, pilot)
        await pilot.press("ctrl+r")
        await pilot.pause()
        await pilot.press("y")
        await wait_run(app, pilot)
        assert decision(BANK) is True
        assert results_text(app).startswith("0 of 5 tests passed")
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert isinstance(app.screen, QuestionScreen)
        await wait_run(app, pilot)
        assert len(app.screen.session.current.coding.results) == 2


@pytest.mark.skipif("go" not in LANGUAGES, reason="go is not installed")
async def test_unsaved_code_comes_back_in_its_language(make, tmp_path: Path, clock) -> None:
    """After a kill -9 the attempt stays open with its last draft: the next session opens the
    editor at that code, in that language."""
    code = "package solution\n\n// where I was\n"
    with Store(tmp_path / "h.sqlite3") as store:
        session = store.start_session("auto", now=clock.now())
        attempt = store.start_attempt(
            session, ID, "problem-solving", QUESTION.content_hash, 900, now=clock.now()
        )
        store.save_draft(attempt, code, 1000, 0, language="go")
    app = make()
    async with app.run_test(size=(100, 40)) as pilot:
        await wait_loaded(app, pilot)
        editor = app.screen.query_one(CodeEditor)
        assert (editor.text, editor.language) == (code, "go")
        assert "[Go]" in screen_text(app)


@pytest.mark.skipif("rust" not in LANGUAGES, reason="rustc is not installed")
async def test_a_rust_compile_error_names_the_line_in_the_candidates_code(make) -> None:
    app = make()
    async with app.run_test(size=(100, 40)) as pilot:
        await wait_loaded(app, pilot)
        editor = app.screen.query_one(CodeEditor)
        while editor.language != "rust":
            await pilot.press("ctrl+l")
        await pilot.press("i")
        await type_code(
            pilot, app, "// mine\npub fn parse_port(_s: &str) -> Result<u16, String> { Ok(1u32) }"
        )
        await pilot.press("ctrl+r")
        await wait_run(app, pilot)
        shown = results_text(app)
        assert shown.startswith("does not compile") or "compile" in shown.split("\n")[0], shown
        assert "your code, line 2" in shown, shown
        assert editor.cursor_location[0] == 1


async def test_the_bundled_bank_runs_without_asking(tmp_path: Path, clock) -> None:
    from app.paths import bundled_bank

    app = DrillbitApp(
        [bundled_bank()],
        tmp_path / "h.sqlite3",
        practice=PracticeRequest(ids=("ps-code-maintenance-windows",)),
        clock=clock,
    )
    async with app.run_test(size=(100, 40)) as pilot:
        await wait_loaded(app, pilot)
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert isinstance(app.screen, QuestionScreen)
        await wait_run(app, pilot)
        assert app.screen.session.current.coding.last_result.status == "failed"


async def test_writing_code_gives_the_editor_the_prompts_room(make) -> None:
    """On a small terminal the prompt gives up room while the code editor has the focus, and
    takes it back on escape (the prompt still scrolls)."""
    app = make()
    async with app.run_test(size=(80, 18)) as pilot:
        await wait_loaded(app, pilot)
        editor = app.screen.query_one(CodeEditor)
        prompt = app.screen.query_one("#q-question")
        reading = editor.region.height, prompt.region.height
        await pilot.press("i")
        await pilot.pause()
        assert editor.region.height > reading[0] and prompt.region.height < reading[1]
        await pilot.press("escape")
        await pilot.pause()
        assert (editor.region.height, prompt.region.height) == reading
