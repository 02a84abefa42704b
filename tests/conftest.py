"""Shared fixtures: a fixture bank, an isolated environment, a fixed clock."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

FIXTURE_BANK = Path(__file__).parent / "fixtures" / "bank"
REPO = Path(__file__).resolve().parent.parent
FIXED_NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


@pytest.fixture(autouse=True)
def isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Never touch the developer's own bank, database, cache or config."""
    for name in ("DRILLBIT_BANK", "DRILLBIT_DB", "DRILLBIT_CACHE_DIR", "EDITOR", "VISUAL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "xdg-state"))
    monkeypatch.setenv("DRILLBIT_CACHE_DIR", str(tmp_path / "cache"))
    # Local days (the heatmap, streaks) are computed in UTC in tests.
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield


TIME_ZONES = ("UTC", "Asia/Tokyo", "America/New_York", "Pacific/Kiritimati", "Pacific/Pago_Pago")


@pytest.fixture(params=TIME_ZONES[:3])
def time_zone(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Run a time-sensitive test once per local time zone (local days, streaks, heatmaps)."""
    monkeypatch.setenv("TZ", request.param)
    time.tzset()
    return request.param


@pytest.fixture
def fixture_bank() -> Path:
    return FIXTURE_BANK


@pytest.fixture
def write_bank(tmp_path: Path):
    """Write a bank file named ``name`` with ``text`` into a fresh directory; return its path."""
    directory = tmp_path / "bank"
    directory.mkdir()

    def write(text: str | bytes, name: str = "network-protocols.yaml") -> Path:
        path = directory / name
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
        return path

    return write


def environ_for_subprocess(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "XDG_DATA_HOME": str(tmp_path / "xdg-data"),
            "XDG_CACHE_HOME": str(tmp_path / "xdg-cache"),
            "XDG_STATE_HOME": str(tmp_path / "xdg-state"),
            "DRILLBIT_CACHE_DIR": str(tmp_path / "cache"),
            "PYTHONPATH": str(REPO),
        }
    )
    env.pop("DRILLBIT_BANK", None)
    env.pop("DRILLBIT_DB", None)
    env.update(extra)
    return env
