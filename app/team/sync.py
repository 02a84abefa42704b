"""Sync: the union of a device's history log and the server's, for one user.

1. Push: the rows changed locally since the last push (one snapshot of the store, numbered by
   its change counter) go to the server in one transaction: COPY into a temporary table, then
   ``INSERT ... ON CONFLICT (uuid)``, in uuid order so that devices pushing the same rows at once
   queue instead of deadlocking. Only then does the store note how far it pushed.
2. Pull: the user's rows written by transactions the device has not seen (``txid`` at or above
   the oldest transaction running at the last pull) come back in one snapshot and are merged
   by uuid, the attempts they rate are settled and their questions' cards replayed, and the new
   watermark is recorded, all in one local transaction.

Every step is idempotent, so a sync killed at any point and run again converges: a push repeated
inserts nothing twice, a pull repeated merges nothing twice.
"""

from __future__ import annotations

import json
import os
import signal
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.store.db import Store, StoreError, to_text, utc_now
from app.team.server import SCHEMA_VERSION, ServerError, check_usable, connect, first_line

if TYPE_CHECKING:
    import psycopg

SERVER_ENV = "DRILLBIT_SERVER"
SKEW_LIMIT = timedelta(minutes=5)
RETRIES = 5
STOP_ENV = "DRILLBIT_SYNC_KILL_AT"
"""Fault injection for the tests: the sync kills itself (SIGKILL) at the named step."""

# The server's columns for each table, in the order Store.changes_since gives them.
COLUMNS = {
    "sessions": ("uuid", "started_at", "ended_at", "mode", "filters", "reschedule"),
    "attempts": (
        "uuid",
        "session_uuid",
        "question_id",
        "skill",
        "content_hash",
        "started_at",
        "time_budget_s",
        "time_spent_ms",
        "hints_used",
        "answer",
        "status",
        "language",
        "rev",
    ),
    "reviews": (
        "uuid",
        "attempt_uuid",
        "question_id",
        "rating",
        "rated_at",
        "duration_ms",
        "schedules",
        "device",
        "answer",
        "hints_used",
        "rubric_ticked",
        "rubric_coverage",
        "auto_grade",
    ),
    "undos": ("uuid", "review_uuid", "at", "device"),
}
ON_CONFLICT = {
    # A session ends after it was first pushed; an attempt is skipped or saved again later (its
    # own device's change counter orders the versions). Reviews and undos never change. An
    # update takes this transaction's id, so that other devices' next pulls see it.
    "sessions": "DO UPDATE SET ended_at = excluded.ended_at, txid = pg_current_xact_id()"
    " WHERE drillbit.sessions.ended_at IS NULL AND excluded.ended_at IS NOT NULL",
    "attempts": "DO UPDATE SET time_spent_ms = excluded.time_spent_ms,"
    " hints_used = excluded.hints_used, answer = excluded.answer, status = excluded.status,"
    " language = excluded.language, rev = excluded.rev, txid = pg_current_xact_id()"
    " WHERE drillbit.attempts.rev < excluded.rev",
    "reviews": "DO NOTHING",
    "undos": "DO NOTHING",
}
PULLED = {
    "sessions": COLUMNS["sessions"],
    "attempts": COLUMNS["attempts"][:-1],
    "reviews": COLUMNS["reviews"],
    "undos": COLUMNS["undos"],
}
ORDER = {"sessions": "started_at", "attempts": "started_at", "reviews": "rated_at", "undos": "at"}
"""Pulled rows arrive in the order they happened, so local ids follow time as on any device."""
MOMENTS = {"started_at", "ended_at", "rated_at", "at"}
JSON_COLUMNS = {"filters", "rubric_ticked"}
FLAGS = {"reschedule", "schedules", "auto_grade"}


@dataclass(frozen=True)
class SyncReport:
    pushed: dict[str, int]
    pulled: dict[str, int]
    replayed: int
    skew: timedelta
    """Server clock minus this device's clock."""

    @property
    def skew_warning(self) -> str | None:
        if abs(self.skew) <= SKEW_LIMIT:
            return None
        minutes = self.skew.total_seconds() / 60
        side = "behind" if minutes > 0 else "ahead of"
        return (
            f"this device's clock is {abs(minutes):.0f} minutes {side} the server's;"
            " ratings are ordered by their time, so set the clock right"
        )

    def summary(self) -> str:
        pushed = self.pushed.get("reviews", 0)
        pulled = self.pulled.get("reviews", 0)
        return (
            f"synced: pushed {self.pushed.get('attempts', 0)} attempt(s) and {pushed} rating(s),"
            f" pulled {self.pulled.get('attempts', 0)} attempt(s) and {pulled} rating(s);"
            f" {self.replayed} card(s) rescheduled"
        )


