"""Pilot tests of the question screen's promises (issue 13 section 3, issue 17 items 5 and 6)."""

from __future__ import annotations

import re
import sqlite3
from html import unescape
from pathlib import Path

import pytest
from textual.widgets import TextArea

from app.clock import FakeClock
from app.practice.planner import Filters
from app.practice.request import PracticeRequest
from app.practice.scheduler import Grade
from app.practice.session import PracticeSession
from app.store.db import Store
from app.tui.app import DrillbitApp
from app.tui.screens.confirm import ConfirmScreen
from app.tui.screens.home import HomeScreen
from app.tui.screens.question import QuestionScreen
from app.tui.screens.setup import SetupScreen
from app.tui.screens.summary import SummaryScreen
from app.tui.screens.too_small import TooSmallScreen
from app.tui.widgets.answer import AnswerEditor
from app.tui.widgets.keybar import KeyBar
from app.tui.widgets.reveal import RatingBar, Reveal, RubricChecklist
from tests.conftest import FIXTURE_BANK
from tests.tui.conftest import wait_loaded

PRACTICE_BANK = Path(__file__).parent.parent / "fixtures" / "practice"


@pytest.fixture
def make(tmp_path: Path, clock: FakeClock):
    def make(request: PracticeRequest | None = None) -> DrillbitApp:
        return DrillbitApp(
            [FIXTURE_BANK, PRACTICE_BANK], tmp_path / "h.sqlite3", practice=request, clock=clock
        )

    return make


def screen_text(app: DrillbitApp) -> str:
    """What the terminal shows, as one string with runs of white space made single."""
    svg = app.export_screenshot()
    rows: dict[float, list[tuple[float, str]]] = {}
    for x, y, text in re.findall(r'<text [^>]*x="([\d.]+)" y="([\d.]+)"[^>]*>([^<]*)</text>', svg):
        rows.setdefault(float(y), []).append((float(x), unescape(text)))
    lines = ["".join(t for _, t in sorted(row)) for _, row in sorted(rows.items())]
    return re.sub(r"\s+", " ", " ".join(lines).replace("\xa0", " "))


def ids(*question_ids: str) -> PracticeRequest:
    return PracticeRequest(ids=question_ids)


async def test_select_all_takes_several_picks_and_grades_the_set(make) -> None:
    """Six options, each with its key (e picks option e, it does not open the editor); the
    reveal marks right, wrong and missed options and says so."""
    app = make(ids("mc-multi"))
    async with app.run_test(size=(100, 40)) as pilot:
        await wait_loaded(app, pilot)
        assert "select all that apply" in screen_text(app).lower()
        await pilot.press("b", "d", "e")
        session = app.screen.session
        assert session.current.picked == {1, 3, 4} and not session.current.revealed
        await pilot.press("space")
        await pilot.pause()
        text = screen_text(app)
        assert "1 right" not in text and "2 right, 1 wrong, 1 missing" in text
        assert "✗ wrong" in text and "✓ correct (missed)" in text
        assert app.screen.query_one(RatingBar).suggested == Grade.AGAIN


async def test_a_single_pick_reveals_and_no_pick_suggests_again(make) -> None:
    app = make(ids("net-quick-port", "net-quick-port"))
    async with app.run_test(size=(100, 40)) as pilot:
        await wait_loaded(app, pilot)
        await pilot.press("space")
        await pilot.pause()
        assert app.screen.query_one(RatingBar).suggested == Grade.AGAIN


@pytest.mark.parametrize(("width", "side_by_side"), [(80, False), (160, True)])
async def test_compare_keeps_the_answer_beside_or_above_the_model_answer(
    make, width: int, side_by_side: bool
) -> None:
    app = make(ids("net-tcp-handshake"))
    async with app.run_test(size=(width, 24 if width == 80 else 40)) as pilot:
        await wait_loaded(app, pilot)
        editor = app.screen.query_one(AnswerEditor)
        answering_height = editor.region.height
        await pilot.press("i", *"SYN then ACK", "escape", "space")
        await pilot.pause()
        reveal = app.screen.query_one(Reveal)
        assert editor.region.height >= 3 and reveal.region.height >= 3
        assert editor.text == "SYN then ACK"
        prompt_room = str(app.screen.query_one("#q-question").styles.max_height)
        if side_by_side:
            assert editor.region.right <= reveal.region.x and editor.region.y == reveal.region.y
            assert editor.region.height >= answering_height - 1  # the answer keeps its room
            assert prompt_room == "45h"  # the prompt stays where it was
        else:
            assert editor.region.bottom <= reveal.region.y
            assert prompt_room == "30h"  # stacked, the prompt gives up room to the two
        assert "SYN then ACK" in screen_text(app) and "Model answer" in screen_text(app)
        # Page keys and arrows scroll the reveal; typing into the answer needs i.
        await pilot.press("pagedown", "x", "space")
        await pilot.pause()
        assert editor.text == "SYN then ACK"
        assert reveal.scroll_y > 0 or reveal.max_scroll_y == 0


