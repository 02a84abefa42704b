"""Pilot tests of the whole practice flow, with the fixture bank, a tmp database and a fixed clock."""

from __future__ import annotations

import gc

import pytest
from textual import events
from textual.widgets import SelectionList, Static, TextArea

from app.practice.planner import Filters
from app.practice.scheduler import Grade
from app.practice.session import Phase
from app.store.db import StoreError
from app.tui.app import DrillbitApp, PracticeRequest
from app.tui.preload import Preload
from app.tui.screens.home import HomeScreen
from app.tui.screens.question import QuestionScreen
from app.tui.screens.summary import SummaryScreen
from app.tui.widgets.rendered import RenderedMarkdown
from app.tui.widgets.reveal import RatingBar
from tests.conftest import FIXTURE_BANK
from tests.tui.conftest import wait_loaded

NET_ONLY = Filters(("network-protocols",))


def text_of(screen, selector: str) -> str:
    return str(screen.query_one(selector, Static).render())


async def test_home_shows_the_bank_at_a_glance(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_loaded(app, pilot)
        assert isinstance(app.screen, HomeScreen)
        assert "3 questions in 2 skills" in text_of(app.screen, "#home-status")


async def test_full_flow_hint_reveal_tick_rate_next_summary(make_app, clock) -> None:
    app = make_app(PracticeRequest(mode="new", filters=NET_ONLY, seed=3))
    async with app.run_test(size=(100, 40)) as pilot:
        await wait_loaded(app, pilot)
        screen = app.screen
        assert isinstance(screen, QuestionScreen)
        session = screen.session
        # Make the order deterministic for the assertions: handshake first.
        first = session.current
        if first.entry.id != "net-tcp-handshake":
            await pilot.press("a")  # the quick-fire one: pick "80", wrong
            await pilot.pause()
            await pilot.press("1")
            await pilot.pause()
        assert session.current.entry.id == "net-tcp-handshake"
        await pilot.press("h")
        assert session.current.hints_used == 1
        assert "Think about sequence numbers." in text_of(screen, "#q-hints")
        await pilot.press("i", "S", "Y", "N")
        await pilot.press("escape")
        assert session.current.answer == "SYN"
        clock.advance(60)
        await pilot.press("space")
        await pilot.pause()
        assert session.current.revealed
        assert screen.query_one("#q-reveal").display
        rubric = screen.query_one("#q-rubric", SelectionList)
        rubric.select(0)
        rubric.select(1)
        await pilot.pause()
        # 3 of 4 weight points = 75%: Good, and one hint does not cap below Good.
        assert session.suggestion().grade == Grade.GOOD
        assert screen.query_one(RatingBar).suggested == Grade.GOOD
        assert "Good · 2d" in str(screen.query_one(RatingBar).render())
        await pilot.press("3")
        await pilot.pause()
        # The rating is in the database already, before the session ends.
        attempts = app.store.attempts()
        handshake = next(a for a in attempts if a.question_id == "net-tcp-handshake")
        assert handshake.rating == 3 and handshake.answer == "SYN" and handshake.hints_used == 1
        assert handshake.rubric_ticked == (0, 1) and handshake.rubric_coverage == 0.75
        assert handshake.time_spent_ms == 60_000
        if not session.finished:
            await pilot.press("a", "1")
            await pilot.pause()
        assert isinstance(app.screen, SummaryScreen)
        table = app.screen.query_one("#summary-questions")
        assert table.row_count == 2


async def test_choice_question_is_graded_automatically(make_app) -> None:
    app = make_app(PracticeRequest(mode="new", filters=Filters(tags=("http",))))
    async with app.run_test(size=(100, 40)) as pilot:
        await wait_loaded(app, pilot)
        screen = app.screen
        await pilot.press("b")
        await pilot.pause()
        item = screen.session.current
        assert item.revealed and item.auto_grade is True
        assert screen.query_one(RatingBar).suggested == Grade.EASY
        await pilot.press("4")
        await pilot.pause()
        assert app.store.attempts()[0].auto_grade is True


async def test_overtime_keeps_counting(make_app, clock) -> None:
    app = make_app(PracticeRequest(mode="new", filters=Filters(tags=("tcp",))))
    async with app.run_test(size=(100, 40)) as pilot:
        await wait_loaded(app, pilot)
        screen = app.screen
        clock.advance(5 * 60 + 75)
        screen.tick()
        countdown = screen.query_one("#q-countdown", Static)
        assert countdown.has_class("-overtime")
        assert str(countdown.render()) == "+01:15 over"
        # Overtime caps the suggestion even with a full rubric.
        await pilot.press("space")
        await pilot.pause()
        screen.query_one("#q-rubric", SelectionList).select_all()
        await pilot.pause()
        assert screen.session.suggestion().grade == Grade.GOOD


async def test_pause_stops_the_question_clock(make_app, clock) -> None:
    app = make_app(PracticeRequest(mode="new", filters=Filters(tags=("tcp",))))
    async with app.run_test(size=(100, 40)) as pilot:
        await wait_loaded(app, pilot)
        screen = app.screen
        clock.advance(10)
        await pilot.press("p")
        clock.advance(600)
        await pilot.press("p")
        clock.advance(5)
        assert screen.session.remaining().total_seconds() == 300 - 15


async def test_undo_takes_back_the_last_rating(make_app) -> None:
    app = make_app(PracticeRequest(mode="new", filters=NET_ONLY, count=2, seed=1))
    async with app.run_test(size=(100, 40)) as pilot:
        await wait_loaded(app, pilot)
        screen = app.screen
        first_id = screen.session.current.entry.id
        await pilot.press("space")
        await pilot.pause()
        await pilot.press("2")
        await pilot.pause()
        assert app.store.card(first_id) is not None
        await pilot.press("u")
        await pilot.pause()
        assert screen.session.current.entry.id == first_id
        assert screen.session.current.rating is None
        assert app.store.card(first_id) is None
        assert app.store.attempts() == []
        await pilot.press("4")
        await pilot.pause()
        assert [a.rating for a in app.store.attempts()] == [4]


async def test_an_undo_the_store_refuses_is_said_and_changes_nothing(make_app, monkeypatch) -> None:
    app = make_app(PracticeRequest(mode="new", filters=NET_ONLY, count=2, seed=1))
    async with app.run_test(size=(100, 40)) as pilot:
        await wait_loaded(app, pilot)
        screen = app.screen
        await pilot.press("space", "2")
        await pilot.pause()
        second_id = screen.session.current.entry.id

        def busy(attempt_id: int) -> bool:
            raise StoreError("the database is busy")

        monkeypatch.setattr(app.store, "undo_rating", busy)
        await pilot.press("u")
        await pilot.pause()
        assert screen.session.current.entry.id == second_id
        assert [a.rating for a in app.store.attempts()] == [2]
        messages = [n.message for n in app._notifications]
        assert "Not undone: the database is busy" in messages


async def test_skip_records_a_skipped_attempt(make_app) -> None:
    app = make_app(PracticeRequest(mode="new", filters=NET_ONLY, count=1))
    async with app.run_test(size=(100, 40)) as pilot:
        await wait_loaded(app, pilot)
        await pilot.press("s")
        await pilot.pause()
        assert isinstance(app.screen, SummaryScreen)
        statuses = [a.status for a in app.store.attempts(rated_only=False)]
        assert statuses == ["skipped"]


async def test_quit_asks_first_and_keeps_ratings(make_app) -> None:
    app = make_app(PracticeRequest(mode="new", filters=NET_ONLY, count=2))
    async with app.run_test(size=(100, 40)) as pilot:
        await wait_loaded(app, pilot)
        await pilot.press("space")
        await pilot.pause()
        await pilot.press("3")
        await pilot.pause()
        await pilot.press("q")
        await pilot.pause()
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, QuestionScreen)
        await pilot.press("q", "y")
        await pilot.pause()
        assert isinstance(app.screen, SummaryScreen)
        assert len(app.store.attempts()) == 1


