"""Team mode against a real PostgreSQL: server init, users, row-level security, sync."""

from __future__ import annotations

import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from threading import Barrier

import psycopg
import pytest

from app.practice import scheduler
from app.store.db import Store
from app.team import server
from app.team.sync import sync
from tests.conftest import REPO
from tests.pgserver import Database, pg_cluster, pg_database, unique_role

__all__ = ["pg_cluster", "pg_database"]  # fixtures, imported for pytest

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def practise(
    store: Store,
    question_id: str,
    grade: int,
    at: datetime,
    *,
    answer: str = "an answer",
    reschedule: bool = True,
    coverage: float = 0.5,
    ticked: tuple[int, ...] = (0,),
    skill: str = "networking",
) -> int:
    """One session with one rated attempt, through the store's API as the TUI uses it."""
    session = store.start_session("auto", reschedule=reschedule, now=at)
    attempt = store.start_attempt(session, question_id, skill, "hash", 300, now=at)
    review = (
        scheduler.reviewer(question_id, scheduler.Grade(grade), at, 60_000) if reschedule else None
    )
    store.rate(
        attempt,
        rating=grade,
        answer=answer,
        time_spent_ms=60_000,
        hints_used=0,
        rubric_ticked=list(ticked),
        rubric_coverage=coverage,
        auto_grade=None,
        review=review,
        now=at,
    )
    store.end_session(session, now=at + timedelta(minutes=2))
    return attempt


def team(database: Database, *roles: tuple[str, str]) -> dict[str, str]:
    """Init the server and add users; returns each user's connection URL."""
    server.init(database.url())
    urls = {}
    for name, role in roles:
        server.add_user(database.url(), name, role)
        urls[name] = database.url(name)
    return urls


def one_candidate(database: Database) -> str:
    """Init the server with one new candidate; returns their connection URL."""
    (url,) = team(database, (unique_role("cand"), "candidate")).values()
    return url


def history(store: Store) -> tuple[list[tuple[object, ...]], dict[str, object]]:
    """What two synced devices must agree on: the review log (with undos) and the due dates."""
    reviews = [
        (
            row["uuid"],
            row["attempt_uuid"],
            row["question_id"],
            row["rating"],
            row["rated_at"],
            row["answer"],
            row["undone"],
        )
        for row in store.reviews()
    ]
    return reviews, {qid: row.due for qid, row in store.cards().items()}


def test_two_devices_offline_on_one_question_converge_in_either_order(
    pg_database: Database, tmp_path: Path
) -> None:
    server.init(pg_database.url())
    for order in ("ab", "ba"):
        name = unique_role("cand")  # a user per round, so the rounds do not mix
        server.add_user(pg_database.url(), name, "candidate")
        url = pg_database.url(name)
        a = Store(tmp_path / f"{order}-a.sqlite3")
        b = Store(tmp_path / f"{order}-b.sqlite3")
        practise(a, "q-dns", 3, T0 + timedelta(days=1))
        practise(a, "q-tcp", 1, T0 + timedelta(days=1, hours=1))
        practise(b, "q-dns", 1, T0 + timedelta(days=1, minutes=30))  # between a's two
        first, second = (a, b) if order == "ab" else (b, a)
        sync(first, url)
        sync(second, url)
        sync(first, url)
        assert history(a) == history(b)
        reviews, dues = history(a)
        dns = [r for r in reviews if r[2] == "q-dns"]
        assert [r[3] for r in dns] == [3, 1]  # both ratings kept, in time order
        # The schedule is the replay of both ratings, not either device's alone.
        expected = scheduler.replay(
            "q-dns",
            [(3, T0 + timedelta(days=1), 60_000), (1, T0 + timedelta(days=1, minutes=30), 60_000)],
        )
        assert expected is not None and dues["q-dns"] == expected.due
        a.close()
        b.close()
        # The server holds both rounds' ratings, once each.
        with psycopg.connect(pg_database.url()) as admin:
            count = admin.execute(
                "SELECT count(*), count(DISTINCT uuid) FROM drillbit.reviews"
            ).fetchone()
        assert count is not None and count[0] == count[1] == (3 if order == "ab" else 6)


