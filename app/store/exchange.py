"""Export the history as JSON or CSV, and import a JSON export back (merging by uuid)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
)

from app.bank.durations import MAX_BUDGET_S, MIN_BUDGET_S
from app.store.db import Store, StoreError, from_text, to_text, utc_now
from app.store.schema import SCHEMA_VERSION

FORMAT = "drillbit-history"
TIMESTAMP = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$"


EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
LATEST_DUE = datetime(2200, 1, 1, tzinfo=UTC)
"""FSRS schedules at most a hundred years ahead."""


def _past_moment(text: str) -> str:
    """Something that happened: not before 2000, nor more than a day from now (clock skew)."""
    # The pattern lets 2026-13-45T99:99:99 through; the calendar does not.
    moment = from_text(text)
    if not EARLIEST <= moment <= utc_now() + timedelta(days=1):
        raise ValueError("a moment before 2000 or in the future")
    return text


def _due_moment(text: str) -> str:
    if not EARLIEST <= from_text(text) < LATEST_DUE:
        raise ValueError("a due date before 2000 or after 2199")
    return text


Timestamp = Annotated[str, StringConstraints(pattern=TIMESTAMP), AfterValidator(_past_moment)]
DueTimestamp = Annotated[str, StringConstraints(pattern=TIMESTAMP), AfterValidator(_due_moment)]
JsonText = Annotated[str, StringConstraints(max_length=1_000_000)]
# SQLite stores 64-bit integers; a larger one would fail the insert with OverflowError.
INT64_MAX = 2**63 - 1
Int64 = Annotated[int, Field(ge=-(2**63), le=INT64_MAX)]
MAX_SPENT_MS = 10**12  # 31 years on one question


class _Row(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class SessionRow(_Row):
    id: Int64
    uuid: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    started_at: Timestamp
    ended_at: Timestamp | None
    mode: Literal["auto", "due", "new", "weakest", "random", "mock", "loop"]
    filters: JsonText
    reschedule: Literal[0, 1]


class AttemptRow(_Row):
    id: Int64
    uuid: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    session_id: Int64
    question_id: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    skill: str
    content_hash: str
    started_at: Timestamp
    # Bounded far below 2**63 so that the stats' sums over every attempt cannot overflow either.
    time_spent_ms: int = Field(ge=0, le=MAX_SPENT_MS)
    time_budget_s: int = Field(ge=MIN_BUDGET_S, le=MAX_BUDGET_S)
    hints_used: int = Field(ge=0, le=1_000_000)
    answer: str
    rubric_ticked: JsonText
    rubric_coverage: float | None = Field(ge=0, le=1)
    rating: Literal[1, 2, 3, 4] | None
    auto_grade: Literal[0, 1] | None
    rated_at: Timestamp | None
    status: Literal["open", "rated", "skipped"]
    card_before: JsonText | None
    language: Literal["python", "go", "rust"] | None = None
    """Coding exercises only; absent from exports before schema 4."""


class CardRowModel(_Row):
    question_id: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    card: JsonText
    due: DueTimestamp
    reps: int = Field(ge=0, le=1_000_000_000)


class CodeRunRow(_Row):
    id: Int64
    uuid: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    attempt_id: Int64
    language: Literal["python", "go", "rust"]
    started_at: Timestamp
    code: str
    status: Annotated[str, StringConstraints(min_length=1, max_length=40)]
    passed: int = Field(ge=0, le=1_000_000)
    total: int = Field(ge=0, le=1_000_000)
    seconds: float = Field(ge=0, le=10**6)
    result: JsonText


class ExportFile(_Row):
    format: Literal["drillbit-history"]
    version: Literal[1]
    schema_version: int
    exported_at: Timestamp
    sessions: list[SessionRow]
    attempts: list[AttemptRow]
    cards: list[CardRowModel]
    code_runs: list[CodeRunRow] = []
    """Runs of coding exercises' tests; absent from exports before schema 4."""


def export_json(store: Store, now: datetime | None = None) -> str:
    rows = store.export_rows()
    document = {
        "format": FORMAT,
        "version": 1,
        "schema_version": SCHEMA_VERSION,
        "exported_at": to_text(now or utc_now()),
        **rows,
    }
    return json.dumps(document, indent=1, ensure_ascii=False) + "\n"


CSV_COLUMNS = (
    "session_uuid",
    "session_mode",
    "attempt_uuid",
    "question_id",
    "skill",
    "content_hash",
    "started_at",
    "rated_at",
    "status",
    "rating",
    "auto_grade",
    "rubric_coverage",
    "rubric_ticked",
    "hints_used",
    "time_spent_ms",
    "time_budget_s",
    "answer",
)