async def test_draft_is_saved_while_typing(make_app) -> None:
    app = make_app(PracticeRequest(mode="new", filters=Filters(tags=("tcp",))))
    async with app.run_test(size=(100, 40)) as pilot:
        await wait_loaded(app, pilot)
        screen = app.screen
        await pilot.press("i", *"half an answer")
        screen.save_draft()
        await app.workers.wait_for_complete()  # drafts are written off the UI thread
        assert app.store.last_draft("net-tcp-handshake") == "half an answer"


async def test_hostile_markup_displays_literally_and_fires_nothing(make_app) -> None:
    app = make_app(PracticeRequest(mode="new", filters=Filters(("debugging",))))
    async with app.run_test(size=(120, 50)) as pilot:
        await wait_loaded(app, pilot)
        screen = app.screen
        assert "[b]Not bold[/b] and list[int]" in text_of(screen, "#q-title")
        assert "#[red]" in text_of(screen, "#q-meta")
        await pilot.press("h", "h")
        assert "[@click=app.quit]quit[/]" in text_of(screen, "#q-hints")
        await pilot.press("space")
        await pilot.pause()
        rubric = screen.query_one("#q-rubric", SelectionList)
        assert "[bold]Reads[/] the log" in str(rubric.get_option_at_index(0).prompt)
        extras = screen.query_one("#q-extras", RenderedMarkdown)
        assert "[link=https://example.com]ref[/link]" in extras.source
        screen.query_one("#q-reveal").scroll_end(animate=False)
        await pilot.pause()
        shown = "".join(strip.text for strip in extras.lines(extras.content_size.width))
        assert "[link=https://example.com]ref[/link]" in shown
        # Clicking around never triggers the embedded @click actions.
        await pilot.click("#q-prompt")
        await pilot.click("#q-extras")
        assert app.is_running


