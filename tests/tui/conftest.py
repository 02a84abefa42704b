"""Pilot fixtures: the fixture bank, a tmp_path database and a fixed clock."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.clock import FakeClock
from app.practice.request import PracticeRequest
from app.tui.app import DrillbitApp
from tests.conftest import FIXED_NOW, FIXTURE_BANK


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(FIXED_NOW)


@pytest.fixture
def make_app(tmp_path: Path, clock: FakeClock):
    def make(practice: PracticeRequest | None = None, bank: Path = FIXTURE_BANK) -> DrillbitApp:
        return DrillbitApp([bank], tmp_path / "history.sqlite3", practice=practice, clock=clock)

    return make


async def wait_loaded(app: DrillbitApp, pilot) -> None:
    """Wait for the loading worker, for its BankLoaded message to be handled and, in practice,
    for the question screen to mount what follows its first paint."""
    await app.workers.wait_for_complete()
    for _ in range(100):
        await pilot.pause()
        if (
            app.bank is not None
            and app.practice_request is None
            and getattr(app.screen, "ready", True)
        ):
            break
    await pilot.pause()