def server_url(explicit: str | None = None) -> str | None:
    """``--server``, else ``DRILLBIT_SERVER``, else ``server`` in the config file."""
    if explicit:
        return explicit
    from_env = os.environ.get(SERVER_ENV, "").strip()
    if from_env:
        return from_env
    from app.paths import config_file

    path = config_file()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as error:
        raise ServerError(f"{path}: cannot read the config file: {error}") from None
    import tomllib

    try:
        value = tomllib.loads(text).get("server")
    except tomllib.TOMLDecodeError as error:
        raise ServerError(f"{path}: not valid TOML: {error}") from None
    if value is not None and not isinstance(value, str):
        raise ServerError(f"{path}: 'server' must be a string (a PostgreSQL URL)")
    return value or None


def _checkpoint(step: str) -> None:
    if os.environ.get(STOP_ENV) == step:
        os.kill(os.getpid(), signal.SIGKILL)


def sync(store: Store, url: str, now: Callable[[], datetime] = utc_now) -> SyncReport:
    """Push this device's new rows, pull the user's rows it lacks, replay the cards touched."""
    import psycopg

    # Autocommit: a read outside the two transactions costs no BEGIN and ROLLBACK round trips.
    with connect(url, autocommit=True) as connection:
        try:
            return _sync(store, connection, now)
        except psycopg.OperationalError as error:
            raise ServerError(
                f"lost the server mid-sync (run sync again): {first_line(error)}"
            ) from None
        except psycopg.Error as error:
            raise ServerError(f"the server refused the sync: {first_line(error)}") from None


def _sync(
    store: Store, connection: psycopg.Connection[Any], now: Callable[[], datetime]
) -> SyncReport:
    import psycopg

    try:
        # One round trip for what a sync with nothing new needs to know of the server.
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT current_user, now(), max(value) FILTER (WHERE key = 'server_id'),"
                " max(value) FILTER (WHERE key = 'application'),"
                " max(value) FILTER (WHERE key = 'schema_version') FROM drillbit.meta"
            )
            user, server_now, server_id, application, version = cursor.fetchone() or ()
    except psycopg.errors.UndefinedTable:
        application = version = None
    if application != "drillbit" or version != str(SCHEMA_VERSION):
        check_usable(connection)  # says what is wrong
        raise ServerError("not a drillbit server; left untouched")
    skew = server_now - now()
    target = f"{server_id}/{user}"
    if store.meta("sync_target") != target:
        # Another server or user: everything is new to it, and it is all new to us.
        store.set_meta({"sync_target": target, "pushed_rev": "0", "pulled_xid": "0"})
    if store.meta("replay_pending") == "1":
        store.replay_cards()  # once: cards from before the review log become replays

    pushed_rev = int(store.meta("pushed_rev") or 0)
    top, rows = store.changes_since(pushed_rev)
    pushed = {name: len(batch) for name, batch in rows.items()}
    my_xid = _push(connection, rows) if any(rows.values()) else None
    _checkpoint("push-committed")
    if top > pushed_rev:
        store.set_meta({"pushed_rev": str(top)})

    pulled_rows, watermark = _pull(connection, int(store.meta("pulled_xid") or 0), my_xid)
    _checkpoint("pull-fetched")
    replayed: set[str] = set()
    if any(pulled_rows.values()) or my_xid is not None:
        replayed = store.apply_pulled(pulled_rows, {"pulled_xid": str(watermark)})
    # else nothing to write: the old watermark still bounds what the next pull must read.
    _checkpoint("pull-applied")
    return SyncReport(
        pushed=pushed,
        pulled={name: len(batch) for name, batch in pulled_rows.items()},
        replayed=len(replayed),
        skew=skew,
    )