async def test_wide_artefacts_and_long_rubric_points_are_whole_at_80_columns(make) -> None:
    app = make(ids("wide-artefact"))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_loaded(app, pilot)
        text = screen_text(app)
        assert "= -1 EMFILE (Too many open files) TAIL-MARKER-END" in text
        await pilot.resize_terminal(80, 60)  # room for the whole rubric; the width stays
        await pilot.press("space", "t")
        await pilot.pause()
        assert (
            "keeps its backlog filling up while the process cannot take connections from it"
            in screen_text(app)
        )


async def test_rubric_points_are_ticked_from_the_keyboard(make) -> None:
    app = make(ids("net-tcp-handshake"))
    async with app.run_test(size=(100, 40)) as pilot:
        await wait_loaded(app, pilot)
        await pilot.press("space", "t")
        rubric = app.screen.query_one(RubricChecklist)
        assert app.focused is rubric and rubric.highlighted == 0
        await pilot.press("space", "down", "down", "space")
        await pilot.pause()
        assert app.screen.session.current.ticked == {0, 2}
        assert "rubric 75%" in screen_text(app)
        await pilot.press("3")
        await pilot.pause()
        assert app.store.attempts()[0].rubric_ticked == (0, 2)


async def test_pause_stops_clocks_hints_and_typing_until_resumed(make, clock) -> None:
    app = make(ids("net-tcp-handshake"))
    async with app.run_test(size=(100, 40)) as pilot:
        await wait_loaded(app, pilot)
        screen = app.screen
        await pilot.press("p")
        clock.advance(120)
        await pilot.press("h", "i", "a", "space")
        item = screen.session.current
        assert item.hints_used == 0 and item.answer == "" and not item.revealed
        assert "paused" in screen_text(app)
        await pilot.press("p", "h")
        assert item.hints_used == 1 and screen.session.remaining().total_seconds() == 300


async def test_a_draft_left_by_a_crash_is_back_in_the_editor(make, tmp_path, clock) -> None:
    bank_app = make()
    async with bank_app.run_test() as pilot:
        await wait_loaded(bank_app, pilot)
        bank = bank_app.bank
    with Store(tmp_path / "h.sqlite3") as store:
        entry = next(e for e in bank.index() if e.id == "net-tcp-handshake")
        crashed = PracticeSession(bank, store, clock, [entry], mode="new")
        crashed.set_answer("typed before kill -9")
        crashed.save_draft()
    app = make(ids("net-tcp-handshake"))
    async with app.run_test(size=(100, 40)) as pilot:
        await wait_loaded(app, pilot)
        assert app.screen.query_one(TextArea).text == "typed before kill -9"
        assert any("back in the editor" in str(n.message) for n in app._notifications)


async def test_a_new_session_from_the_palette_asks_and_closes_the_old_one(make, tmp_path) -> None:
    app = make(ids("net-tcp-handshake"))
    async with app.run_test(size=(100, 40)) as pilot:
        await wait_loaded(app, pilot)
        old = app.screen.session
        await pilot.press("i", *"kept", "escape")
        app.start_practice(PracticeRequest(ids=("dbg-markup",)))
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        assert app.session is old and not old.finished
        app.start_practice(PracticeRequest(ids=("dbg-markup",)))
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        assert old.finished and isinstance(app.screen, QuestionScreen)
        assert app.screen.session.current.entry.id == "dbg-markup"
        db = sqlite3.connect(tmp_path / "h.sqlite3")
        ended = db.execute("SELECT count(*) FROM sessions WHERE ended_at IS NOT NULL").fetchone()
        answer = db.execute("SELECT status, answer FROM attempts ORDER BY id LIMIT 1").fetchone()
        assert ended == (1,) and answer == ("skipped", "kept")