def test_undo_travels_as_an_event(pg_database: Database, tmp_path: Path) -> None:
    name = unique_role("cand")
    url = team(pg_database, (name, "candidate"))[name]
    a, b = Store(tmp_path / "a.sqlite3"), Store(tmp_path / "b.sqlite3")
    practise(a, "q-dns", 3, T0)
    attempt = practise(a, "q-dns", 4, T0 + timedelta(days=3))
    sync(a, url)
    sync(b, url)
    assert a.undo_rating(attempt, now=T0 + timedelta(days=3, minutes=1))
    sync(a, url)
    sync(b, url)
    assert history(a) == history(b)
    reviews, _ = history(b)
    assert [(r[3], r[6]) for r in reviews] == [(3, 0), (4, 1)]
    assert [x.status for x in b.attempts(rated_only=False)] == ["rated", "open"]
    a.close()
    b.close()


def test_candidate_cannot_read_another_candidates_answers(
    pg_database: Database, tmp_path: Path
) -> None:
    alice, bob, ines = unique_role("alice"), unique_role("bob"), unique_role("ines")
    urls = team(pg_database, (alice, "candidate"), (bob, "candidate"), (ines, "interviewer"))
    with Store(tmp_path / "alice.sqlite3") as store:
        practise(store, "q-dns", 3, T0, answer="alice's secret answer")
        sync(store, urls[alice])
    with Store(tmp_path / "bob.sqlite3") as store:
        practise(store, "q-dns", 2, T0, answer="bob's answer")
        sync(store, urls[bob])
    with psycopg.connect(urls[bob]) as connection:
        for table in ("reviews", "attempts"):
            rows = connection.execute(f"SELECT owner, answer FROM drillbit.{table}").fetchall()
            assert rows and {owner for owner, _ in rows} == {bob}
        leaked = connection.execute(
            "SELECT count(*) FROM drillbit.reviews WHERE answer LIKE 'alice%%'"
        ).fetchone()
        assert leaked == (0,)
        # Nor can bob write rows in alice's name.
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            connection.execute(
                "INSERT INTO drillbit.undos (uuid, owner, review_uuid, at, device)"
                " VALUES ('x', %s, 'y', now(), 'd')",
                (alice,),
            )
    with psycopg.connect(urls[ines]) as connection:
        owners = connection.execute("SELECT DISTINCT owner FROM drillbit.reviews").fetchall()
        assert {owner for (owner,) in owners} == {alice, bob}


def test_eight_devices_syncing_one_user_at_once_land_every_event_once(
    pg_database: Database, tmp_path: Path
) -> None:
    name = unique_role("cand")
    url = team(pg_database, (name, "candidate"))[name]
    shared = Store(tmp_path / "shared.sqlite3")
    for day in range(20):
        practise(shared, f"q-{day % 4}", 3, T0 + timedelta(days=day))
    shared.close()
    devices = []
    for n in range(8):
        path = tmp_path / f"device-{n}.sqlite3"
        path.write_bytes((tmp_path / "shared.sqlite3").read_bytes())  # one history, copied
        store = Store(path)
        for k in range(5):
            practise(store, f"q-{k}", 1 + (n + k) % 4, T0 + timedelta(days=30 + n, hours=k))
        devices.append(store)
    barrier = Barrier(8)

    def run(store: Store) -> None:
        barrier.wait()
        sync(store, url)

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(run, devices))
    for store in devices:
        sync(store, url)  # pick up what the others pushed meanwhile
    with psycopg.connect(pg_database.url()) as admin:
        counts = admin.execute(
            "SELECT count(*), count(DISTINCT uuid) FROM drillbit.reviews"
        ).fetchone()
        attempts = admin.execute("SELECT count(*) FROM drillbit.attempts").fetchone()
    assert counts == (20 + 8 * 5, 20 + 8 * 5)
    assert attempts == (20 + 8 * 5,)
    first = history(devices[0])
    assert len(first[0]) == 60
    for store in devices:
        assert history(store) == first
        store.close()


def test_server_down_fails_in_one_line_and_keeps_practising(tmp_path: Path) -> None:
    db = tmp_path / "h.sqlite3"
    with Store(db) as store:
        practise(store, "q-dns", 3, T0)
    url = f"postgresql://nobody@/drillbit?host={tmp_path}&port=1"  # no server on that socket
    result = subprocess.run(
        [sys.executable, "-m", "app", "--db", str(db), "sync", "--server", url],
        capture_output=True,
        text=True,
        cwd=REPO,
        env={**os.environ, "DRILLBIT_SERVER": ""},
    )
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1 and "cannot reach the server" in result.stderr
    with Store(db) as store:
        practise(store, "q-tcp", 2, T0 + timedelta(days=1))
        assert len(store.reviews()) == 2