async def test_loop_hides_answers_until_the_round_ends(make_app) -> None:
    app = make_app(PracticeRequest(loop="mini", seed=2))
    async with app.run_test(size=(100, 40)) as pilot:
        await wait_loaded(app, pilot)
        screen = app.screen
        assert isinstance(screen, QuestionScreen)
        session = screen.session
        assert not session.reschedule
        assert session.total == 2
        await pilot.press("space")
        assert not session.current.revealed  # answers stay hidden during the round
        await pilot.press("i", *"first")
        await pilot.press("escape", "n")
        await pilot.pause()
        assert session.position == 1
        await pilot.press("n")
        await pilot.pause()
        # Round over: reviewing the first question, revealed, to rate.
        assert session.phase is Phase.REVIEW
        assert session.position == 0 and session.current.revealed
        await pilot.press("2")
        await pilot.pause()
        assert session.position == 1 and session.current.revealed
        await pilot.press("3")
        await pilot.pause()
        assert isinstance(app.screen, SummaryScreen)
        assert sorted(a.rating for a in app.store.attempts()) == [2, 3]
        assert app.store.cards() == {}  # loops do not reschedule


async def test_help_screen_opens_and_closes(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(100, 40)) as pilot:
        await wait_loaded(app, pilot)
        await pilot.press("question_mark")
        assert app.screen.__class__.__name__ == "HelpScreen"
        await pilot.press("escape")
        assert isinstance(app.screen, HomeScreen)


async def test_home_enter_starts_the_highlighted_skill(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(100, 40)) as pilot:
        await wait_loaded(app, pilot)
        await pilot.press("down", "enter")
        await pilot.pause()
        assert isinstance(app.screen, QuestionScreen)
        assert {e.skill for e in app.screen.session.entries} == {"network-protocols"}


async def test_editor_in_textarea_keeps_single_keys(make_app) -> None:
    app = make_app(PracticeRequest(mode="new", filters=Filters(tags=("tcp",))))
    async with app.run_test(size=(100, 40)) as pilot:
        await wait_loaded(app, pilot)
        screen = app.screen
        await pilot.press("i", "h", "s", "q", "space", "1")
        assert screen.query_one(TextArea).text == "hsq 1"
        assert screen.session.current.hints_used == 0 and not screen.session.current.revealed


async def test_keys_pressed_while_the_screen_mounts_are_kept(make_app, monkeypatch) -> None:
    """The prompt paints before the editor and the rest are mounted; a key typed in between
    (here h, for a hint) is replayed once they are, not dropped."""
    mount_rest = QuestionScreen._mount_rest

    async def mount_rest_later(self: QuestionScreen) -> None:
        self.post_message(events.Key("h", "h"))
        self.call_after_refresh(mount_rest, self)

    monkeypatch.setattr(QuestionScreen, "_mount_rest", mount_rest_later)
    app = make_app(PracticeRequest(mode="new", count=1, filters=NET_ONLY))
    async with app.run_test() as pilot:
        await wait_loaded(app, pilot)
        screen = app.screen
        assert isinstance(screen, QuestionScreen) and screen.ready
        assert screen.session.current.hints_used == 1
        assert "Hint 1" in text_of(screen, "#q-hints")