async def test_every_exit_closes_the_session_with_the_answer(make, tmp_path) -> None:
    """app.exit() is what q, the palette's quit and the CLI's signal handlers call."""
    app = make(ids("net-tcp-handshake"))
    async with app.run_test(size=(100, 40)) as pilot:
        await wait_loaded(app, pilot)
        await pilot.press("i", *"typed just now")
        app.exit()
    db = sqlite3.connect(tmp_path / "h.sqlite3")
    assert db.execute("SELECT ended_at IS NOT NULL FROM sessions").fetchall() == [(1,)]
    assert db.execute("SELECT status, answer FROM attempts").fetchall() == [
        ("skipped", "typed just now")
    ]


async def test_practice_by_id_and_an_unknown_id_is_a_usage_error(make) -> None:
    app = make(ids("dbg-markup", "net-quick-port"))
    async with app.run_test(size=(100, 40)) as pilot:
        await wait_loaded(app, pilot)
        assert [e.id for e in app.screen.session.entries] == ["dbg-markup", "net-quick-port"]
    app = make(ids("no-such-question"))
    async with app.run_test(size=(100, 40)) as pilot:
        for _ in range(50):
            if app.fatal_error:
                break
            await pilot.pause()
    assert app.fatal_code == 2 and "no-such-question" in (app.fatal_error or "")


async def test_too_small_says_so_and_resizing_back_restores_the_session(make) -> None:
    app = make(ids("net-tcp-handshake"))
    async with app.run_test(size=(40, 10)) as pilot:
        await wait_loaded(app, pilot)
        await pilot.pause()
        assert isinstance(app.screen, TooSmallScreen)
        assert "Make the terminal larger" in screen_text(app)
        await pilot.resize_terminal(100, 30)
        await pilot.pause()
        assert isinstance(app.screen, QuestionScreen)


@pytest.mark.parametrize("editor", ['vim "', "/nonexistent/editor", "/tmp", "/no such/dir/vim"])
async def test_a_bad_editor_is_one_line_and_the_session_goes_on(
    make, monkeypatch, editor: str
) -> None:
    monkeypatch.setenv("EDITOR", editor)
    monkeypatch.delenv("VISUAL", raising=False)
    app = make(ids("net-tcp-handshake"))
    async with app.run_test(size=(100, 40)) as pilot:
        await wait_loaded(app, pilot)
        await pilot.press("ctrl+e")
        await pilot.pause()
        assert isinstance(app.screen, QuestionScreen) and app.is_running
        (notice,) = [n for n in app._notifications if n.title == "Cannot open the editor"]
        assert "\n" not in notice.message


async def test_markup_in_every_text_field_is_shown_literally_on_every_screen(make) -> None:
    """Skill, question, option, hint, rubric, loop and round titles all carry markup that
    would crash Textual ([/]) or act ([@click=app.quit]); every screen shows it as text."""
    app = make()
    async with app.run_test(size=(120, 50)) as pilot:
        await wait_loaded(app, pilot)
        assert isinstance(app.screen, HomeScreen)
        assert "[@click=app.quit]Choices[/] and [/]" in screen_text(app)
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, SetupScreen)
        app.screen.query_one("#setup-mode").value = "loop:hostile"
        await pilot.pause()
        assert "[@click=app.quit]Round[/] one" in screen_text(app)
        await pilot.press("escape")
        app.start_practice(PracticeRequest(loop="hostile", seed=1))
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, QuestionScreen)
        assert "[@click=app.quit]Round[/] one" in screen_text(app)
        await pilot.press("n")  # the round's review, announced with its title
        await pilot.pause()
        await pilot.press("3")  # the next round, announced with its title
        await pilot.pause()
        messages = " ".join(f"{n.title} {n.message}" for n in app._notifications)
        assert "[@click=app.quit]Round[/] one" in messages and "[/]Round two" in messages
        app.start_practice(PracticeRequest(ids=("dbg-markup",)))
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        await pilot.press("h", "h", "space")
        await pilot.pause()
        text = screen_text(app)
        assert "[b]Not bold[/b] and list[int]" in text and "[@click=app.quit]quit[/]" in text
        await pilot.press("3")
        await pilot.pause()
        assert isinstance(app.screen, SummaryScreen)
        assert "[b]Not bold[/b] and list[int]" in screen_text(app)
        await pilot.press("s")
        await pilot.pause()
        assert "[@click=app.quit]Choices[/] and [/]" in screen_text(app)
        await pilot.click("#stats-title")
        assert app.is_running


