"""A few SVG snapshots, with the fixture bank and a fixed clock. Update with --snapshot-update."""

from __future__ import annotations

from app.practice.planner import Filters
from app.practice.request import PracticeRequest
from tests.tui.conftest import wait_loaded

TCP = Filters(tags=("tcp",))


def test_home(make_app, snap_compare) -> None:
    """The home screen: two skills with their counts, 0% readiness, no streak, the key hints."""

    async def loaded(pilot) -> None:
        await wait_loaded(pilot.app, pilot)

    assert snap_compare(make_app(), terminal_size=(80, 24), run_before=loaded)


def test_question(make_app, snap_compare) -> None:
    """The TCP question: title, meta line, 05:00 left, one hint shown, the answer editor."""

    async def hint(pilot) -> None:
        await wait_loaded(pilot.app, pilot)
        await pilot.press("h", "i", *"SYN, SYN-ACK, ACK", "escape")
        await pilot.pause()

    app = make_app(PracticeRequest(mode="new", filters=TCP))
    assert snap_compare(app, terminal_size=(80, 24), run_before=hint)


def test_reveal_and_rating(make_app, snap_compare) -> None:
    """After the reveal with two rubric points ticked (100 columns): the answer typed stays on
    screen above the model answer, the rubric wraps, Good is suggested on the rating bar."""

    async def reveal(pilot) -> None:
        await wait_loaded(pilot.app, pilot)
        await pilot.press("i", *"SYN, SYN-ACK, ACK", "escape", "space")
        await pilot.pause()
        rubric = pilot.app.screen.query_one("#q-rubric")
        rubric.select(0)
        rubric.select(1)
        await pilot.pause()

    app = make_app(PracticeRequest(mode="new", filters=TCP))
    assert snap_compare(app, terminal_size=(100, 40), run_before=reveal)


def test_summary(make_app, snap_compare) -> None:
    """The summary after rating the TCP question Good: one row, 75% rubric, due in 2d."""

    async def rate(pilot) -> None:
        await wait_loaded(pilot.app, pilot)
        await pilot.press("space")
        await pilot.pause()
        rubric = pilot.app.screen.query_one("#q-rubric")
        rubric.select(0)
        rubric.select(1)
        await pilot.press("3")
        await pilot.pause()

    app = make_app(PracticeRequest(mode="new", filters=TCP))
    assert snap_compare(app, terminal_size=(100, 30), run_before=rate)


def test_stats(make_app, snap_compare) -> None:
    """The stats screen after one rating: readiness table, a heatmap with one day, coverage."""

    async def rate_then_stats(pilot) -> None:
        await wait_loaded(pilot.app, pilot)
        await pilot.press("space")
        await pilot.pause()
        pilot.app.screen.query_one("#q-rubric").select_all()
        await pilot.press("4")
        await pilot.pause()
        await pilot.press("s")
        await pilot.pause()

    app = make_app(PracticeRequest(mode="new", filters=TCP))
    assert snap_compare(app, terminal_size=(100, 36), run_before=rate_then_stats)


def test_compare_side_by_side(make_app, snap_compare) -> None:
    """At 160 columns the answer typed (left) sits beside the model answer, rubric and
    follow-ups (right); the rating bar shows the intervals."""

    async def reveal(pilot) -> None:
        await wait_loaded(pilot.app, pilot)
        await pilot.press("i", *"SYN, SYN-ACK, ACK. Each side picks an ISN.", "escape", "space")
        await pilot.pause()

    app = make_app(PracticeRequest(mode="new", filters=TCP))
    assert snap_compare(app, terminal_size=(160, 40), run_before=reveal)