async def test_practice_that_matches_nothing_lands_on_home(make_app) -> None:
    app = make_app(PracticeRequest(mode="new", filters=Filters(("no-such-skill",))))
    async with app.run_test() as pilot:
        await wait_loaded(app, pilot)
        assert isinstance(app.screen, HomeScreen)
        assert any("No questions match" in str(n.message) for n in app._notifications)


async def test_a_finished_preload_starts_practice_without_a_worker(
    tmp_path, clock, monkeypatch
) -> None:
    """What `drillbit practice` usually does: the bank and history load before Textual is
    imported, and at mount time their result is handed over with no worker thread."""
    db = tmp_path / "history.sqlite3"
    preload = Preload([FIXTURE_BANK], db).start()
    preload.result()  # done, as it usually is by the time Textual has been imported
    monkeypatch.setattr(DrillbitApp, "load_core", lambda self: pytest.fail("started a worker"))
    request = PracticeRequest(mode="new", count=1, filters=NET_ONLY)
    app = DrillbitApp([FIXTURE_BANK], db, practice=request, clock=clock, preload=preload)
    async with app.run_test() as pilot:
        await wait_loaded(app, pilot)
        # The question is the app's first screen: no blank screen was painted under it.
        assert app.screen_stack == [app.screen]
        assert isinstance(app.screen, QuestionScreen)
        await pilot.press("space", "3")
        await pilot.pause()
        assert isinstance(app.screen, SummaryScreen)
        await pilot.press("u")  # undo goes back to the question, and the session ends again
        await pilot.pause()
        assert isinstance(app.screen, QuestionScreen)
        await pilot.press("3")
        await pilot.pause()
        assert isinstance(app.screen, SummaryScreen)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        await pilot.press("a")  # a second session from home, and home again after it
        await wait_loaded(app, pilot)
        assert isinstance(app.screen, QuestionScreen)
        await pilot.press("q")
        await pilot.pause()
        await pilot.press("y")  # confirm the end
        await pilot.pause()
        assert isinstance(app.screen, SummaryScreen)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)


async def test_a_finished_preload_that_matches_nothing_lands_on_home(tmp_path, clock) -> None:
    db = tmp_path / "history.sqlite3"
    preload = Preload([FIXTURE_BANK], db).start()
    preload.result()
    request = PracticeRequest(mode="new", filters=Filters(("no-such-skill",)))
    app = DrillbitApp([FIXTURE_BANK], db, practice=request, clock=clock, preload=preload)
    async with app.run_test() as pilot:
        await wait_loaded(app, pilot)
        assert isinstance(app.screen, HomeScreen)
        assert any("No questions match" in str(n.message) for n in app._notifications)


async def test_a_finished_preload_that_failed_ends_the_app_with_its_error(tmp_path, clock) -> None:
    db = tmp_path / "notes.txt"
    db.write_text("not a database\n" * 100)
    preload = Preload([FIXTURE_BANK], db).start()
    with pytest.raises(StoreError):
        preload.result()
    request = PracticeRequest(mode="new", count=1, filters=NET_ONLY)
    app = DrillbitApp([FIXTURE_BANK], db, practice=request, clock=clock, preload=preload)
    async with app.run_test() as pilot:
        await pilot.pause()
    assert app.fatal_error is not None and "not a drillbit database" in app.fatal_error


@pytest.mark.parametrize("practice", [True, False], ids=["practice", "home"])
async def test_the_garbage_collector_is_back_on_once_the_first_screen_is_whole(
    make_app, practice: bool
) -> None:
    """`run_tui` turns the collector off for start-up; the first screen turns it back on."""
    request = PracticeRequest(mode="new", count=1, filters=NET_ONLY) if practice else None
    gc.disable()
    try:
        app = make_app(request)
        async with app.run_test() as pilot:
            await wait_loaded(app, pilot)
            await pilot.pause()
            assert gc.isenabled()
            assert gc.get_freeze_count() > 0  # start-up's objects left out of collections
    finally:
        gc.unfreeze()
        gc.enable()
