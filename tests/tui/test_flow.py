from __future__ import annotations

from app.review.planner import Filters
from app.tui.app import PracticeRequest
from app.tui.screens.question import QuestionScreen
from tests.tui.conftest import wait_loaded


async def test_debug_typing(make_app) -> None:
    app = make_app(PracticeRequest(filters=Filters(("network-protocols",)), mode="new", seed=1))
    async with app.run_test(size=(100, 40)) as pilot:
        await wait_loaded(app, pilot)
        assert isinstance(app.screen, QuestionScreen)
        await pilot.press("h")
        await pilot.press("i")
        print(app.focused)
        await pilot.press("x", "y", "space", "h")
        print(repr(app.screen.session.current.answer))
