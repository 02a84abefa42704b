"""Fault injection on the history store: a full disk, a read-only data directory, a held lock.

Faults that would hurt the test process itself (a file-size limit, a mount) are injected in a
child process: ``RLIMIT_FSIZE`` with SIGXFSZ ignored, or a private mount namespace
(``unshare --mount``) holding a tiny tmpfs or a read-only bind mount that vanishes with the child.
The TUI's side (a rating or a draft that cannot be saved) is tested with Pilot.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from textual.widgets import TextArea

from app.clock import FakeClock
from app.practice.planner import Filters
from app.store.db import Store, StoreBusy, StoreError, StoreFull
from app.tui.app import DrillbitApp, PracticeRequest
from app.tui.screens.question import QuestionScreen
from app.tui.screens.summary import SummaryScreen
from tests.conftest import FIXED_NOW, FIXTURE_BANK, REPO, environ_for_subprocess
from tests.test_store import rate_one
from tests.tui.conftest import wait_loaded

# -- helpers ---------------------------------------------------------------------------------

_READ_ONLY_SCRIPT = 'mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" && shift && exec "$@"'
_NAMESPACES = (("unshare", "--mount"), ("unshare", "--user", "--map-root-user", "--mount"))


def _namespace_prefix(script: str, directory: Path, probe: str) -> tuple[str, ...] | None:
    """The first ``unshare`` prefix under which ``script`` works on ``directory``, if any."""
    if shutil.which("unshare") is None or shutil.which("mount") is None:
        return None
    for namespace in _NAMESPACES:
        prefix = (*namespace, "sh", "-c", script, "sh", str(directory))
        try:
            done = subprocess.run(
                [*prefix, "sh", "-c", probe, "sh", str(directory)],
                capture_output=True,
                timeout=10,
            )
        except (OSError, subprocess.TimeoutExpired):
            continue
        if done.returncode == 0:
            return prefix
    return None


def read_only_wrapper(directory: Path) -> tuple[str, ...] | None:
    """An argv prefix that runs a command with ``directory`` bind-mounted read-only.

    Root ignores permission bits, so ``chmod`` proves nothing when the tests run as root; a
    read-only mount is refused to root too (EROFS). The mount lives in a private mount namespace
    that ends with the command. None where namespaces are not available.
    """
    probe = 'touch "$1/.probe" 2>/dev/null; test ! -e "$1/.probe"'
    return _namespace_prefix(_READ_ONLY_SCRIPT, directory, probe)


def tmpfs_wrapper(directory: Path, size: str) -> tuple[str, ...] | None:
    """An argv prefix that runs a command with a fresh tmpfs of ``size`` on ``directory``."""
    script = f'mount -t tmpfs -o size={size} drillbit-test "$1" && shift && exec "$@"'
    probe = 'test "$(stat -f -c %T "$1")" = tmpfs'
    return _namespace_prefix(script, directory, probe)


# -- a full disk -----------------------------------------------------------------------------

DISK_FULL = r"""
import json, os, resource, signal, sys
from app.store.db import Store, StoreFull

path, how = sys.argv[1], sys.argv[2]
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG instead
report = {}


def rate(store, attempt, rating):
    store.rate(attempt, rating=rating, answer=f"answer {attempt}", time_spent_ms=1000,
               hints_used=0, rubric_ticked=[0], rubric_coverage=0.5, auto_grade=None,
               review=None)


store = Store(path)
session = store.start_session("auto")
for i in range(5):
    rate(store, store.start_attempt(session, f"before-{i}", "s", "h", 60), 3)
pending = store.start_attempt(session, "during", "s", "h", 60)

# The disk fills up.
if how == "rlimit":
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (0, hard))
else:
    filler = os.path.join(os.path.dirname(path), "filler")
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT)
    try:
        while True:
            os.write(fd, b"x" * 4096)
    except OSError:
        pass  # ENOSPC: not one more byte fits
    finally:
        os.close(fd)
errors = []
for attempt in ("rate", "draft", "session"):
    try:
        if attempt == "rate":
            rate(store, pending, 4)
        elif attempt == "draft":
            store.save_draft(pending, "a draft", 5, 0)
        else:
            store.start_session("auto")
        errors.append(None)
    except StoreFull as error:
        errors.append(str(error))
report["errors"] = errors
report["pending_after_failure"] = store.attempt(pending).status

# Space returns: the same Store rates again.
if how == "rlimit":
    resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
else:
    os.remove(filler)