def test_newer_or_foreign_servers_are_refused_untouched(
    pg_database: Database, tmp_path: Path
) -> None:
    with pg_database.admin() as admin:
        admin.execute("CREATE TABLE public.orders (id int)")
    with pytest.raises(server.ServerError, match="not a drillbit server"):
        server.init(pg_database.url())
    with pg_database.admin() as admin:
        tables = admin.execute(
            "SELECT table_schema, table_name FROM information_schema.tables"
            " WHERE table_schema NOT IN ('pg_catalog', 'information_schema')"
        ).fetchall()
        assert tables == [("public", "orders")]
        admin.execute("DROP TABLE public.orders")
    with Store(tmp_path / "h.sqlite3") as store:
        with pytest.raises(server.ServerError, match="not a drillbit server"):
            sync(store, pg_database.url())
        server.init(pg_database.url())
        with pg_database.admin() as admin:
            admin.execute("UPDATE drillbit.meta SET value = '99' WHERE key = 'schema_version'")
        practise(store, "q-dns", 3, T0)
        with pytest.raises(server.ServerError, match="newer"):
            sync(store, pg_database.url())
        with pytest.raises(server.ServerError, match="newer"):
            server.init(pg_database.url())
    with pg_database.admin() as admin:
        assert admin.execute("SELECT count(*) FROM drillbit.reviews").fetchone() == (0,)
        assert admin.execute(
            "SELECT value FROM drillbit.meta WHERE key = 'schema_version'"
        ).fetchone() == ("99",)


def test_init_twice_is_a_no_op_and_add_user_refuses_a_taken_name(pg_database: Database) -> None:
    assert server.init(pg_database.url()) == (0, server.SCHEMA_VERSION)
    assert server.init(pg_database.url()) == (server.SCHEMA_VERSION, server.SCHEMA_VERSION)
    name = unique_role("cand")
    server.add_user(pg_database.url(), name, "candidate")
    with pytest.raises(server.ServerError, match="already exists"):
        server.add_user(pg_database.url(), name, "interviewer")
    with pytest.raises(server.ServerError, match="user name"):
        server.add_user(pg_database.url(), "Robert'); DROP", "candidate")


@pytest.mark.parametrize("step", ["push-sent", "push-committed", "pull-fetched", "pull-applied"])
def test_kill_9_during_a_sync_then_again_converges(
    pg_database: Database, tmp_path: Path, step: str
) -> None:
    name = unique_role("cand")
    url = team(pg_database, (name, "candidate"))[name]
    a_path, b_path = tmp_path / "a.sqlite3", tmp_path / "b.sqlite3"
    with Store(a_path) as a, Store(b_path) as b:
        for day in range(6):
            practise(a, f"q-{day % 3}", 3, T0 + timedelta(days=day))
            practise(b, f"q-{day % 2}", 2, T0 + timedelta(days=day, hours=5))
        sync(b, url)
    env = {**os.environ, "DRILLBIT_SYNC_KILL_AT": step}
    command = [sys.executable, "-m", "app", "--db", str(a_path), "sync", "--server", url]
    killed = subprocess.run(command, capture_output=True, text=True, cwd=REPO, env=env)
    assert killed.returncode == -9, killed.stderr
    again = subprocess.run(command, capture_output=True, text=True, cwd=REPO)
    assert again.returncode == 0, again.stderr
    with Store(a_path) as a, Store(b_path) as b:
        sync(b, url)
        assert history(a) == history(b)
        assert len(history(a)[0]) == 12
    with psycopg.connect(pg_database.url()) as admin:
        assert admin.execute(
            "SELECT count(*), count(DISTINCT uuid) FROM drillbit.reviews"
        ).fetchone() == (12, 12)


def test_background_sync_after_a_session(pg_database: Database, tmp_path: Path) -> None:
    from app.team.sync import sync_in_background

    db = tmp_path / "h.sqlite3"
    with Store(db) as store:
        practise(store, "q-dns", 3, T0)
    lines: list[str] = []
    assert sync_in_background(db, lines.append) is None  # no server configured: nothing runs
    down = f"postgresql://nobody@/drillbit?host={tmp_path}&port=1"
    thread = sync_in_background(db, lines.append, url=down)
    assert thread is not None
    thread.join()
    assert len(lines) == 1 and lines[0].startswith("sync failed, will retry next time")
    name = unique_role("cand")
    url = team(pg_database, (name, "candidate"))[name]
    (tmp_path / "xdg-config" / "drillbit").mkdir(parents=True)
    (tmp_path / "xdg-config" / "drillbit" / "config.toml").write_text(f'server = "{url}"\n')
    thread = sync_in_background(db, lines.append)
    assert thread is not None
    thread.join()
    assert len(lines) == 1
    with psycopg.connect(pg_database.url()) as admin:
        assert admin.execute("SELECT count(*) FROM drillbit.reviews").fetchone() == (1,)