def _push(connection: psycopg.Connection[Any], rows: dict[str, list[tuple[Any, ...]]]) -> int:
    """Insert the rows the server lacks, in one transaction; returns its transaction id."""
    import psycopg

    for attempt in range(RETRIES):
        try:
            with connection.transaction(), connection.cursor() as cursor:
                for table, batch in rows.items():
                    if batch:
                        _push_table(cursor, table, batch)
                cursor.execute("SELECT pg_current_xact_id()::text")
                xid = int((cursor.fetchone() or ("0",))[0])
                _checkpoint("push-sent")
            return xid
        except (psycopg.errors.DeadlockDetected, psycopg.errors.SerializationFailure):
            if attempt == RETRIES - 1:
                raise
    raise AssertionError("unreachable")


def _push_table(cursor: psycopg.Cursor[Any], table: str, batch: list[tuple[Any, ...]]) -> None:
    columns = ", ".join(COLUMNS[table])
    cursor.execute(
        f"CREATE TEMPORARY TABLE incoming_{table} ON COMMIT DROP AS"
        f" SELECT {columns} FROM drillbit.{table} WITH NO DATA"
    )
    with cursor.copy(f"COPY incoming_{table} ({columns}) FROM STDIN") as copy:
        for row in batch:
            copy.write_row(row)
    cursor.execute(
        f"INSERT INTO drillbit.{table} ({columns}) SELECT {columns} FROM incoming_{table}"
        f" ORDER BY uuid ON CONFLICT (uuid) {ON_CONFLICT[table]}"
    )


def _pull(
    connection: psycopg.Connection[Any], since: int, my_xid: int | None
) -> tuple[dict[str, list[tuple[Any, ...]]], int]:
    """The user's rows from transactions at or after ``since`` (but the push just made), in
    one snapshot, and the oldest transaction still running in it: the next pull's start."""
    from psycopg import IsolationLevel

    rows: dict[str, list[tuple[Any, ...]]] = {}
    connection.isolation_level, connection.read_only = IsolationLevel.REPEATABLE_READ, True
    with connection.transaction(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_snapshot_xmin(pg_current_snapshot())::text")
        watermark = int((cursor.fetchone() or ("0",))[0])
        for table, columns in PULLED.items():
            cursor.execute(
                f"SELECT {', '.join(columns)} FROM drillbit.{table}"
                " WHERE owner = current_user AND txid >= %s::text::xid8"
                f" AND txid <> %s::text::xid8 ORDER BY {ORDER[table]}, uuid",
                (str(since), str(my_xid or 0)),
            )
            rows[table] = [_local(columns, row) for row in cursor.fetchall()]
    connection.isolation_level, connection.read_only = None, None
    return rows, watermark


def _local(columns: tuple[str, ...], row: tuple[Any, ...]) -> tuple[Any, ...]:
    """A server row in the store's formats (text moments, JSON text, 0/1 flags)."""
    values = []
    for column, value in zip(columns, row, strict=True):
        if value is None:
            values.append(None)
        elif column in MOMENTS:
            values.append(to_text(value))
        elif column in JSON_COLUMNS:
            values.append(json.dumps(value, sort_keys=column == "filters"))
        elif column in FLAGS:
            values.append(int(value))
        else:
            values.append(value)
    return tuple(values)


def sync_path(db_path: Path, url: str) -> SyncReport:
    """Sync the store at ``db_path`` (opened and closed here, so any thread may call it)."""
    with Store(db_path, verify=False) as store:
        return sync(store, url)


def sync_in_background(
    db_path: Path, report: Callable[[str], None], url: str | None = None
) -> threading.Thread | None:
    """After a session: sync off the caller's thread when a server is configured.

    ``report`` hears one quiet line, on failure only (the ratings are safe in the store and go
    with the next sync). Returns the thread, or None when no server is configured."""
    try:
        url = url or server_url()
    except ServerError as error:
        report(f"sync: {error}")
        return None
    if not url:
        return None

    def run() -> None:
        try:
            result = sync_path(db_path, url)
        except (ServerError, StoreError) as error:
            report(f"sync failed, will retry next time: {error}")
            return
        if result.skew_warning:
            report(f"sync: {result.skew_warning}")

    thread = threading.Thread(target=run, name="drillbit-sync", daemon=True)
    thread.start()
    return thread