rate(store, pending, 4)
report["ratings"] = sorted((a.question_id, a.rating) for a in store.attempts())
report["integrity"] = store.connection.execute("PRAGMA integrity_check").fetchone()[0]
store.close()
print(json.dumps(report))
"""


def _disk_full(tmp_path: Path, how: str, prefix: tuple[str, ...] = ()) -> dict:
    data = tmp_path / "data"
    data.mkdir(exist_ok=True)
    done = subprocess.run(
        [*prefix, sys.executable, "-c", DISK_FULL, str(data / "h.sqlite3"), how],
        cwd=REPO,
        env=environ_for_subprocess(tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def _check_disk_full_report(report: dict, path_suffix: str) -> None:
    message = f"{path_suffix}: the disk is full; free some space and try again"
    for error in report["errors"]:
        assert error is not None and error.endswith(message)
    assert report["pending_after_failure"] == "open"  # the failed rating left no half-row
    expected = [(f"before-{i}", 3) for i in range(5)] + [("during", 4)]
    assert [tuple(row) for row in report["ratings"]] == sorted(expected)
    assert report["integrity"] == "ok"


def test_disk_full_file_size_limit_refuses_clearly_and_recovers(tmp_path: Path) -> None:
    """A file-size limit of 0 fails every write: StoreFull, then ratings work once lifted."""
    report = _disk_full(tmp_path, "rlimit")
    _check_disk_full_report(report, "data/h.sqlite3")


def test_disk_full_on_a_real_tiny_tmpfs_refuses_clearly_and_recovers(tmp_path: Path) -> None:
    """A 2 MiB tmpfs filled to the last byte; deleting the filler file gives the space back."""
    data = tmp_path / "data"
    data.mkdir()
    prefix = tmpfs_wrapper(data, "2m")
    if prefix is None:
        pytest.skip("cannot mount a tmpfs here (no unshare/mount namespace)")
    report = _disk_full(tmp_path, "fill", prefix)
    _check_disk_full_report(report, "data/h.sqlite3")


# -- a read-only data directory --------------------------------------------------------------


def _read_only_or_skip(directory: Path) -> tuple[str, ...]:
    wrapper = read_only_wrapper(directory)
    if wrapper is not None:
        return wrapper
    if os.geteuid() != 0:
        directory.chmod(0o555)  # permission bits do stop a normal user
        return ()
    pytest.skip(
        "running as root without mount namespaces: root ignores permission bits, so a"
        " read-only directory cannot be made here"
    )


def _drillbit(tmp_path: Path, prefix: tuple[str, ...], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*prefix, sys.executable, "-m", "app", *args],
        cwd=REPO,
        env=environ_for_subprocess(tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize("existing", [False, True], ids=["new-user", "existing-history"])
def test_read_only_data_directory_is_one_clear_line(tmp_path: Path, existing: bool) -> None:
    data = tmp_path / "data"
    data.mkdir()
    db = data / "h.sqlite3"
    if existing:
        with Store(db) as store:
            rate_one(store)
    before = db.read_bytes() if existing else None
    prefix = _read_only_or_skip(data)
    try:
        for args in (("stats", "--bank", str(FIXTURE_BANK)), ("export",)):
            done = _drillbit(tmp_path, prefix, *args, "--db", str(db))
            assert done.returncode == 1, done.stderr
            assert done.stdout == ""
            assert done.stderr == (
                f"drillbit: {db}: cannot open the database (is its directory writable?)\n"
            )
    finally:
        data.chmod(0o755)
    assert (db.read_bytes() if existing else None) == before
    assert not (data / "h.sqlite3-wal").exists()


# -- a database locked by another process ----------------------------------------------------

HOLDER = """
import sqlite3, sys
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("BEGIN EXCLUSIVE")
print("locked", flush=True)
sys.stdin.readline()
db.execute("COMMIT")
"""


def _rate(store: Store, attempt: int, rating: int) -> None:
    store.rate(
        attempt,
        rating=rating,
        answer="kept",
        time_spent_ms=1,
        hints_used=0,
        rubric_ticked=[],
        rubric_coverage=None,
        auto_grade=None,
        review=None,
        now=FIXED_NOW,
    )


def test_lock_held_longer_than_the_busy_timeout_then_a_retry(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    store = Store(path, busy_timeout=0.2)
    session = store.start_session("auto", now=FIXED_NOW)
    _rate(store, store.start_attempt(session, "before", "s", "h", 60, now=FIXED_NOW), 2)
    attempt = store.start_attempt(session, "during", "s", "h", 60, now=FIXED_NOW)
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        started = time.monotonic()
        with pytest.raises(StoreBusy) as caught:
            _rate(store, attempt, 4)
        waited = time.monotonic() - started
        assert str(caught.value) == f"{path}: the database is busy in another drillbit; try again"
        assert 0.15 <= waited < 3, waited  # it waited for the busy timeout, and no longer
        # Readers are not blocked by the writer (WAL), in this process or in another.
        assert [a.question_id for a in store.attempts()] == ["before"]
        done = _drillbit(tmp_path, (), "export", "--db", str(path))
        assert done.returncode == 0 and '"question_id": "before"' in done.stdout
        # A second drillbit opens the database fine and gets the same clear refusal to write.
        with Store(path, busy_timeout=0.2) as other, pytest.raises(StoreBusy):
            other.start_session("auto")
    finally:
        assert holder.stdin is not None
        holder.stdin.write("\n")
        holder.stdin.close()
        holder.wait(timeout=10)
    # The retry, once the lock is gone, records the rating; nothing was lost.
    _rate(store, attempt, 4)
    assert [(a.question_id, a.rating) for a in store.attempts()] == [("before", 2), ("during", 4)]
    store.close()


# -- the TUI when the store fails --------------------------------------------------------------

TCP = PracticeRequest(mode="new", filters=Filters(tags=("tcp",)))


def _app(tmp_path: Path) -> DrillbitApp:
    return DrillbitApp(
        [FIXTURE_BANK], tmp_path / "h.sqlite3", practice=TCP, clock=FakeClock(FIXED_NOW)
    )


def _fail_once(monkeypatch: pytest.MonkeyPatch, target: object, name: str, error: Exception):
    real = getattr(target, name)
    calls: list[int] = []

    def failing(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise error
        return real(*args, **kwargs)

    monkeypatch.setattr(target, name, failing)
    return calls


@pytest.mark.parametrize(
    "error",
    [
        StoreFull("h.sqlite3: the disk is full; free some space and try again"),
        StoreBusy("h.sqlite3: the database is busy in another drillbit; try again"),
    ],
    ids=["full", "busy"],
)
async def test_question_screen_keeps_the_session_when_a_rating_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, error: StoreError
) -> None:
    app = _app(tmp_path)
    async with app.run_test(size=(100, 40)) as pilot:
        await wait_loaded(app, pilot)
        screen = app.screen
        assert isinstance(screen, QuestionScreen)
        session = screen.session
        calls = _fail_once(monkeypatch, session.store, "rate", error)
        await pilot.press("space")
        await pilot.pause()
        await pilot.press("3")
        await pilot.pause()
        # Shown as an error notification; the question stays, unrated, in the same session.
        shown = [n for n in app._notifications if n.title == "Rating not recorded"]
        assert len(shown) == 1 and shown[0].severity == "error"
        assert str(error) in shown[0].message and "Rate again" in shown[0].message
        assert app.screen is screen and screen.session is session and not session.finished
        assert session.current.rating is None and session.current.revealed
        assert app.store.attempts() == []
        # Rating again once the fault is gone works, and the one-question session ends.
        await pilot.press("3")
        await pilot.pause()
        assert len(calls) == 2
        assert [a.rating for a in app.store.attempts()] == [3]
        assert isinstance(app.screen, SummaryScreen)


async def test_draft_that_cannot_be_saved_stays_on_screen_and_is_saved_later(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = _app(tmp_path)
    async with app.run_test(size=(100, 40)) as pilot:
        await wait_loaded(app, pilot)
        screen = app.screen
        assert isinstance(screen, QuestionScreen)
        full = StoreFull("h.sqlite3: the disk is full; free some space and try again")
        _fail_once(monkeypatch, screen.session.store, "save_draft", full)
        await pilot.press("i", *"half an answer")
        await app.workers.wait_for_complete()  # a periodic save may have run mid-typing
        screen.save_draft()
        await app.workers.wait_for_complete()  # drafts are written off the UI thread
        await pilot.pause()
        shown = [n for n in app._notifications if "Your answer is kept here" in n.message]
        assert len(shown) == 1 and shown[0].severity == "error" and str(full) in shown[0].message
        assert screen.query_one("#q-answer", TextArea).text == "half an answer"
        screen.save_draft()  # the next periodic save
        await app.workers.wait_for_complete()
        assert app.store.last_draft("net-tcp-handshake") == "half an answer"


BROKEN = "  - id: broken-by-the-editor\n    title: [never closed\n"


async def test_bank_file_broken_mid_session_keeps_the_session(tmp_path: Path) -> None:
    """The YAML of the questions being practised breaks (``e``): located error, session goes on.

    Both questions of the session live in the broken file; the second one is opened after the
    break, from the questions planned at the start.
    """
    bank = tmp_path / "bank"
    shutil.copytree(FIXTURE_BANK, bank)
    request = PracticeRequest(mode="new", filters=Filters(("network-protocols",)), seed=1)
    app = DrillbitApp([bank], tmp_path / "h.sqlite3", practice=request, clock=FakeClock(FIXED_NOW))
    async with app.run_test(size=(100, 40)) as pilot:
        await wait_loaded(app, pilot)
        screen = app.screen
        assert isinstance(screen, QuestionScreen)
        edited = app.bank.placements[screen.session.current.entry.id].path
        with edited.open("a", encoding="utf-8") as handle:
            handle.write(BROKEN)
        screen.reload_bank(edited)  # what ``e`` does once the editor returns
        await pilot.pause()
        shown = [n for n in app._notifications if n.title == "The edited file has problems"]
        assert len(shown) == 1 and "network-protocols.yaml:53:1: error: YAML syntax error" in (
            shown[0].message
        )
        assert app.bank.questions == {"dbg-markup": app.bank.questions["dbg-markup"]}
        for _ in range(2):
            await pilot.press("space")
            await pilot.pause()
            await pilot.press("3")
            await pilot.pause()
        assert isinstance(app.screen, SummaryScreen)
        assert sorted(a.question_id for a in app.store.attempts()) == [
            "net-quick-port",
            "net-tcp-handshake",
        ]