def export_csv(store: Store) -> str:
    rows = store.export_rows()
    sessions = {session["id"]: session for session in rows["sessions"]}
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for attempt in rows["attempts"]:
        session = sessions[attempt["session_id"]]
        writer.writerow(
            [session["uuid"], session["mode"], attempt["uuid"]]
            + [attempt[column] for column in CSV_COLUMNS[3:]]
        )
    return buffer.getvalue()


class ImportError_(StoreError):
    """The file is not a drillbit export, or is damaged."""


def parse_export(text: str) -> ExportFile:
    try:
        data: Any = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as error:
        raise ImportError_(f"not a JSON file: {error}") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ImportError_("not a drillbit history export (format is not drillbit-history)")
    try:
        # JSON may spell lone surrogates (\ud800), which no UTF-8 database can store.
        json.dumps(data, ensure_ascii=False).encode("utf-8")
    except (UnicodeEncodeError, RecursionError):
        raise ImportError_("damaged export: text that is not valid Unicode") from None
    try:
        document = ExportFile.model_validate(data)
    except ValidationError as error:
        first = error.errors(include_url=False)[0]
        where = ".".join(str(part) for part in first["loc"])
        raise ImportError_(f"damaged export at {where}: {first['msg']}") from None
    _refuse_duplicates("session", document.sessions)
    _refuse_duplicates("attempt", document.attempts)
    session_ids = {session.id for session in document.sessions}
    for attempt in document.attempts:
        if attempt.session_id not in session_ids:
            raise ImportError_(f"damaged export: attempt {attempt.uuid} names a missing session")
    attempt_ids = {attempt.id for attempt in document.attempts}
    for run in document.code_runs:
        if run.attempt_id not in attempt_ids:
            raise ImportError_(f"damaged export: code run {run.uuid} names a missing attempt")
        if run.passed > run.total:
            raise ImportError_(f"damaged export: code run {run.uuid} passed more than it ran")
        try:
            if not isinstance(json.loads(run.result), dict):
                raise ValueError
        except (ValueError, RecursionError):
            raise ImportError_(f"damaged export: the result of code run {run.uuid}") from None
    for card in document.cards:
        if not _usable_card(card.card):
            raise ImportError_(f"damaged export: the card of {card.question_id}")
    for row in (*document.sessions, *document.attempts):
        for name in ("filters", "rubric_ticked", "card_before"):
            value = getattr(row, name, None)
            if value is None:
                continue
            try:
                parsed = json.loads(value)
            except (json.JSONDecodeError, RecursionError):
                raise ImportError_(f"damaged export: {name} of {row.uuid} is not JSON") from None
            if not _shaped(name, parsed, value):
                raise ImportError_(f"damaged export: {name} of {row.uuid} has the wrong shape")
    return document


def _refuse_duplicates(kind: str, rows: Sequence[SessionRow] | Sequence[AttemptRow]) -> None:
    """Two rows with one id or uuid: merging would attach attempts to the wrong session."""
    for key in ("id", "uuid"):
        seen: set[object] = set()
        for index, row in enumerate(rows):
            value = getattr(row, key)
            if value in seen:
                raise ImportError_(
                    f"damaged export at {kind}s.{index}.{key}: {value!r} appears twice"
                )
            seen.add(value)


def _shaped(name: str, parsed: Any, text: str) -> bool:
    """Whether a JSON column holds what drillbit reads back from it."""
    if name == "filters":
        return isinstance(parsed, dict)
    if name == "rubric_ticked":
        return isinstance(parsed, list) and all(
            type(index) is int and 0 <= index <= INT64_MAX for index in parsed
        )
    return _usable_card(text)  # card_before: undo puts it back as the card


def _usable_card(text: str) -> bool:
    """Whether the scheduler can read the card and review it (what practising will do)."""
    from app.practice import scheduler

    try:
        card = scheduler.parse_card(text)
        if card.due.tzinfo is None or (card.last_review and card.last_review.tzinfo is None):
            return False
        now = utc_now()
        scheduler.retrievability(card, now)
        scheduler.review(card, scheduler.Grade.GOOD, now)
    except Exception:  # untrusted input: whatever the scheduler chokes on makes it damaged
        return False
    return True


def import_json(store: Store, text: str) -> tuple[int, int]:
    """Merge an export into the store. Returns (sessions added, attempts added)."""
    document = parse_export(text)
    if document.schema_version > SCHEMA_VERSION:
        raise ImportError_("the export comes from a newer drillbit; upgrade drillbit first")
    try:
        return store.import_rows(
            [row.model_dump() for row in document.sessions],
            [row.model_dump() for row in document.attempts],
            [row.model_dump() for row in document.cards],
            [row.model_dump() for row in document.code_runs],
        )
    except StoreError:
        raise
    except (OverflowError, UnicodeError, ValueError, TypeError) as error:
        # A value SQLite cannot take; the transaction was rolled back, nothing was merged.
        raise ImportError_(f"damaged export: {error}") from None
