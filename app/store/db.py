"""The practice history: SQLite through the standard library, durable by construction.

Every write is one short ``BEGIN IMMEDIATE`` transaction behind a busy timeout, so two drillbit
processes on one database queue politely instead of failing, and a rating is on disk the moment
``rate`` returns. Files that are not ours, are corrupt, or come from a newer drillbit are refused
and never written to.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import closing, contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, Literal, NamedTuple

from app.bank.durations import MAX_BUDGET_S, MIN_BUDGET_S
from app.store.schema import APPLICATION_ID, MIGRATIONS, SCHEMA_VERSION

SQLITE_HEADER = b"SQLite format 3\x00"
BUSY_TIMEOUT_S = 5.0


def _new_uuid() -> str:
    import uuid  # on the first write: not needed to show the first question

    return str(uuid.uuid4())


class StoreError(Exception):
    """A problem with the history database the user should hear about in one line."""


class StoreBusy(StoreError):
    """Another process held the database for longer than the busy timeout; retrying may work."""


class StoreFull(StoreError):
    """The disk (or a file-size limit) is full; retrying once space returns may work."""


def utc_now() -> datetime:
    return datetime.now(UTC)


def to_text(moment: datetime) -> str:
    """UTC ISO 8601 with microseconds: sorts as text in time order."""
    # Not strftime: glibc writes year 1 as "1", which fromisoformat cannot read back.
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


def from_text(text: str) -> datetime:
    return datetime.fromisoformat(text)


def local_day(moment: datetime) -> date:
    """The local calendar day of ``moment``; a moment at the calendar's edge, which the local
    offset would push past year 1 or 9999, keeps its UTC day instead of raising."""
    try:
        return moment.astimezone().date()
    except (OverflowError, ValueError):
        return moment.astimezone(UTC).date()


def _translate(error: sqlite3.Error, path: Path) -> StoreError:
    message = str(error)
    lowered = message.lower()
    if "locked" in lowered or "busy" in lowered:
        return StoreBusy(f"{path}: the database is busy in another drillbit; try again")
    if "full" in lowered or (isinstance(error, sqlite3.OperationalError) and "disk i/o" in lowered):
        return StoreFull(f"{path}: the disk is full; free some space and try again")
    if "could not decode" in lowered:
        return StoreError(f"{path}: the database is damaged (text that is not UTF-8)")
    if "readonly" in lowered or "read-only" in lowered:
        return StoreError(f"{path}: the database is read-only; check the file's permissions")
    if "unable to open" in lowered:
        return StoreError(f"{path}: cannot open the database (is its directory writable?)")
    return StoreError(f"{path}: {message}")


def _statements(script: str) -> Iterator[str]:
    """The statements of a migration script, one by one (a trigger's body holds semicolons)."""
    pending = ""
    for part in script.split(";"):
        pending += part + ";"
        if sqlite3.complete_statement(pending):
            if pending.strip(" \n;"):
                yield pending
            pending = ""


Review = Callable[[str | None], tuple[str, datetime]]
"""Turns a stored card (JSON, or None before the first review) into the reviewed card and its
due date."""


class Attempt(NamedTuple):
    id: int
    uuid: str
    session_id: int
    question_id: str
    skill: str
    content_hash: str
    started_at: datetime
    time_spent_ms: int
    time_budget_s: int
    hints_used: int
    answer: str
    rubric_ticked: tuple[int, ...]
    rubric_coverage: float | None
    rating: int | None
    auto_grade: bool | None
    rated_at: datetime | None
    status: str
    language: str | None = None
    """For a coding exercise: the language of the code in ``answer``."""


class CodeRun(NamedTuple):
    """One run of a coding exercise's tests: the code it ran and what came of it."""

    id: int
    attempt_id: int
    language: str
    started_at: datetime
    code: str
    status: str
    passed: int
    total: int
    seconds: float
    result_json: str
    """app.coding.results.RunResult as JSON (RunResult.from_json reads it)."""


class CardRow(NamedTuple):
    question_id: str
    card_json: str
    due: datetime
    reps: int


class QuestionTotals(NamedTuple):
    question_id: str
    skill: str
    """The skill recorded with the attempts (used for retired questions)."""
    attempts: int
    scored: int
    """Attempts with a rubric coverage or an automatic grade."""
    mean_score: float | None
    mean_time_ratio: float
    ratings: tuple[int, int, int, int]
    """Again, Hard, Good, Easy."""


class DayTotals(NamedTuple):
    day: date
    attempts: int
    seconds: int
    mean_score: float | None


def _card_row(row: sqlite3.Row) -> CardRow:
    return CardRow(row["question_id"], row["card"], from_text(row["due"]), row["reps"])


def _attempt(row: sqlite3.Row) -> Attempt:
    return Attempt(
        id=row["id"],
        uuid=row["uuid"],
        session_id=row["session_id"],
        question_id=row["question_id"],
        skill=row["skill"],
        content_hash=row["content_hash"],
        started_at=from_text(row["started_at"]),
        time_spent_ms=row["time_spent_ms"],
        time_budget_s=row["time_budget_s"],
        hints_used=row["hints_used"],
        answer=row["answer"],
        rubric_ticked=tuple(json.loads(row["rubric_ticked"])),
        rubric_coverage=row["rubric_coverage"],
        rating=row["rating"],
        auto_grade=None if row["auto_grade"] is None else bool(row["auto_grade"]),
        rated_at=from_text(row["rated_at"]) if row["rated_at"] else None,
        status=row["status"],
        language=row["language"],
    )


_CHANGES = {
    "sessions": "SELECT uuid, started_at, ended_at, mode, filters, reschedule FROM sessions"
    " WHERE rev > ? AND rev <= ? ORDER BY id",
    "attempts": "SELECT a.uuid, s.uuid, a.question_id, a.skill, a.content_hash, a.started_at,"
    " a.time_budget_s, a.time_spent_ms, a.hints_used, a.answer, a.status, a.language, a.rev"
    " FROM attempts a JOIN sessions s ON s.id = a.session_id"
    " WHERE a.rev > ? AND a.rev <= ? ORDER BY a.id",
    "reviews": "SELECT uuid, attempt_uuid, question_id, rating, rated_at, duration_ms, schedules,"
    " device, answer, hints_used, rubric_ticked, rubric_coverage, auto_grade FROM reviews"
    " WHERE rev > ? AND rev <= ? ORDER BY id",
    "undos": "SELECT uuid, review_uuid, at, device FROM undos WHERE rev > ? AND rev <= ? ORDER BY id",
}
"""What a sync pushes of each table, in the column order of the server's tables."""


class Store:
    """One open history database. Cheap to open; close it when done."""

    def __init__(
        self,
        path: Path,
        *,
        busy_timeout: float = BUSY_TIMEOUT_S,
        verify: bool | Literal["background", "later"] = True,
    ) -> None:
        """Open (or create) the database at ``path``.

        ``verify`` runs ``PRAGMA quick_check``, which reads the whole file:
        - True: before anything else, so a damaged file is refused at once;
        - "background": in a thread on a second connection, while reads go ahead; every
          write waits for it and is refused if the file is damaged;
        - "later": the same, but the thread starts at ``start_verification()`` (the TUI calls
          it once its first screen is shown: on a long history the check is long enough to slow
          that screen down from another core); a write before then checks first, itself;
        - False: never, for commands that only read (SQLite still reports damage it meets).
        """
        self.path = Path(path)
        self.busy_timeout = busy_timeout
        self.verify = verify
        self._verified = threading.Event()
        self._verification_started = False
        self._check_result: str | None = "ok"
        """quick_check's answer; None when it still has to run."""
        self._check_file()
        try:
            self.connection = self._connect()
        except sqlite3.Error as error:
            raise _translate(error, self.path) from None
        try:
            self._prepare()
        except BaseException:
            self.connection.close()
            raise

    # -- opening ---------------------------------------------------------------------------

    def _check_file(self) -> None:
        path = self.path
        if path.is_dir():
            raise StoreError(f"{path}: is a directory, not a drillbit database")
        if path.exists():
            try:
                with path.open("rb") as handle:
                    header = handle.read(len(SQLITE_HEADER))
            except OSError as error:
                raise StoreError(f"{path}: cannot read the database: {error.strerror}") from None
            if header and header != SQLITE_HEADER:
                raise StoreError(f"{path}: not a drillbit database (not SQLite); left untouched")
        else:
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as error:
                raise StoreError(
                    f"{path.parent}: cannot create the data directory: {error.strerror}"
                ) from None

    def _connect(self) -> sqlite3.Connection:
        connection = sqlite3.connect(
            self.path, timeout=self.busy_timeout, isolation_level=None, check_same_thread=False
        )
        connection.row_factory = sqlite3.Row
        return connection

    def _prepare(self) -> None:
        """Refuse files we must not touch, then set pragmas and migrate, in that order."""
        db = self.connection
        try:
            # One statement, so one snapshot: read one by one, a drillbit creating this file at
            # the same moment could commit in between and its schema look foreign.
            application_id, version, tables = db.execute(
                "SELECT (SELECT application_id FROM pragma_application_id),"
                " (SELECT user_version FROM pragma_user_version),"
                " (SELECT count(*) FROM sqlite_schema)"
            ).fetchone()
        except sqlite3.OperationalError as error:
            # Cannot open, busy, read-only, I/O: the file may be fine, so do not call it corrupt.
            raise _translate(error, self.path) from None
        except (sqlite3.DatabaseError, UnicodeDecodeError):
            # A damaged schema page can make SQLite's own message undecodable as UTF-8.
            raise StoreError(
                f"{self.path}: the database is corrupt or not a drillbit database; left untouched"
            ) from None
        fresh = tables == 0 and version == 0 and application_id == 0
        if not fresh and application_id != APPLICATION_ID:
            raise StoreError(f"{self.path}: not a drillbit database; left untouched")
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"{self.path}: written by a newer drillbit (schema {version}, this one knows"
                f" {SCHEMA_VERSION}); upgrade drillbit. The file was left untouched"
            )
        in_background = self.verify in ("background", "later") and version == SCHEMA_VERSION
        if fresh or not self.verify:
            self._verified.set()
        elif in_background:
            self._check_result = None  # checked below, once the pragmas are set
        else:
            check = db.execute("PRAGMA quick_check(1)").fetchone()[0]
            if check != "ok":
                raise StoreError(f"{self.path}: the database is corrupt ({check}); left untouched")
            self._verified.set()
        try:
            self._use_wal()
            db.execute("PRAGMA synchronous=FULL")
            db.execute("PRAGMA foreign_keys=ON")
            if version < SCHEMA_VERSION:
                self._migrate(version, fresh)
        except sqlite3.Error as error:
            raise _translate(error, self.path) from None
        if self.verify != "later":
            self.start_verification()

    def start_verification(self) -> None:
        """Start the integrity check in the background, unless it is done or under way."""
        if not self._verified.is_set() and not self._verification_started:
            self._verification_started = True
            threading.Thread(target=self._verify_in_background, daemon=True).start()

    def _use_wal(self) -> None:
        """Switch a new file to WAL (a no-op once it is). The switch needs the file to itself,
        and SQLite does not wait for that as it waits for other locks, so a drillbit starting
        beside another retries until the busy timeout."""
        deadline = time.monotonic() + self.busy_timeout
        while True:
            try:
                self.connection.execute("PRAGMA journal_mode=WAL")
                return
            except sqlite3.OperationalError as error:
                if "locked" not in str(error) or time.monotonic() > deadline:
                    raise
                time.sleep(0.005)

    def _verify_in_background(self) -> None:
        # A second ordinary connection: a read-only one could not recover the WAL of a process
        # that was killed, and would report a sound file as damaged. quick_check writes nothing.
        try:
            with closing(sqlite3.connect(self.path, timeout=self.busy_timeout)) as db:
                self._check_result = db.execute("PRAGMA quick_check(1)").fetchone()[0]
        except sqlite3.Error:
            self._check_result = None  # could not check here: check before the first write
        finally:
            self._verified.set()

    def _require_verified(self) -> None:
        if not self._verification_started:
            self._verified.set()  # never started: _check_result is None, so check right here
        self._verified.wait()
        if self._check_result is None:
            try:
                self._check_result = self.connection.execute("PRAGMA quick_check(1)").fetchone()[0]
            except sqlite3.Error as error:
                raise _translate(error, self.path) from None
        if self._check_result != "ok":
            raise StoreError(
                f"{self.path}: the database is corrupt ({self._check_result});"
                " nothing was written to it"
            )

    def _migrate(self, version: int, fresh: bool) -> None:
        if not fresh:
            self.backup(self.path.with_name(f"{self.path.name}.v{version}.bak"))
        with self.transaction() as db:
            # Another process may have migrated while we waited for the lock.
            current = db.execute("PRAGMA user_version").fetchone()[0]
            for script in MIGRATIONS[current:]:
                for statement in _statements(script):
                    db.execute(statement)
            db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
            db.execute(f"PRAGMA application_id={APPLICATION_ID}")

    def backup(self, target: Path) -> Path:
        """A consistent copy of the database (``Connection.backup``), even while others write."""
        partial = target.with_name(target.name + ".partial")
        with sqlite3.connect(partial) as copy:
            self.connection.backup(copy)
        copy.close()
        shutil.move(partial, target)
        return target

    def close(self) -> None:
        self.connection.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One short write transaction, taken with BEGIN IMMEDIATE so writers queue at the start."""
        self._require_verified()
        db = self.connection
        try:
            db.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as error:
            raise _translate(error, self.path) from None
        try:
            yield db
            db.execute("COMMIT")
        except BaseException as error:
            if db.in_transaction:
                db.execute("ROLLBACK")
            if isinstance(error, sqlite3.Error):
                raise _translate(error, self.path) from None
            raise

    def _read(self, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
        try:
            return self.connection.execute(sql, params).fetchall()
        except sqlite3.Error as error:
            raise _translate(error, self.path) from None

    # -- sessions --------------------------------------------------------------------------

    def start_session(
        self,
        mode: str,
        filters: dict[str, Any] | None = None,
        *,
        reschedule: bool = True,
        now: datetime | None = None,
    ) -> int:
        with self.transaction() as db:
            cursor = db.execute(
                "INSERT INTO sessions (uuid, started_at, mode, filters, reschedule)"
                " VALUES (?, ?, ?, ?, ?)",
                (
                    _new_uuid(),
                    to_text(now or utc_now()),
                    mode,
                    json.dumps(filters or {}, sort_keys=True),
                    int(reschedule),
                ),
            )
            return int(cursor.lastrowid or 0)

    def end_session(self, session_id: int, now: datetime | None = None) -> None:
        with self.transaction() as db:
            db.execute(
                "UPDATE sessions SET ended_at = ? WHERE id = ? AND ended_at IS NULL",
                (to_text(now or utc_now()), session_id),
            )

    # -- attempts --------------------------------------------------------------------------

    def start_attempt(
        self,
        session_id: int,
        question_id: str,
        skill: str,
        content_hash: str,
        time_budget_s: int,
        now: datetime | None = None,
    ) -> int:
        with self.transaction() as db:
            cursor = db.execute(
                "INSERT INTO attempts (uuid, session_id, question_id, skill, content_hash,"
                " started_at, time_budget_s) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    _new_uuid(),
                    session_id,
                    question_id,
                    skill,
                    content_hash,
                    to_text(now or utc_now()),
                    min(max(time_budget_s, MIN_BUDGET_S), MAX_BUDGET_S),
                ),
            )
            return int(cursor.lastrowid or 0)

    def save_draft(
        self,
        attempt_id: int,
        answer: str,
        time_spent_ms: int,
        hints_used: int,
        *,
        language: str | None = None,
    ) -> None:
        """Save the answer typed so far (debounced by the caller) and the progress made.

        For a coding exercise the answer is the code, and ``language`` the one it is in.
        """
        with self.transaction() as db:
            db.execute(
                "UPDATE attempts SET answer = ?, time_spent_ms = ?, hints_used = ?,"
                " language = coalesce(?, language) WHERE id = ?",
                (answer, max(0, int(time_spent_ms)), hints_used, language, attempt_id),
            )

    def record_run(
        self,
        attempt_id: int,
        *,
        language: str,
        code: str,
        status: str,
        passed: int,
        total: int,
        seconds: float,
        result_json: str,
        now: datetime | None = None,
    ) -> int:
        """Keep one run of a coding exercise's tests, with the code it ran; the attempt's
        answer becomes that code too, so the last run's code is never lost."""
        with self.transaction() as db:
            cursor = db.execute(
                "INSERT INTO code_runs (uuid, attempt_id, language, started_at, code, status,"
                " passed, total, seconds, result) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    _new_uuid(),
                    attempt_id,
                    language,
                    to_text(now or utc_now()),
                    code,
                    status,
                    passed,
                    total,
                    max(0.0, seconds),
                    result_json,
                ),
            )
            db.execute(
                "UPDATE attempts SET answer = ?, language = ? WHERE id = ?",
                (code, language, attempt_id),
            )
            return int(cursor.lastrowid or 0)

    def code_runs(self, attempt_id: int) -> list[CodeRun]:
        """The runs of one attempt, oldest first."""
        rows = self._read("SELECT * FROM code_runs WHERE attempt_id = ? ORDER BY id", (attempt_id,))
        return [
            CodeRun(
                row["id"],
                row["attempt_id"],
                row["language"],
                from_text(row["started_at"]),
                row["code"],
                row["status"],
                row["passed"],
                row["total"],
                row["seconds"],
                row["result"],
            )
            for row in rows
        ]

    def last_code_draft(self, question_id: str) -> tuple[str, str] | None:
        """The most recent unrated code for a coding exercise and its language (after a crash)."""
        rows = self._read(
            "SELECT answer, language FROM attempts WHERE question_id = ? AND status = 'open'"
            " AND answer != '' AND language IS NOT NULL ORDER BY id DESC LIMIT 1",
            (question_id,),
        )
        return (rows[0]["answer"], rows[0]["language"]) if rows else None

    def rate(
        self,
        attempt_id: int,
        *,
        rating: int,
        answer: str,
        time_spent_ms: int,
        hints_used: int,
        rubric_ticked: Sequence[int],
        rubric_coverage: float | None,
        auto_grade: bool | None,
        review: Review | None,
        now: datetime | None = None,
    ) -> datetime | None:
        """Record a rating and the card it produces, in one committed transaction; returns the
        card's new due date.

        ``review`` turns the card as stored (None for a first review) into the reviewed card
        and its due date. It runs inside the write transaction, so a rating from another
        process in between cannot be overwritten with a card computed from a stale one.
        It is None when the session does not reschedule (a mock interview).
        """
        due = None
        rated_at = to_text(now or utc_now())
        review_uuid = _new_uuid()
        spent_ms = max(0, int(time_spent_ms))
        ticked = json.dumps(sorted(set(rubric_ticked)))
        grade = None if auto_grade is None else int(auto_grade)
        with self.transaction() as db:
            row = db.execute(
                "SELECT question_id, uuid FROM attempts WHERE id = ?", (attempt_id,)
            ).fetchone()
            if row is None:
                raise StoreError(f"no attempt {attempt_id}")
            question_id = row["question_id"]
            before = db.execute(
                "SELECT card FROM cards WHERE question_id = ?", (question_id,)
            ).fetchone()
            db.execute(
                "UPDATE attempts SET rating = ?, answer = ?, time_spent_ms = ?, hints_used = ?,"
                " rubric_ticked = ?, rubric_coverage = ?, auto_grade = ?, rated_at = ?,"
                " status = 'rated', card_before = ? WHERE id = ?",
                (
                    rating,
                    answer,
                    spent_ms,
                    hints_used,
                    ticked,
                    rubric_coverage,
                    grade,
                    rated_at,
                    before["card"] if before else None,
                    attempt_id,
                ),
            )
            db.execute(
                "INSERT INTO reviews (uuid, attempt_uuid, question_id, rating, rated_at,"
                " duration_ms, schedules, device, answer, hints_used, rubric_ticked,"
                " rubric_coverage, auto_grade) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    review_uuid,
                    row["uuid"],
                    question_id,
                    rating,
                    rated_at,
                    spent_ms,
                    int(review is not None),
                    self._device(db),
                    answer,
                    hints_used,
                    ticked,
                    rubric_coverage,
                    grade,
                ),
            )
            if review is not None:
                if self._replay_pending(db) or self._is_latest(db, question_id, review_uuid):
                    card_json, due = review(before["card"] if before else None)
                    db.execute(
                        "INSERT INTO cards (question_id, card, due, reps) VALUES (?, ?, ?, 1)"
                        " ON CONFLICT (question_id) DO UPDATE SET card = excluded.card,"
                        " due = excluded.due, reps = reps + 1",
                        (question_id, card_json, to_text(due)),
                    )
                else:
                    # A review dated before one already logged (a clock set back, or a review
                    # merged from another device): only a replay puts it in its place.
                    due = self._replay(db, [question_id]).get(question_id)
        return due

    def skip(self, attempt_id: int, answer: str, time_spent_ms: int, hints_used: int) -> None:
        with self.transaction() as db:
            db.execute(
                "UPDATE attempts SET status = 'skipped', answer = ?, time_spent_ms = ?,"
                " hints_used = ? WHERE id = ? AND status = 'open'",
                (answer, max(0, int(time_spent_ms)), hints_used, attempt_id),
            )

    def undo_rating(self, attempt_id: int, now: datetime | None = None) -> bool:
        """Take back a rating: the attempt is open again and the card is as it was before.

        The review stays in the log; an undo event names it, so devices that sync agree."""
        with self.transaction() as db:
            row = db.execute(
                "SELECT a.uuid, a.question_id, a.card_before, s.reschedule FROM attempts a"
                " JOIN sessions s ON s.id = a.session_id WHERE a.id = ? AND a.status = 'rated'",
                (attempt_id,),
            ).fetchone()
            if row is None:
                return False
            undone = db.execute(
                "SELECT uuid FROM reviews r WHERE attempt_uuid = ? AND NOT EXISTS"
                " (SELECT 1 FROM undos u WHERE u.review_uuid = r.uuid)"
                " ORDER BY rated_at DESC, uuid DESC LIMIT 1",
                (row["uuid"],),
            ).fetchone()
            if undone is not None:
                db.execute(
                    "INSERT INTO undos (uuid, review_uuid, at, device) VALUES (?, ?, ?, ?)",
                    (_new_uuid(), undone["uuid"], to_text(now or utc_now()), self._device(db)),
                )
            if row["reschedule"] and undone is not None and not self._replay_pending(db):
                self._replay(db, [row["question_id"]])
            elif row["reschedule"]:
                if row["card_before"] is None:
                    db.execute("DELETE FROM cards WHERE question_id = ?", (row["question_id"],))
                else:
                    due = json.loads(row["card_before"])["due"]
                    db.execute(
                        "UPDATE cards SET card = ?, due = ?, reps = max(reps - 1, 0)"
                        " WHERE question_id = ?",
                        (
                            row["card_before"],
                            to_text(datetime.fromisoformat(due)),
                            row["question_id"],
                        ),
                    )
            db.execute(
                "UPDATE attempts SET status = 'open', rating = NULL, rated_at = NULL,"
                " card_before = NULL WHERE id = ?",
                (attempt_id,),
            )
            return True

    def attempt(self, attempt_id: int) -> Attempt | None:
        rows = self._read("SELECT * FROM attempts WHERE id = ?", (attempt_id,))
        return _attempt(rows[0]) if rows else None

    def attempts(self, *, rated_only: bool = True) -> list[Attempt]:
        where = "WHERE status = 'rated'" if rated_only else ""
        return [_attempt(row) for row in self._read(f"SELECT * FROM attempts {where} ORDER BY id")]

    def last_draft(self, question_id: str) -> str:
        """The answer typed for a question in a run that ended without closing its attempt (a
        crash, ``kill -9``), unless the question was rated or skipped since."""
        rows = self._read(
            "SELECT answer FROM attempts WHERE question_id = ? AND status = 'open'"
            " AND answer != '' AND id > (SELECT coalesce(max(id), 0) FROM attempts"
            " WHERE question_id = ? AND status != 'open') ORDER BY id DESC LIMIT 1",
            (question_id, question_id),
        )
        return rows[0]["answer"] if rows else ""

    # -- cards -----------------------------------------------------------------------------

    def card(self, question_id: str) -> CardRow | None:
        rows = self._read("SELECT * FROM cards WHERE question_id = ?", (question_id,))
        if not rows:
            return None
        return _card_row(rows[0])

    def cards(self) -> dict[str, CardRow]:
        return {row["question_id"]: _card_row(row) for row in self._read("SELECT * FROM cards")}

    def next_due(self, limit: int) -> list[CardRow]:
        """The ``limit`` cards coming due first, soonest first (read through the due index)."""
        rows = self._read("SELECT * FROM cards ORDER BY due LIMIT ?", (limit,))
        return [_card_row(row) for row in rows]

    def coverage_by_question(self) -> dict[str, float]:
        """Mean rubric coverage of rated attempts, per question (auto-graded ones count 0 or 1)."""
        rows = self._read(
            "SELECT question_id, avg(coalesce(rubric_coverage, auto_grade)) AS mean FROM attempts"
            " WHERE status = 'rated' GROUP BY question_id"
        )
        return {row["question_id"]: row["mean"] for row in rows if row["mean"] is not None}

    def question_totals(self) -> list[QuestionTotals]:
        """Rated attempts aggregated per question, by SQLite (fast with a long history)."""
        rows = self._read(
            "SELECT question_id, max(skill) AS skill, count(*) AS attempts,"
            " count(coalesce(rubric_coverage, auto_grade)) AS scored,"
            " avg(coalesce(rubric_coverage, auto_grade)) AS mean_score,"
            " avg(time_spent_ms / 1000.0 / time_budget_s) AS mean_time_ratio,"
            " sum(rating = 1) AS again, sum(rating = 2) AS hard, sum(rating = 3) AS good,"
            " sum(rating = 4) AS easy"
            " FROM attempts WHERE status = 'rated' GROUP BY question_id ORDER BY question_id"
        )
        return [
            QuestionTotals(
                row["question_id"],
                row["skill"],
                row["attempts"],
                row["scored"],
                row["mean_score"],
                row["mean_time_ratio"],
                (row["again"], row["hard"], row["good"], row["easy"]),
            )
            for row in rows
        ]

    def day_totals(self) -> list[DayTotals]:
        """Rated attempts per local day: count, seconds practised, mean score."""
        rows = self._read(
            "SELECT date(substr(rated_at, 1, 19), 'localtime') AS day, count(*) AS attempts,"
            " sum(time_spent_ms) / 1000 AS seconds,"
            " avg(coalesce(rubric_coverage, auto_grade)) AS mean_score"
            " FROM attempts WHERE status = 'rated' GROUP BY day ORDER BY day"
        )
        totals = []
        for row in rows:
            try:
                day = date.fromisoformat(row["day"])
            except (TypeError, ValueError):
                continue  # SQLite has no local day for a moment at the calendar's edge
            totals.append(DayTotals(day, row["attempts"], row["seconds"], row["mean_score"]))
        return totals

    def current_streak(self, today: date) -> int:
        """Consecutive local days with a rating, ending today (or yesterday while today is open).

        Walks the ratings newest first on the attempts_rated index and stops at the first gap,
        so the cost follows the streak, not the length of the history.
        """
        expected = today
        streak = 0
        try:
            cursor = self.connection.execute(
                "SELECT rated_at FROM attempts WHERE status = 'rated' ORDER BY rated_at DESC"
            )
            for (rated_at,) in cursor:
                day = local_day(from_text(rated_at))
                if day == expected:
                    streak += 1
                    expected -= timedelta(days=1)
                elif day > expected:
                    continue  # another rating on a day already counted
                elif streak == 0 and day == expected - timedelta(days=1):
                    streak, expected = 1, day - timedelta(days=1)  # nothing yet today
                else:
                    break
            cursor.close()
        except sqlite3.Error as error:
            raise _translate(error, self.path) from None
        return streak

    def seen_ids(self) -> set[str]:
        rows = self._read("SELECT DISTINCT question_id FROM attempts WHERE status = 'rated'")
        return {row[0] for row in rows}

    # -- the review log and the cards replayed from it -------------------------------------

    @staticmethod
    def _device(db: sqlite3.Connection) -> str:
        return str(db.execute("SELECT value FROM meta WHERE key = 'device'").fetchone()[0])

    @staticmethod
    def _replay_pending(db: sqlite3.Connection) -> bool:
        """Cards from before the review log may not equal a replay until one is done."""
        row = db.execute("SELECT value FROM meta WHERE key = 'replay_pending'").fetchone()
        return row is not None and row[0] == "1"

    @staticmethod
    def _is_latest(db: sqlite3.Connection, question_id: str, review_uuid: str) -> bool:
        """Whether the review sorts after every other standing review of its question."""
        later = db.execute(
            "SELECT 1 FROM reviews r, reviews mine WHERE mine.uuid = ? AND r.question_id = ?"
            " AND r.schedules = 1 AND (r.rated_at, r.uuid) > (mine.rated_at, mine.uuid)"
            " AND NOT EXISTS (SELECT 1 FROM undos u WHERE u.review_uuid = r.uuid) LIMIT 1",
            (review_uuid, question_id),
        ).fetchone()
        return later is None

    @staticmethod
    def _replay(db: sqlite3.Connection, question_ids: Iterable[str]) -> dict[str, datetime]:
        """Recompute the cards of ``question_ids`` from their standing reviews, in (rated_at,
        uuid) order; returns the new due dates (a question with none left loses its card)."""
        from app.practice.scheduler import replay

        dues = {}
        for question_id in question_ids:
            rows = db.execute(
                "SELECT rating, rated_at, duration_ms FROM reviews r WHERE question_id = ?"
                " AND schedules = 1 AND NOT EXISTS"
                " (SELECT 1 FROM undos u WHERE u.review_uuid = r.uuid) ORDER BY rated_at, uuid",
                (question_id,),
            ).fetchall()
            card = replay(question_id, ((r[0], from_text(r[1]), r[2]) for r in rows))
            if card is None:
                db.execute("DELETE FROM cards WHERE question_id = ?", (question_id,))
                continue
            dues[question_id] = card.due
            db.execute(
                "INSERT INTO cards (question_id, card, due, reps) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (question_id) DO UPDATE SET card = excluded.card,"
                " due = excluded.due, reps = excluded.reps",
                (question_id, card.to_json(), to_text(card.due), len(rows)),
            )
        return dues

    def replay_cards(self, question_ids: Iterable[str] | None = None) -> int:
        """Recompute cards from the review log (all questions with reviews when None)."""
        with self.transaction() as db:
            if question_ids is None:
                question_ids = [
                    row[0] for row in db.execute("SELECT DISTINCT question_id FROM reviews")
                ]
                db.execute("DELETE FROM meta WHERE key = 'replay_pending'")
            ids = list(question_ids)
            self._replay(db, ids)
            return len(ids)

    def meta(self, key: str) -> str | None:
        rows = self._read("SELECT value FROM meta WHERE key = ?", (key,))
        return str(rows[0][0]) if rows else None

    def set_meta(self, values: dict[str, str]) -> None:
        with self.transaction() as db:
            db.executemany(
                "INSERT INTO meta (key, value) VALUES (?, ?)"
                " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                list(values.items()),
            )

    @property
    def device(self) -> str:
        return self.meta("device") or ""

    def reviews(self) -> list[sqlite3.Row]:
        """The review log, in the order a replay reads it, with whether each was undone."""
        return self._read(
            "SELECT r.*, EXISTS (SELECT 1 FROM undos u WHERE u.review_uuid = r.uuid) AS undone"
            " FROM reviews r ORDER BY question_id, rated_at, uuid"
        )

    def undos(self) -> list[sqlite3.Row]:
        return self._read("SELECT * FROM undos ORDER BY uuid")

    def changes_since(self, rev: int) -> tuple[int, dict[str, list[tuple[Any, ...]]]]:
        """Rows changed locally after ``rev`` (one snapshot) and the counter they reach."""
        db = self.connection
        try:
            db.execute("BEGIN")
            try:
                top = int(db.execute("SELECT value FROM meta WHERE key = 'rev'").fetchone()[0])
                rows = {
                    name: [tuple(row) for row in db.execute(sql, (rev, top))]
                    for name, sql in _CHANGES.items()
                }
            finally:
                db.execute("COMMIT")
        except sqlite3.Error as error:
            raise _translate(error, self.path) from None
        return top, rows

    def apply_pulled(
        self, rows: dict[str, Sequence[Sequence[Any]]], bookkeeping: dict[str, str]
    ) -> set[str]:
        """Merge rows pulled from a server (by uuid, never twice), bring the attempts they rate
        up to date, replay the cards they touch, and record ``bookkeeping``: all or nothing.
        Returns the questions whose cards were replayed."""
        with self.transaction() as db:
            db.executemany(
                "INSERT INTO sessions (uuid, started_at, ended_at, mode, filters, reschedule,"
                " rev) VALUES (?, ?, ?, ?, ?, ?, -1) ON CONFLICT (uuid) DO UPDATE SET"
                " ended_at = coalesce(sessions.ended_at, excluded.ended_at)",
                rows.get("sessions", ()),
            )
            db.executemany(
                "INSERT INTO attempts (uuid, session_id, question_id, skill, content_hash,"
                " started_at, time_budget_s, time_spent_ms, hints_used, answer, status,"
                " language, rev)"
                " SELECT ?1, s.id, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10,"
                " CASE WHEN ?11 = 'skipped' THEN 'skipped' ELSE 'open' END, ?12, -1"
                " FROM sessions s WHERE s.uuid = ?2 AND true"
                " ON CONFLICT (uuid) DO UPDATE SET time_spent_ms = excluded.time_spent_ms,"
                " hints_used = excluded.hints_used, answer = excluded.answer,"
                " language = coalesce(excluded.language, attempts.language),"
                " status = CASE WHEN excluded.status = 'skipped' THEN 'skipped'"
                " ELSE attempts.status END"
                " WHERE attempts.rev = -1 AND attempts.status != 'rated'",
                rows.get("attempts", ()),
            )
            db.executemany(
                "INSERT INTO reviews (uuid, attempt_uuid, question_id, rating, rated_at,"
                " duration_ms, schedules, device, answer, hints_used, rubric_ticked,"
                " rubric_coverage, auto_grade, rev)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, -1) ON CONFLICT (uuid) DO NOTHING",
                rows.get("reviews", ()),
            )
            db.executemany(
                "INSERT INTO undos (uuid, review_uuid, at, device, rev) VALUES (?, ?, ?, ?, -1)"
                " ON CONFLICT (uuid) DO NOTHING",
                rows.get("undos", ()),
            )
            touched = {row[1] for row in rows.get("undos", ())}
            attempts = {row[1] for row in rows.get("reviews", ())}
            questions = {row[2] for row in rows.get("reviews", ())}
            for review_uuid in touched:
                found = db.execute(
                    "SELECT attempt_uuid, question_id FROM reviews WHERE uuid = ?", (review_uuid,)
                ).fetchone()
                if found is not None:
                    attempts.add(found[0])
                    questions.add(found[1])
            for attempt_uuid in attempts:
                self._settle_attempt(db, attempt_uuid)
            if not self._replay_pending(db):
                self._replay(db, sorted(questions))
            db.executemany(
                "INSERT INTO meta (key, value) VALUES (?, ?)"
                " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                list(bookkeeping.items()),
            )
        return questions

    @staticmethod
    def _settle_attempt(db: sqlite3.Connection, attempt_uuid: str) -> None:
        """An attempt's rating is its latest standing review's (or none, when all are undone)."""
        latest = db.execute(
            "SELECT * FROM reviews r WHERE attempt_uuid = ? AND NOT EXISTS"
            " (SELECT 1 FROM undos u WHERE u.review_uuid = r.uuid)"
            " ORDER BY rated_at DESC, uuid DESC LIMIT 1",
            (attempt_uuid,),
        ).fetchone()
        if latest is None:
            db.execute(
                "UPDATE attempts SET status = 'open', rating = NULL, rated_at = NULL"
                " WHERE uuid = ? AND status = 'rated'",
                (attempt_uuid,),
            )
            return
        db.execute(
            "UPDATE attempts SET status = 'rated', rating = ?, rated_at = ?, answer = ?,"
            " time_spent_ms = ?, hints_used = ?, rubric_ticked = ?, rubric_coverage = ?,"
            " auto_grade = ? WHERE uuid = ?",
            (
                latest["rating"],
                latest["rated_at"],
                latest["answer"],
                latest["duration_ms"],
                latest["hints_used"],
                latest["rubric_ticked"],
                latest["rubric_coverage"],
                latest["auto_grade"],
                attempt_uuid,
            ),
        )

    # -- export and import -----------------------------------------------------------------

    def export_rows(self) -> dict[str, list[dict[str, Any]]]:
        # The export format predates the sync bookkeeping (rev), which stays out of it.
        sessions = [
            {key: value for key, value in dict(row).items() if key != "rev"}
            for row in self._read("SELECT * FROM sessions ORDER BY id")
        ]
        # Budgets recorded before they were bounded are written within the bounds import takes.
        attempts = [
            {
                **{key: value for key, value in dict(row).items() if key != "rev"},
                "time_budget_s": min(max(row["time_budget_s"], MIN_BUDGET_S), MAX_BUDGET_S),
            }
            for row in self._read("SELECT * FROM attempts ORDER BY id")
        ]
        cards = [dict(row) for row in self._read("SELECT * FROM cards ORDER BY question_id")]
        code_runs = [dict(row) for row in self._read("SELECT * FROM code_runs ORDER BY id")]
        return {"sessions": sessions, "attempts": attempts, "cards": cards, "code_runs": code_runs}

    def import_rows(
        self,
        sessions: Sequence[dict[str, Any]],
        attempts: Sequence[dict[str, Any]],
        cards: Sequence[dict[str, Any]],
        code_runs: Sequence[dict[str, Any]] = (),
    ) -> tuple[int, int]:
        """Merge exported rows by uuid. Returns (sessions added, attempts added)."""
        added_sessions = added_attempts = 0
        replayed: set[str] = set()
        with self.transaction() as db:
            session_ids: dict[int, int] = {}
            for session in sessions:
                found = db.execute(
                    "SELECT id FROM sessions WHERE uuid = ?", (session["uuid"],)
                ).fetchone()
                if found:
                    session_ids[session["id"]] = found[0]
                    continue
                cursor = db.execute(
                    "INSERT INTO sessions (uuid, started_at, ended_at, mode, filters, reschedule)"
                    " VALUES (:uuid, :started_at, :ended_at, :mode, :filters, :reschedule)",
                    session,
                )
                session_ids[session["id"]] = int(cursor.lastrowid or 0)
                added_sessions += 1
            attempt_ids: dict[int, int] = {}
            for attempt in attempts:
                found = db.execute(
                    "SELECT id FROM attempts WHERE uuid = ?", (attempt["uuid"],)
                ).fetchone()
                if found:
                    attempt_ids[attempt["id"]] = found[0]
                    continue
                row = {**attempt, "session_id": session_ids[attempt["session_id"]]}
                cursor = db.execute(
                    "INSERT INTO attempts (uuid, session_id, question_id, skill, content_hash,"
                    " started_at, time_spent_ms, time_budget_s, hints_used, answer, rubric_ticked,"
                    " rubric_coverage, rating, auto_grade, rated_at, status, card_before, language)"
                    " VALUES (:uuid, :session_id, :question_id, :skill, :content_hash, :started_at,"
                    " :time_spent_ms, :time_budget_s, :hints_used, :answer, :rubric_ticked,"
                    " :rubric_coverage, :rating, :auto_grade, :rated_at, :status, :card_before,"
                    " :language)",
                    {"language": None, **row},
                )
                attempt_ids[attempt["id"]] = int(cursor.lastrowid or 0)
                added_attempts += 1
                if attempt["status"] == "rated":
                    # The review the attempt records, with the id a migration would give it.
                    db.execute(
                        "INSERT INTO reviews (uuid, attempt_uuid, question_id, rating, rated_at,"
                        " duration_ms, schedules, device, answer, hints_used, rubric_ticked,"
                        " rubric_coverage, auto_grade) SELECT a.uuid || '-r', a.uuid,"
                        " a.question_id, a.rating, a.rated_at, a.time_spent_ms, s.reschedule,"
                        " 'import', a.answer, a.hints_used, a.rubric_ticked, a.rubric_coverage,"
                        " a.auto_grade FROM attempts a JOIN sessions s ON s.id = a.session_id"
                        " WHERE a.uuid = ? ON CONFLICT (uuid) DO NOTHING",
                        (attempt["uuid"],),
                    )
                    replayed.add(attempt["question_id"])
            for run in code_runs:
                db.execute(
                    "INSERT INTO code_runs (uuid, attempt_id, language, started_at, code, status,"
                    " passed, total, seconds, result) VALUES (:uuid, :attempt_id, :language,"
                    " :started_at, :code, :status, :passed, :total, :seconds, :result)"
                    " ON CONFLICT (uuid) DO NOTHING",
                    {**run, "attempt_id": attempt_ids[run["attempt_id"]]},
                )
            for card in cards:
                # Keep whichever side saw the question more recently.
                db.execute(
                    "INSERT INTO cards (question_id, card, due, reps) VALUES"
                    " (:question_id, :card, :due, :reps) ON CONFLICT (question_id) DO UPDATE SET"
                    " card = excluded.card, due = excluded.due, reps = excluded.reps"
                    " WHERE json_extract(excluded.card, '$.last_review')"
                    " > json_extract(cards.card, '$.last_review')",
                    card,
                )
            if not self._replay_pending(db):
                self._replay(db, sorted(replayed))
        return added_sessions, added_attempts
