"""The team server: a PostgreSQL database that holds the history of everyone in a team.

Its schema lives in the ``drillbit`` schema, versioned in ``drillbit.meta`` like the local store's
``user_version``: a server with a newer schema, or a database that is not a drillbit server, is
refused and left untouched. Row-level security keys every row on the role that wrote it
(``owner = current_user``): candidates read and write their own rows; interviewers read the
team's as well. Nothing here stores a password: connections take them the libpq way.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import psycopg

CANDIDATE = "drillbit_candidate"
INTERVIEWER = "drillbit_interviewer"
GROUPS = {"candidate": CANDIDATE, "interviewer": INTERVIEWER}
TABLES = ("sessions", "attempts", "reviews", "undos")
CONNECT_TIMEOUT_S = 5

# Version 1. Each row records its owner (the login role that pushed it) and the transaction
# that wrote it (txid), which lets a device pull exactly what committed since its last pull.
V1 = """
CREATE TABLE drillbit.meta (key text PRIMARY KEY, value text NOT NULL);
CREATE TABLE drillbit.sessions (
    uuid text PRIMARY KEY,
    owner name NOT NULL DEFAULT current_user,
    started_at timestamptz NOT NULL,
    ended_at timestamptz,
    mode text NOT NULL,
    filters jsonb NOT NULL DEFAULT '{}',
    reschedule boolean NOT NULL,
    txid xid8 NOT NULL DEFAULT pg_current_xact_id()
);
CREATE TABLE drillbit.attempts (
    uuid text PRIMARY KEY,
    owner name NOT NULL DEFAULT current_user,
    session_uuid text NOT NULL,
    question_id text NOT NULL,
    skill text NOT NULL,
    content_hash text NOT NULL,
    started_at timestamptz NOT NULL,
    time_budget_s integer NOT NULL CHECK (time_budget_s > 0),
    time_spent_ms bigint NOT NULL,
    hints_used integer NOT NULL,
    answer text NOT NULL,
    status text NOT NULL,
    rev bigint NOT NULL,
    txid xid8 NOT NULL DEFAULT pg_current_xact_id()
);
CREATE TABLE drillbit.reviews (
    uuid text PRIMARY KEY,
    owner name NOT NULL DEFAULT current_user,
    attempt_uuid text NOT NULL,
    question_id text NOT NULL,
    rating smallint NOT NULL CHECK (rating BETWEEN 1 AND 4),
    rated_at timestamptz NOT NULL,
    duration_ms bigint NOT NULL,
    schedules boolean NOT NULL,
    device text NOT NULL,
    answer text NOT NULL,
    hints_used integer NOT NULL,
    rubric_ticked jsonb NOT NULL,
    rubric_coverage double precision,
    auto_grade boolean,
    txid xid8 NOT NULL DEFAULT pg_current_xact_id()
);
CREATE TABLE drillbit.undos (
    uuid text PRIMARY KEY,
    owner name NOT NULL DEFAULT current_user,
    review_uuid text NOT NULL,
    at timestamptz NOT NULL,
    device text NOT NULL,
    txid xid8 NOT NULL DEFAULT pg_current_xact_id()
);
CREATE INDEX sessions_pull ON drillbit.sessions (owner, txid);
CREATE INDEX attempts_pull ON drillbit.attempts (owner, txid);
CREATE INDEX reviews_pull ON drillbit.reviews (owner, txid);
CREATE INDEX undos_pull ON drillbit.undos (owner, txid);
CREATE INDEX reviews_attempt ON drillbit.reviews (attempt_uuid);
CREATE INDEX undos_review ON drillbit.undos (review_uuid);
"""

# Version 2: the language of a coding exercise's answer (the code), so the answer reads right
# on every device.
V2 = """
ALTER TABLE drillbit.attempts ADD COLUMN language text
    CHECK (language IS NULL OR language IN ('python', 'go', 'rust'));
