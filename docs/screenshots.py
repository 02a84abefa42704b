"""Regenerate the README's screenshots: python docs/screenshots.py

Drives the real app headless with the bundled bank, a scratch database and a fixed clock, and
saves SVG screenshots with Textual's own save_screenshot.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

DOCS = Path(__file__).resolve().parent
sys.path.insert(0, str(DOCS.parent))

from app.clock import FakeClock  # noqa: E402
from app.paths import bundled_bank  # noqa: E402
from app.practice.planner import Filters  # noqa: E402
from app.practice.request import PracticeRequest  # noqa: E402
from app.tui.app import DrillbitApp  # noqa: E402

START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


async def settle(app: DrillbitApp, pilot) -> None:
    await app.workers.wait_for_complete()
    for _ in range(30):
        await pilot.pause()


async def main() -> None:
    scratch = Path(tempfile.mkdtemp())
    clock = FakeClock(START)
    request = PracticeRequest(mode="new", filters=Filters(("network-protocols",)), count=3)
    app = DrillbitApp([bundled_bank()], scratch / "h.sqlite3", practice=request, clock=clock)
    async with app.run_test(size=(110, 36)) as pilot:
        await settle(app, pilot)
        await pilot.press("h", "i", *"TIME_WAIT sits on the side that closes first...", "escape")
        clock.advance(170)
        app.screen.tick()
        await pilot.pause()
        app.save_screenshot("question.svg", str(DOCS))
        await pilot.press("space")
        await settle(app, pilot)
        rubric = app.screen.query_one("#q-rubric")
        rubric.select(0)
        rubric.select(1)
        await settle(app, pilot)
        app.save_screenshot("reveal.svg", str(DOCS))
    # A few weeks of history for the stats screen.
    app = DrillbitApp([bundled_bank()], scratch / "h.sqlite3", clock=clock)
    async with app.run_test(size=(110, 40)) as pilot:
        await settle(app, pilot)
        for day in range(18):
            clock.advance(timedelta(days=1).total_seconds())
            if day % 5 == 3:
                continue
            app.start_practice(PracticeRequest(mode="random", count=2, seed=day))
            await settle(app, pilot)
            for grade in ("3", "2" if day % 3 else "4"):
                clock.advance(60 * (4 + day % 7))
                await pilot.press("space")
                await settle(app, pilot)
                rubric = app.screen.query_one("#q-rubric")
                for index in range(min(rubric.option_count, 2 + day % 4)):
                    rubric.select(index)
                await pilot.press(grade)
                await settle(app, pilot)
            app.show_home()
            await settle(app, pilot)
        await pilot.press("s")
        await settle(app, pilot)
        app.save_screenshot("stats.svg", str(DOCS))


if __name__ == "__main__":
    asyncio.run(main())