def test_clock_skew_above_five_minutes_is_reported(pg_database: Database, tmp_path: Path) -> None:
    name = unique_role("cand")
    url = team(pg_database, (name, "candidate"))[name]
    with Store(tmp_path / "h.sqlite3") as store:
        fast = sync(store, url, now=lambda: datetime.now(UTC) + timedelta(minutes=9))
        assert fast.skew_warning is not None and "9 minutes ahead of" in fast.skew_warning
        assert sync(store, url).skew_warning is None


def test_a_coding_answer_keeps_its_language_on_every_device(
    pg_database: Database, tmp_path: Path
) -> None:
    url = one_candidate(pg_database)
    with Store(tmp_path / "a.sqlite3") as a, Store(tmp_path / "b.sqlite3") as b:
        session = a.start_session("auto", now=T0)
        attempt = a.start_attempt(session, "code-port", "coding", "hash", 600, now=T0)
        a.save_draft(attempt, "package port", 1_000, 0, language="go")
        sync(a, url)  # the open attempt travels with its language...
        sync(b, url)
        assert [(x.question_id, x.answer, x.language) for x in b.attempts(rated_only=False)] == [
            ("code-port", "package port", "go")
        ]
        a.save_draft(attempt, "fn parse_port() {}", 2_000, 0, language="rust")
        sync(a, url)  # ...and so does a later change of language
        sync(b, url)
        assert [(x.answer, x.language) for x in b.attempts(rated_only=False)] == [
            ("fn parse_port() {}", "rust")
        ]


def test_a_version_1_server_is_refused_until_init_upgrades_it_keeping_its_rows(
    pg_database: Database, tmp_path: Path
) -> None:
    url = one_candidate(pg_database)
    with pg_database.admin() as admin:  # what a server made by the previous drillbit holds
        admin.execute("ALTER TABLE drillbit.attempts DROP COLUMN language")
        admin.execute("UPDATE drillbit.meta SET value = '1' WHERE key = 'schema_version'")
        admin.execute(
            "INSERT INTO drillbit.sessions (uuid, owner, started_at, mode, reschedule)"
            " VALUES ('s-old', 'someone', now(), 'auto', true)"
        )
    with Store(tmp_path / "h.sqlite3") as store:
        practise(store, "q-dns", 3, T0)
        with pytest.raises(server.ServerError, match="schema 1; an administrator runs"):
            sync(store, url)
        assert server.init(pg_database.url()) == (1, server.SCHEMA_VERSION)
        report = sync(store, url)
        assert report.pushed["reviews"] == 1
    with pg_database.admin() as admin:
        assert admin.execute(
            "SELECT count(*) FROM drillbit.sessions WHERE uuid = 's-old'"
        ).fetchone() == (1,)


def test_a_skip_and_an_end_after_the_first_push_reach_the_other_device(
    pg_database: Database, tmp_path: Path
) -> None:
    url = one_candidate(pg_database)
    with Store(tmp_path / "a.sqlite3") as a, Store(tmp_path / "b.sqlite3") as b:
        session = a.start_session("auto", now=T0)
        attempt = a.start_attempt(session, "q-dns", "networking", "hash", 600, now=T0)
        a.save_draft(attempt, "first draft", 1_000, 0)
        sync(a, url)
        sync(b, url)
        assert [x.status for x in b.attempts(rated_only=False)] == ["open"]
        a.skip(attempt, "second draft", 2_000, 0)
        a.end_session(session, now=T0 + timedelta(minutes=5))
        sync(a, url)
        sync(b, url)
        assert [(x.status, x.answer) for x in b.attempts(rated_only=False)] == [
            ("skipped", "second draft")
        ]
        assert b.last_draft("q-dns") == ""  # a skipped answer is not offered back as a draft
        ended = b.connection.execute("SELECT ended_at FROM sessions").fetchall()
        assert [row[0] for row in ended] == [
            a.connection.execute("SELECT ended_at FROM sessions").fetchone()[0]
        ]
