"""Drive the installed ``drillbit`` command in a real terminal: tmux, send-keys, capture-pane.

Every test gets its own tmux server (``-L`` with a unique name, no config file), an isolated
environment (XDG_* and DRILLBIT_* point into ``tmp_path``) and a working directory of its own, so
paths on screen are short and relative. Nothing waits for a fixed time: each step polls the
screen (or the database) until what it expects appears, and fails with the screen it saw.
"""

from __future__ import annotations

import itertools
import json
import os
import shlex
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import FIXTURE_BANK

TIMEOUT_S = 15.0
POLL_S = 0.05
SIZES = [(80, 24), (200, 50)]

# The drillbit that pip installed next to this interpreter comes first; then the PATH.
_search = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
TMUX = shutil.which("tmux")
DRILLBIT = shutil.which("drillbit", path=_search)


def _skip_reason() -> str | None:
    if TMUX is None:
        return "tmux is not installed (.ci/run installs it with apt-get where it can)"
    if DRILLBIT is None:
        return "the drillbit command is not on PATH: run pip install '.[test]' (or -e .) first"
    return None


requires_terminal = pytest.mark.skipif(_skip_reason() is not None, reason=_skip_reason() or "")

_servers = itertools.count()


@dataclass
class Terminal:
    """One tmux server; each drillbit runs in a session of its own, named by the test."""

    socket: str
    width: int
    height: int
    env: dict[str, str]
    cwd: Path

    def tmux(self, *args: str) -> str:
        done = subprocess.run(
            [str(TMUX), "-L", self.socket, "-f", os.devnull, *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=10,
        )
        if done.returncode != 0:
            raise AssertionError(f"tmux {' '.join(args)} failed: {done.stderr.strip()}")
        return done.stdout

    def launch(self, name: str, *args: str, wrapper: tuple[str, ...] = ()) -> None:
        """Run ``drillbit ARGS`` in session ``name``; its exit status is printed when it ends.

        The shell stays on after drillbit exits, so the screen keeps the message and the status.
        """
        script = '"$@"; echo "[drillbit exited $?]"; exec sleep 600'
        argv = ["sh", "-c", script, "sh", *wrapper, str(DRILLBIT), *args]
        self.tmux(
            "new-session",
            "-d",
            "-s",
            name,
            "-x",
            str(self.width),
            "-y",
            str(self.height),
            "-c",
            str(self.cwd),
            shlex.join(argv),
        )

    def screen(self, name: str) -> str:
        return self.tmux("capture-pane", "-p", "-t", f"={name}:")

    def keys(self, name: str, *keys: str) -> None:
        """tmux key names: ``a``, ``Space``, ``Escape``, ``Enter``..."""
        self.tmux("send-keys", "-t", f"={name}:", *keys)

    def type(self, name: str, text: str) -> None:
        """Type ``text`` literally, as a person (or a terminal) would."""
        self.tmux("send-keys", "-t", f"={name}:", "-l", text)

    def click(self, name: str, text: str) -> None:
        """A left click (SGR mouse report) on the first character of ``text`` on screen."""
        for row, line in enumerate(self.screen(name).splitlines()):
            column = line.find(text)
            if column >= 0:
                x, y = column + 1, row + 1
                self.type(name, f"\x1b[<0;{x};{y}M\x1b[<0;{x};{y}m")
                return
        raise AssertionError(f"cannot click {text!r}: not on screen\n{self.screen(name)}")

    def wait_for_toast(self, name: str, text: str, timeout: float = TIMEOUT_S) -> str:
        """Poll until a notification holds ``text``, however the toast wrapped it."""
        needle = squeeze(text)
        return self.wait_until(name, lambda screen: needle in toasts(screen), f"a toast {text!r}")

    def title(self, name: str) -> str:
        return self.tmux("display-message", "-p", "-t", f"={name}:", "#{pane_title}").strip()

    def wait_for(self, name: str, *texts: str, timeout: float = TIMEOUT_S) -> str:
        """Poll the screen until every text is on it; return that screen."""
        return self.wait_until(
            name, lambda screen: all(text in screen for text in texts), f"{texts!r}", timeout
        )

    def wait_gone(self, name: str, text: str, timeout: float = TIMEOUT_S) -> str:
        return self.wait_until(name, lambda screen: text not in screen, f"no {text!r}", timeout)

    def wait_until(
        self, name: str, ready: Callable[[str], bool], what: str, timeout: float = TIMEOUT_S
    ) -> str:
        deadline = time.monotonic() + timeout
        while True:
            screen = self.screen(name)
            if ready(screen):
                return screen
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out after {timeout}s waiting for {what}:\n{screen}")
            time.sleep(POLL_S)

    def drillbit_pid(self, name: str) -> int:
        """The drillbit process of a session: the one child of the pane's shell."""
        shell = int(self.tmux("display-message", "-p", "-t", f"={name}:", "#{pane_pid}"))
        deadline = time.monotonic() + TIMEOUT_S
        while time.monotonic() < deadline:
            children = Path(f"/proc/{shell}/task/{shell}/children").read_text().split()
            if children:
                return int(children[0])
            time.sleep(POLL_S)
        raise AssertionError("drillbit did not start")

    def close(self) -> None:
        """End this test's tmux server (and the drillbits in it); remove its socket file."""
        try:
            socket_path = self.tmux("display-message", "-p", "#{socket_path}").strip()
        except AssertionError:
            socket_path = ""  # no server was started
        subprocess.run(
            [str(TMUX), "-L", self.socket, "kill-server"],
            env=self.env,
            capture_output=True,
            timeout=10,
        )
        if socket_path:
            Path(socket_path).unlink(missing_ok=True)


def toasts(screen: str) -> str:
    """The text of the notifications on a screen, unwrapped (toasts are drawn after a '▌').

    A toast wraps its text at spaces, and long words (paths) anywhere, so the text comes back
    with all whitespace removed: compare it with ``squeeze(text)``.
    """
    parts = [
        line.rsplit("▌", 1)[1].removesuffix("▎") for line in screen.splitlines() if "▌" in line
    ]
    return squeeze("".join(parts))


def squeeze(text: str) -> str:
    return "".join(text.split())


def drillbit_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """The environment of every drillbit a test runs: nothing of the developer's own."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DRILLBIT_", "TMUX")) and key not in ("EDITOR", "VISUAL")
    }
    env.update(
        {
            "XDG_DATA_HOME": str(tmp_path / "xdg-data"),
            "XDG_CACHE_HOME": str(tmp_path / "xdg-cache"),
            "XDG_CONFIG_HOME": str(tmp_path / "xdg-config"),
            "XDG_STATE_HOME": str(tmp_path / "xdg-state"),
            "DRILLBIT_CACHE_DIR": str(tmp_path / "cache"),
            "LANG": "C.UTF-8",
            "LC_ALL": "C.UTF-8",
            "TERM": "xterm-256color",
        }
    )
    env.update(extra)
    return env


@pytest.fixture
def bank(tmp_path: Path) -> Path:
    """A copy of the fixture bank in ``tmp_path/bank`` (tests may add or break files in it)."""
    target = tmp_path / "bank"
    shutil.copytree(FIXTURE_BANK, target)
    return target


@pytest.fixture
def terminal_factory(tmp_path: Path) -> Iterator[Callable[..., Terminal]]:
    opened: list[Terminal] = []

    def make(width: int, height: int, **env: str) -> Terminal:
        socket = f"drillbit-e2e-{os.getpid()}-{next(_servers)}"
        terminal = Terminal(socket, width, height, drillbit_env(tmp_path, **env), tmp_path)
        opened.append(terminal)
        return terminal

    yield make
    for terminal in opened:
        terminal.close()


def run_drillbit(terminal: Terminal, *args: str) -> subprocess.CompletedProcess[str]:
    """A non-interactive drillbit command (export, validate) in the terminal's environment."""
    return subprocess.run(
        [str(DRILLBIT), *args],
        cwd=terminal.cwd,
        env=terminal.env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def export(terminal: Terminal, db: str = "h.sqlite3") -> dict:
    done = run_drillbit(terminal, "export", "--db", db, "--format", "json")
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def kill_9(pid: int) -> None:
    os.kill(pid, signal.SIGKILL)