"""

MIGRATIONS: tuple[str, ...] = (V1, V2)
SCHEMA_VERSION = len(MIGRATIONS)


def _grants() -> str:
    """Roles, privileges and policies: rerun by every init, so they follow the tables."""
    statements = [
        f"GRANT USAGE ON SCHEMA drillbit TO {CANDIDATE}, {INTERVIEWER}",
        f"GRANT SELECT ON drillbit.meta TO {CANDIDATE}, {INTERVIEWER}",
    ]
    for table in TABLES:
        # Append-only: no DELETE for anyone; UPDATE only of what a later push completes.
        statements += [
            f"ALTER TABLE drillbit.{table} ENABLE ROW LEVEL SECURITY",
            f"GRANT SELECT, INSERT ON drillbit.{table} TO {CANDIDATE}, {INTERVIEWER}",
            f"DROP POLICY IF EXISTS own_rows ON drillbit.{table}",
            f"CREATE POLICY own_rows ON drillbit.{table} TO {CANDIDATE}, {INTERVIEWER}"
            " USING (owner = current_user) WITH CHECK (owner = current_user)",
            f"DROP POLICY IF EXISTS team_reads ON drillbit.{table}",
            f"CREATE POLICY team_reads ON drillbit.{table} FOR SELECT TO {INTERVIEWER}"
            " USING (true)",
        ]
    statements += [
        f"GRANT UPDATE (ended_at, txid) ON drillbit.sessions TO {CANDIDATE}, {INTERVIEWER}",
        "GRANT UPDATE (time_spent_ms, hints_used, answer, status, language, rev, txid)"
        " ON drillbit.attempts"
        f" TO {CANDIDATE}, {INTERVIEWER}",
    ]
    return ";\n".join(statements)


class ServerError(Exception):
    """A problem with the server the user should hear about in one line."""


def connect(url: str, **options: Any) -> psycopg.Connection[Any]:
    """A connection to ``url`` (libpq finds the password: .pgpass, PGPASSWORD, services)."""
    try:
        import psycopg
    except ImportError:
        raise ServerError("team mode needs psycopg: pip install 'psycopg[binary]>=3.1'") from None
    try:
        return psycopg.connect(
            url, connect_timeout=CONNECT_TIMEOUT_S, application_name="drillbit", **options
        )
    except psycopg.OperationalError as error:
        raise ServerError(f"cannot reach the server: {first_line(error)}") from None
    except psycopg.ProgrammingError as error:
        raise ServerError(f"not a PostgreSQL URL: {first_line(error)}") from None


def first_line(error: BaseException) -> str:
    """The gist of a libpq or server message, safe to print (a server chooses its text)."""
    from app.textfmt import printable

    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    return printable(lines[-1]) if lines else type(error).__name__


def server_version(connection: psycopg.Connection[Any]) -> int | None:
    """The drillbit schema version, None for a database with no drillbit schema at all.

    Raises for a database that has a ``drillbit`` schema that is not ours."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass('drillbit.meta') IS NOT NULL")
        (has_meta,) = cursor.fetchone() or (False,)
        if not has_meta:
            cursor.execute("SELECT count(*) FROM pg_namespace WHERE nspname = 'drillbit'")
            if (cursor.fetchone() or (0,))[0]:
                raise ServerError("not a drillbit server (a foreign 'drillbit' schema); untouched")
            return None
        cursor.execute(
            "SELECT max(value) FILTER (WHERE key = 'application'),"
            " max(value) FILTER (WHERE key = 'schema_version') FROM drillbit.meta"
        )
        application, version = cursor.fetchone() or (None, None)
    if application != "drillbit" or version is None or not version.isdigit():
        raise ServerError("not a drillbit server (drillbit.meta is not ours); left untouched")
    return int(version)


