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
    """Banks named on the command line, else in ``DRILLBIT_BANK`` (path-separated), else in the
    config file, else the bundled bank. Raises ConfigError for a config file it cannot read."""
    if explicit:
        return [Path(path).expanduser() for path in explicit]
    from_env = os.environ.get(BANK_ENV, "")
    if from_env.strip():
        return [Path(part).expanduser() for part in from_env.split(os.pathsep) if part.strip()]
    return configured_banks() or [bundled_bank()]


CONFIG_FILE = "config.toml"
CONFIG_EXAMPLE = 'banks = ["~/drillbit-bank"]'


class ConfigError(Exception):
    """The config file exists but cannot be used; the message says where and why."""


def config_path() -> Path:
    return config_dir() / CONFIG_FILE


def configured_banks() -> list[Path]:
    """The banks the config file names (``banks = ["~/my-bank"]``, relative paths from the
    config directory), with the bundled bank after them when it says ``bundled = true``.
    Empty when there is no config file."""
    import tomllib

    from app.fileio import read_bounded

    path = config_path()
    try:
        data = read_bounded(path, 1024 * 1024)
    except FileNotFoundError:
        return []
    except OSError as error:
        raise ConfigError(
            f"{path}: cannot read the config file: {error.strerror or error}"
        ) from None
    try:
        config = tomllib.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise ConfigError(f"{path}: not a valid TOML config file: {error}") from None
    unknown = sorted(set(config) - {"banks", "bundled"})
    if unknown:
        raise ConfigError(
            f"{path}: unknown setting '{unknown[0]}'; the config file knows banks and bundled"
        )
    banks = config.get("banks", [])
    if not isinstance(banks, list) or not all(isinstance(bank, str) and bank for bank in banks):
        raise ConfigError(f"{path}: banks must be a list of directories, like {CONFIG_EXAMPLE}")
    bundled = config.get("bundled", False)
    if not isinstance(bundled, bool):
        raise ConfigError(f"{path}: bundled must be true or false")
    directories = [path.parent / Path(bank).expanduser() for bank in banks]
    return [*directories, bundled_bank()] if bundled else directories


def is_installed(path: Path) -> bool:
    """Whether ``path`` lies inside an installed package (site-packages and the like), where
    the next install replaces whatever a curator wrote."""
    try:
        resolved = path.resolve()
    except (OSError, RuntimeError):
        resolved = path.absolute()
    return any(part in ("site-packages", "dist-packages") for part in resolved.parts)


def own_bank_advice(bank: Path) -> str | None:
    """Why drillbit must not write into ``bank``, with how to start and use a bank of one's
    own; None when writing there is fine."""
    if is_installed(bank):
        why = f"{bank} is the bank installed with drillbit; whatever is written there is lost at the next install"
    else:
        existing = bank if bank.exists() else next((p for p in bank.parents if p.exists()), bank)
        if os.access(existing, os.W_OK):
            return None
        why = f"{bank} is not writable"
    return (
        f"{why}. Start a bank of your own: drillbit new --bank ~/drillbit-bank --skill SKILL"
        " (creates the directory and the skill's file); then practise from it with"
        " --bank ~/drillbit-bank, DRILLBIT_BANK=~/drillbit-bank, or"
        f" {CONFIG_EXAMPLE} in {config_path()} (add bundled = true to keep the bundled"
        " questions too)"
    )


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


def config_file() -> Path:
    """The settings file (TOML): ``server = "postgresql://..."`` for team mode."""
    return config_dir() / "config.toml"


def trust_file() -> Path:
    """Which banks the user allowed to run code, each with the contents it had then."""
    return config_dir() / "trusted-banks.json"
