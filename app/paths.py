"""The one module that knows where drillbit keeps things: banks, data, cache and config."""

from __future__ import annotations

import os
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

import platformdirs

APP_NAME = "drillbit"
BANK_ENV = "DRILLBIT_BANK"
DB_ENV = "DRILLBIT_DB"
CACHE_ENV = "DRILLBIT_CACHE_DIR"


def bundled_bank() -> Path:
    """The bank shipped with drillbit: package data when installed, ``questions/`` in a checkout."""
    package = Path(__file__).resolve().parent
    installed = package / "questions"
    if installed.is_dir():
        return installed
    return package.parent / "questions"


def bank_dirs(explicit: Sequence[str | Path] = ()) -> list[Path]:
    """Banks named on the command line, else in ``DRILLBIT_BANK`` (path-separated), else bundled."""
    if explicit:
        return [Path(path).expanduser() for path in explicit]
    from_env = os.environ.get(BANK_ENV, "")
    if from_env.strip():
        return [Path(part).expanduser() for part in from_env.split(os.pathsep) if part.strip()]
    return [bundled_bank()]


def data_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def cache_dir() -> Path:
    override = os.environ.get(CACHE_ENV)
    if override:
        return Path(override).expanduser()
    return Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False))


def state_dir() -> Path:
    return Path(platformdirs.user_state_dir(APP_NAME, appauthor=False))


def crash_log_path(moment: datetime, pid: int) -> Path:
    """Where the TUI writes the traceback of a crash (one file per crash)."""
    return state_dir() / "crashes" / f"crash-{moment:%Y%m%d-%H%M%S}-{pid}.log"


def go_build_cache() -> Path:
    """Go's build cache for coding exercises, kept between runs so a run compiles only the
    exercise (the one directory besides its own that a run may write)."""
    return cache_dir() / "go-build"


def config_dir() -> Path:
    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False))


def database_path(explicit: str | Path | None = None) -> Path:
    """``--db``, else ``DRILLBIT_DB``, else ``history.sqlite3`` in the user data directory."""
    if explicit:
        return Path(explicit).expanduser()
    from_env = os.environ.get(DB_ENV, "").strip()
    if from_env:
        return Path(from_env).expanduser()
    return data_dir() / "history.sqlite3"


def trust_file() -> Path:
    """Which banks the user allowed to run code, each with the contents it had then."""
    return config_dir() / "trusted-banks.json"
