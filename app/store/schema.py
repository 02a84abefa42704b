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

# Version 5: history as an append-only log that syncs between devices (team mode, issue 16).
# - ``meta`` holds this database's device id (and sync bookkeeping);
# - ``reviews`` logs every rating with the answer as rated, ``undos`` takes one back as an event
#   of its own; the ``cards`` table becomes a cache, replayed from the non-undone reviews;
# - ``rev`` numbers each local change from one counter, so a sync pushes the rows changed since
#   the last one without marking rows (rows pulled from a server carry -1 and are never pushed).
# Rated attempts become reviews whose uuid derives from the attempt's, so two copies of one
# database migrate to the same events.
V5 = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
INSERT INTO meta (key, value) VALUES ('device', lower(hex(randomblob(16))));
INSERT INTO meta (key, value) VALUES ('rev', '1');
INSERT INTO meta (key, value) SELECT 'replay_pending', '1' WHERE EXISTS (SELECT 1 FROM cards);
CREATE TABLE reviews (
    id INTEGER PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    attempt_uuid TEXT NOT NULL,
    question_id TEXT NOT NULL,
    rating INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 4),
    rated_at TEXT NOT NULL,
    duration_ms INTEGER NOT NULL DEFAULT 0,
    schedules INTEGER NOT NULL DEFAULT 1 CHECK (schedules IN (0, 1)),
    device TEXT NOT NULL,
    answer TEXT NOT NULL DEFAULT '',
    hints_used INTEGER NOT NULL DEFAULT 0,
    rubric_ticked TEXT NOT NULL DEFAULT '[]',
    rubric_coverage REAL,
    auto_grade INTEGER,
    rev INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX reviews_question ON reviews(question_id, rated_at, uuid);
CREATE INDEX reviews_attempt ON reviews(attempt_uuid);
CREATE INDEX reviews_rev ON reviews(rev);
CREATE TABLE undos (
    id INTEGER PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    review_uuid TEXT NOT NULL,
    at TEXT NOT NULL,
    device TEXT NOT NULL,
    rev INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX undos_review ON undos(review_uuid);
CREATE INDEX undos_rev ON undos(rev);
INSERT INTO reviews (uuid, attempt_uuid, question_id, rating, rated_at, duration_ms, schedules,
    device, answer, hints_used, rubric_ticked, rubric_coverage, auto_grade, rev)
SELECT a.uuid || '-r', a.uuid, a.question_id, a.rating, a.rated_at, a.time_spent_ms, s.reschedule,
    (SELECT value FROM meta WHERE key = 'device'), a.answer, a.hints_used, a.rubric_ticked,
    a.rubric_coverage, a.auto_grade, 1
FROM attempts a JOIN sessions s ON s.id = a.session_id WHERE a.status = 'rated' ORDER BY a.id;
ALTER TABLE sessions ADD COLUMN rev INTEGER NOT NULL DEFAULT 1;
ALTER TABLE attempts ADD COLUMN rev INTEGER NOT NULL DEFAULT 1;
CREATE INDEX sessions_rev ON sessions(rev);
CREATE INDEX attempts_rev ON attempts(rev);
CREATE TRIGGER sessions_added AFTER INSERT ON sessions WHEN NEW.rev >= 0 BEGIN
    UPDATE meta SET value = value + 1 WHERE key = 'rev';
    UPDATE sessions SET rev = (SELECT value FROM meta WHERE key = 'rev') WHERE id = NEW.id;
END;
CREATE TRIGGER sessions_changed AFTER UPDATE OF ended_at ON sessions WHEN NEW.rev >= 0 BEGIN
    UPDATE meta SET value = value + 1 WHERE key = 'rev';
    UPDATE sessions SET rev = (SELECT value FROM meta WHERE key = 'rev') WHERE id = NEW.id;
END;
CREATE TRIGGER attempts_added AFTER INSERT ON attempts WHEN NEW.rev >= 0 BEGIN
    UPDATE meta SET value = value + 1 WHERE key = 'rev';
    UPDATE attempts SET rev = (SELECT value FROM meta WHERE key = 'rev') WHERE id = NEW.id;
END;
CREATE TRIGGER attempts_changed AFTER UPDATE OF status, answer, time_spent_ms, hints_used
    ON attempts WHEN NEW.rev >= 0 BEGIN
    UPDATE meta SET value = value + 1 WHERE key = 'rev';
    UPDATE attempts SET rev = (SELECT value FROM meta WHERE key = 'rev') WHERE id = NEW.id;
END;
CREATE TRIGGER reviews_added AFTER INSERT ON reviews WHEN NEW.rev >= 0 BEGIN
    UPDATE meta SET value = value + 1 WHERE key = 'rev';
    UPDATE reviews SET rev = (SELECT value FROM meta WHERE key = 'rev') WHERE id = NEW.id;
END;
CREATE TRIGGER undos_added AFTER INSERT ON undos WHEN NEW.rev >= 0 BEGIN
    UPDATE meta SET value = value + 1 WHERE key = 'rev';
    UPDATE undos SET rev = (SELECT value FROM meta WHERE key = 'rev') WHERE id = NEW.id;
END;
"""

MIGRATIONS: tuple[str, ...] = (V1, V2, V3, V4, V5)
SCHEMA_VERSION = len(MIGRATIONS)