async def test_the_quick_session_of_all_skills_mixes_skills(make) -> None:
    app = make(PracticeRequest(mode="new", filters=Filters(), count=3))
    async with app.run_test(size=(100, 40)) as pilot:
        await wait_loaded(app, pilot)
        assert len({e.skill for e in app.screen.session.entries}) == 3


async def test_a_click_on_a_rating_rates_and_a_click_on_a_key_presses_it(make) -> None:
    app = make(ids("net-tcp-handshake", "net-quick-port"))
    async with app.run_test(size=(100, 40)) as pilot:
        await wait_loaded(app, pilot)
        screen = app.screen
        bar = screen.query_one(KeyBar)
        await pilot.pause()
        reveal_key = str(bar.render()).index("Reveal")
        await pilot.click(KeyBar, offset=(reveal_key, 0))
        await pilot.pause()
        assert screen.session.current.revealed
        rating = screen.query_one(RatingBar)
        hard = str(rating.render()).index("Hard")
        # The line is centred in the bar: click where "Hard" is drawn.
        left = (rating.size.width - len(str(rating.render()))) // 2
        await pilot.click(RatingBar, offset=(left + hard, 0))
        await pilot.pause()
        attempts = app.store.attempts()
        assert [(a.question_id, a.rating) for a in attempts] == [("net-tcp-handshake", 2)]


async def test_the_key_bar_follows_a_change_of_theme(make) -> None:
    app = make(ids("net-tcp-handshake"))
    async with app.run_test(size=(100, 40)) as pilot:
        await wait_loaded(app, pilot)
        bar = app.screen.query_one(KeyBar)

        def key_colour() -> object:
            return bar.render().spans[0].style.foreground  # the first key's colour

        before = key_colour()
        await pilot.press("ctrl+t")
        await pilot.pause()
        assert key_colour() != before


async def test_every_rating_shows_at_the_narrowest_width(make) -> None:
    app = make(ids("net-tcp-handshake"))
    async with app.run_test(size=(60, 30)) as pilot:
        await wait_loaded(app, pilot)
        await pilot.press("space")
        await pilot.pause()
        line = str(app.screen.query_one(RatingBar).render())
        assert all(label in line for label in ("1 Again", "2 Hard", "3 Good", "4 Easy"))
        assert len(line) <= 60


@pytest.mark.parametrize("dark", [True, False])
def test_rendered_markdown_paints_no_background_of_its_own(dark: bool) -> None:
    """Rich paints code on black by default; here the theme's background shows through."""
    from app.tui.widgets.rendered import render_markdown

    lines = render_markdown("Run `ls`:\n\n```\nls -l\n```\n\n```python\nx = 1\n```", 30, dark)
    styles = [segment.style for line in lines for segment in line if segment.style]
    assert any(style.bold for style in styles)  # inline code still stands out
    assert all(style.bgcolor is None for style in styles)


async def test_the_prompt_and_the_model_answer_can_be_selected_and_copied(make) -> None:
    app = make(ids("wide-artefact"))
    async with app.run_test(size=(80, 30)) as pilot:
        await wait_loaded(app, pilot)
        prompt = app.screen.query_one("#q-prompt")
        prompt.text_select_all()
        await pilot.pause()  # painted with the selection
        selected = app.screen.get_selected_text()
        assert selected is not None
        assert "strace -f -p 4242" in selected
        assert "TAIL-MARKER-END" in selected  # the wrapped artefact's last line too
        # A drag over part of the first line selects just that part.
        from textual.geometry import Offset
        from textual.selection import Selection

        app.screen.selections = {prompt: Selection(Offset(4, 0), Offset(11, 0))}
        await pilot.pause()
        assert app.screen.get_selected_text() == "service"
        await pilot.press("space")
        await pilot.pause()
        app.screen.clear_selection()
        app.screen.query_one("#q-model-answer").text_select_all()
        await pilot.pause()
        assert "ran out of file descriptors" in (app.screen.get_selected_text() or "")
