"""How the TUI ends (app.tui.lifecycle): signals take the normal way out; a crash exits 1."""

from __future__ import annotations

import os
import signal
import threading
from pathlib import Path

import pytest
from textual.app import App, ComposeResult
from textual.widgets import Static

from app.tui.lifecycle import run_app


class Recorder(App[None]):
    """An app that does ``act`` once mounted and notes whether it unmounted normally."""

    def __init__(self, act) -> None:  # type: ignore[no-untyped-def]
        super().__init__()
        self.act = act
        self.unmounted = False

    def compose(self) -> ComposeResult:
        yield Static("running", markup=False)

    def on_mount(self) -> None:
        self.call_after_refresh(self.act)

    def on_unmount(self) -> None:
        self.unmounted = True


def crash_logs(tmp_path: Path) -> list[Path]:
    return sorted((tmp_path / "xdg-state" / "drillbit" / "crashes").glob("crash-*.log"))


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP])
def test_a_signal_exits_the_app_the_normal_way(signum: int) -> None:
    before = signal.getsignal(signum)
    app = Recorder(lambda: os.kill(os.getpid(), signum))
    assert run_app(app, headless=True) == 128 + signum
    assert app.unmounted  # on_unmount ran: DrillbitApp saves the draft and ends the session there
    assert signal.getsignal(signum) == before
    # The watchdog that would end a hung shutdown is cancelled once the app is down.
    timers = [t for t in threading.enumerate() if isinstance(t, threading.Timer)]
    assert all(timer.finished.is_set() for timer in timers)


def test_an_unhandled_exception_exits_1_with_one_line_and_a_crash_log(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def fail() -> None:
        raise RuntimeError("injected \x1b[2J fault")

    assert run_app(Recorder(fail), headless=True) == 1
    error = capsys.readouterr().err
    [log] = crash_logs(tmp_path)
    assert error == (
        f"drillbit: crashed (RuntimeError: injected \\x1b[2J fault); details in {log}\n"
    )
    text = log.read_text(encoding="utf-8")
    assert text.startswith("drillbit ") and "Traceback" in text and "in fail" in text
    assert "RuntimeError: injected" in text


def test_an_unwritable_state_directory_still_gives_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "state-file").write_text("not a directory")
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state-file"))

    def fail() -> None:
        raise ValueError("boom")

    assert run_app(Recorder(fail), headless=True) == 1
    error = capsys.readouterr().err
    assert error.startswith("drillbit: crashed (ValueError: boom); no crash log (")
    assert error.count("\n") == 1


def test_a_normal_exit_is_none(capsys: pytest.CaptureFixture[str]) -> None:
    app = Recorder(lambda: app.exit())
    assert run_app(app, headless=True) is None
    assert app.unmounted and capsys.readouterr().err == ""


def test_an_exception_ending_a_thread_is_a_crash_reported_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A thread dying (here before the app exits normally) is not printed over the screen:
    it makes the run a crash, named in the one line, its traceback in the log."""

    def fail_in_a_thread() -> None:
        raise OSError(36, "File name too long")

    def act() -> None:
        thread = threading.Thread(target=fail_in_a_thread, name="drillbit-preload")
        thread.start()
        thread.join()
        app.exit()

    hook = threading.excepthook
    app = Recorder(act)
    assert run_app(app, headless=True) == 1
    [log] = crash_logs(tmp_path)
    error = capsys.readouterr().err
    assert (
        error == f"drillbit: crashed (OSError: [Errno 36] File name too long); details in {log}\n"
    )
    text = log.read_text(encoding="utf-8")
    assert "In thread drillbit-preload:" in text and "in fail_in_a_thread" in text
    assert threading.excepthook is hook