def check_usable(connection: psycopg.Connection[Any]) -> int:
    """The server's schema version, if this drillbit can sync with it; else ServerError."""
    version = server_version(connection)
    connection.rollback()
    if version is None:
        raise ServerError("not a drillbit server (run drillbit server init URL first)")
    if version > SCHEMA_VERSION:
        raise ServerError(
            f"the server has schema {version}, newer than this drillbit's {SCHEMA_VERSION};"
            " upgrade drillbit"
        )
    if version < SCHEMA_VERSION:
        raise ServerError(
            f"the server has schema {version}; an administrator runs drillbit server init"
        )
    return version


def init(url: str) -> tuple[int, int]:
    """Create or migrate the schema and the roles; returns (version before, version after).

    Refuses, untouched, a newer schema and a database holding anything else (a drillbit server
    gets a database of its own)."""
    import psycopg
    from psycopg import sql

    with connect(url) as connection:
        before = server_version(connection)
        if before is not None and before > SCHEMA_VERSION:
            raise ServerError(
                f"the server has schema {before}, newer than this drillbit's {SCHEMA_VERSION};"
                " upgrade drillbit. Left untouched"
            )
        if before is None:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                    " WHERE c.relkind IN ('r', 'v', 'm', 'p', 'f') AND n.nspname NOT IN"
                    " ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'"
                )
                if (cursor.fetchone() or (0,))[0]:
                    raise ServerError(
                        "not a drillbit server: the database holds other tables; give drillbit"
                        " a database of its own. Left untouched"
                    )
        connection.rollback()
        try:
            with connection.transaction(), connection.cursor() as cursor:
                # One init at a time; the second sees the first one's work.
                cursor.execute("SELECT pg_advisory_xact_lock(hashtext('drillbit server init'))")
                current = server_version(connection) or 0
                for name in GROUPS.values():
                    cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (name,))
                    if cursor.fetchone() is None:
                        cursor.execute(f"CREATE ROLE {name} NOLOGIN")
                if current == 0:
                    cursor.execute("CREATE SCHEMA drillbit")
                for script in MIGRATIONS[current:]:
                    cursor.execute(script)
                cursor.execute(
                    "INSERT INTO drillbit.meta (key, value) VALUES ('application', 'drillbit'),"
                    " ('schema_version', %s), ('server_id', gen_random_uuid()::text)"
                    " ON CONFLICT (key) DO UPDATE SET value = excluded.value"
                    " WHERE drillbit.meta.key <> 'server_id'",
                    (str(SCHEMA_VERSION),),
                )
                cursor.execute(_grants())
                cursor.execute("SELECT current_database()")
                database = (cursor.fetchone() or ("",))[0]
                cursor.execute(
                    sql.SQL("GRANT CONNECT ON DATABASE {} TO {}, {}").format(
                        sql.Identifier(database),
                        sql.Identifier(CANDIDATE),
                        sql.Identifier(INTERVIEWER),
                    )
                )
        except psycopg.errors.InsufficientPrivilege as error:
            raise ServerError(f"not allowed: {first_line(error)}") from None
    return before or 0, SCHEMA_VERSION


_ROLE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def add_user(url: str, name: str, role: str, password: str | None = None) -> None:
    """A login role in the candidate or interviewer group (the password, if any, is handed to
    the server, which keeps only its hash)."""
    import psycopg
    from psycopg import sql

    if not _ROLE_NAME.match(name):
        raise ServerError(f"{name!r}: a user name is lower-case letters, digits and _ (at most 63)")
    with connect(url) as connection:
        check_usable(connection)
        try:
            with connection.transaction(), connection.cursor() as cursor:
                cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (name,))
                if cursor.fetchone() is not None:
                    raise ServerError(f"a role named {name!r} already exists")
                cursor.execute(
                    sql.SQL("CREATE ROLE {} LOGIN IN ROLE {}").format(
                        sql.Identifier(name), sql.Identifier(GROUPS[role])
                    )
                )
                if password:
                    cursor.execute(
                        sql.SQL("ALTER ROLE {} PASSWORD {}").format(
                            sql.Identifier(name), sql.Literal(password)
                        )
                    )
        except psycopg.errors.InsufficientPrivilege as error:
            raise ServerError(f"not allowed: {first_line(error)}") from None
