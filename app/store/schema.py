"""The history database's schema, one entry per version. Migrations only ever append."""

from __future__ import annotations

APPLICATION_ID = 0x64726C62  # "drlb"

# Version 1: the first release's schema. Kept verbatim so that migrations are tested from it.
V1 = """
CREATE TABLE sessions (
    id INTEGER PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    started_at TEXT NOT NULL,
    ended_at TEXT,
    mode TEXT NOT NULL CHECK (mode IN ('auto', 'due', 'new', 'weakest', 'random', 'mock', 'loop')),
    filters TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(filters)),
    reschedule INTEGER NOT NULL DEFAULT 1 CHECK (reschedule IN (0, 1))
);
CREATE TABLE attempts (
    id INTEGER PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    question_id TEXT NOT NULL CHECK (length(question_id) > 0),
    content_hash TEXT NOT NULL,
    started_at TEXT NOT NULL,
    time_spent_ms INTEGER NOT NULL DEFAULT 0 CHECK (time_spent_ms >= 0),
    time_budget_s INTEGER NOT NULL CHECK (time_budget_s > 0),
    hints_used INTEGER NOT NULL DEFAULT 0 CHECK (hints_used >= 0),
    answer TEXT NOT NULL DEFAULT '',
    rubric_ticked TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(rubric_ticked)),
    rubric_coverage REAL CHECK (rubric_coverage BETWEEN 0 AND 1),
    rating INTEGER CHECK (rating BETWEEN 1 AND 4),
    auto_grade INTEGER CHECK (auto_grade IN (0, 1)),
    rated_at TEXT,
    status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'rated', 'skipped')),
    CHECK ((status = 'rated') = (rating IS NOT NULL AND rated_at IS NOT NULL))
);
CREATE INDEX attempts_question ON attempts(question_id);
CREATE TABLE cards (
    question_id TEXT PRIMARY KEY,
    card TEXT NOT NULL CHECK (json_valid(card)),
    due TEXT NOT NULL,
    reps INTEGER NOT NULL DEFAULT 0 CHECK (reps >= 0)
);
"""

# Version 2: the skill an attempt belonged to (so history of retired questions still groups by
# skill), the card state before each rating (for undo), and indexes for the due queue and stats.
V2 = """
ALTER TABLE attempts ADD COLUMN skill TEXT NOT NULL DEFAULT '';
ALTER TABLE attempts ADD COLUMN card_before TEXT CHECK (card_before IS NULL OR json_valid(card_before));
CREATE INDEX cards_due ON cards(due);
CREATE INDEX attempts_rated ON attempts(rated_at) WHERE status = 'rated';
"""

# Version 3: a covering index for what planning a session reads of every rated attempt (the
# questions seen, their mean rubric coverage), so a session starts quickly on a long history.
V3 = """
CREATE INDEX attempts_rated_by_question ON attempts(question_id, rubric_coverage, auto_grade)
    WHERE status = 'rated';
"""

# Version 4: coding exercises. An attempt's answer holds the candidate's code, saved as drafts
# like any answer, with the language it is written in; every run of the tests is kept with the
# code it ran and its result (JSON of app.coding.results.RunResult).
V4 = """
ALTER TABLE attempts ADD COLUMN language TEXT
    CHECK (language IS NULL OR language IN ('python', 'go', 'rust'));
CREATE TABLE code_runs (
    id INTEGER PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    attempt_id INTEGER NOT NULL REFERENCES attempts(id) ON DELETE CASCADE,
    language TEXT NOT NULL CHECK (language IN ('python', 'go', 'rust')),
    started_at TEXT NOT NULL,
    code TEXT NOT NULL,
    status TEXT NOT NULL,
    passed INTEGER NOT NULL CHECK (passed >= 0),
    total INTEGER NOT NULL CHECK (total >= passed),
    seconds REAL NOT NULL CHECK (seconds >= 0),
    result TEXT NOT NULL CHECK (json_valid(result))
);
CREATE INDEX code_runs_attempt ON code_runs(attempt_id);
"""

MIGRATIONS: tuple[str, ...] = (V1, V2, V3, V4)
SCHEMA_VERSION = len(MIGRATIONS)
