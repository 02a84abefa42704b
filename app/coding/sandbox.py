"""Run one command with limits: the only place drillbit starts code that came with a bank.

What holds where (docs/coding.md says the same to users):

- Everywhere (POSIX): a new session and process group, killed as a whole at the wall-clock
  deadline or on cancel; CPU seconds, address space, file size, open files and core dumps
  limited with ``resource.setrlimit`` in the child; output captured and capped.
- Linux, as root or where unprivileged user namespaces work: a new network namespace (no
  network at all, not even loopback), a mount namespace in which everything is read-only except
  the run's own directory (and Go's build cache), and a PID namespace (``unshare --pid --fork
  --kill-child``) whose end kills every process in it, so nothing that double-forks or leaves
  the process group outlives the run.
- Process count: ``RLIMIT_NPROC`` for ordinary users (above what the user already runs). Root
  is not subject to it, so as root the PID namespace and the deadline are what bound a spawner.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import resource
import selectors
import shutil
import signal
import subprocess
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

OUTPUT_CAP = 64 * 1024
"""Bytes of each stream kept for the report."""
FLOOD_LIMIT = 4 * 1024 * 1024
"""Bytes on one stream after which the run is stopped as a flood of output."""

_CLONE_NEWNS = 0x00020000
_CLONE_NEWUSER = 0x10000000
_CLONE_NEWNET = 0x40000000
_MS_BIND = 4096
_MS_REC = 16384
_MS_PRIVATE = 1 << 18
_SYS_MOUNT_SETATTR = 442  # the same number on x86-64 and arm64
_AT_FDCWD = -100
_AT_RECURSIVE = 0x8000
_MOUNT_ATTR_RDONLY = 0x1


@dataclass(frozen=True)
class Limits:
    """What one command may use. Memory is address space, so it bounds what a process maps."""

    cpu_seconds: int = 10
    memory_bytes: int = 1024 * 1024 * 1024
    file_bytes: int = 64 * 1024 * 1024
    processes: int = 128
    """Processes and threads of the user at once, over what the user runs already."""
    open_files: int = 256


@dataclass
class Completed:
    """How a command ended and what it printed (each stream capped at OUTPUT_CAP bytes)."""

    returncode: int | None
    """The exit status; negative for a signal; None when it had to be killed."""
    stdout: str
    stderr: str
    seconds: float
    timed_out: bool = False
    cancelled: bool = False
    flooded: bool = False
    truncated: bool = False

    @property
    def signal_name(self) -> str | None:
        if self.returncode is None or self.returncode >= 0:
            return None
        try:
            return signal.Signals(-self.returncode).name
        except ValueError:
            return f"signal {-self.returncode}"


@dataclass(frozen=True)
class Isolation:
    """What this machine lets the sandbox do, probed once per process."""

    namespaces: bool
    """Network, mount and PID namespaces all work."""
    user_namespace: bool
    """They need a user namespace first (not root)."""
    root: bool
    unshare: str | None
    notes: tuple[str, ...] = field(default=())

    def describe(self) -> str:
        count = "by the deadline (root is not subject to RLIMIT_NPROC)"
        if not self.root:
            count = "by RLIMIT_NPROC"
        if self.namespaces:
            how = "as root" if self.root else "in a user namespace"
            return (
                "no network, read-only file system outside the run's directory, PID namespace"
                f" ({how}); process count limited {count}"
            )
        notes = "; ".join(self.notes)
        return (
            f"process group and resource limits only, process count limited {count};"
            f" no namespaces ({notes}): network and files are open to the code"
        )


def _libc() -> ctypes.CDLL:
    return ctypes.CDLL(None, use_errno=True)


class _MountAttr(ctypes.Structure):
    _fields_ = [
        ("attr_set", ctypes.c_uint64),
        ("attr_clr", ctypes.c_uint64),
        ("propagation", ctypes.c_uint64),
        ("userns_fd", ctypes.c_uint64),
    ]


def _check(result: int, what: str) -> None:
    if result != 0:
        error = ctypes.get_errno()
        raise OSError(error, f"{what}: {os.strerror(error)}")


def _enter_namespaces(libc: ctypes.CDLL, writable: Sequence[str], user_namespace: bool) -> None:
    """In the child, before exec: no network, and a read-only view of everything but ``writable``."""
    uid, gid = os.getuid(), os.getgid()
    flags = _CLONE_NEWNS | _CLONE_NEWNET | (_CLONE_NEWUSER if user_namespace else 0)
    _check(libc.unshare(flags), "unshare")
    if user_namespace:
        # Root inside, ourselves outside (as `unshare -r`): root keeps its capabilities in the
        # namespace across exec, which `unshare --pid` needs; outside it is still this user, so
        # RLIMIT_NPROC and file permissions apply as before.
        Path("/proc/self/setgroups").write_text("deny")
        Path("/proc/self/uid_map").write_text(f"0 {uid} 1")
        Path("/proc/self/gid_map").write_text(f"0 {gid} 1")
    _check(libc.mount(None, b"/", None, _MS_REC | _MS_PRIVATE, None), "mount private")
    for path in writable:
        encoded = path.encode()
        _check(libc.mount(encoded, encoded, None, _MS_BIND | _MS_REC, None), f"bind {path}")
    read_only = _MountAttr(attr_set=_MOUNT_ATTR_RDONLY)
    size = ctypes.sizeof(read_only)
    setattr_ = libc.syscall
    _check(
        setattr_(_SYS_MOUNT_SETATTR, _AT_FDCWD, b"/", _AT_RECURSIVE, ctypes.byref(read_only), size),
        "read-only /",
    )
    writable_again = _MountAttr(attr_clr=_MOUNT_ATTR_RDONLY)
    for path in writable:
        _check(
            setattr_(
                _SYS_MOUNT_SETATTR,
                _AT_FDCWD,
                path.encode(),
                _AT_RECURSIVE,
                ctypes.byref(writable_again),
                size,
            ),
            f"writable {path}",
        )


def _set_limits(limits: Limits, processes: int | None) -> None:
    def cap(kind: int, value: int) -> None:
        _soft, hard = resource.getrlimit(kind)
        if hard != resource.RLIM_INFINITY:
            value = min(value, hard)
        # A limit the platform refuses (macOS and RLIMIT_AS) is left as it is: the deadline
        # and the other limits still hold.
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(kind, (value, value))

    cap(resource.RLIMIT_CPU, limits.cpu_seconds)
    cap(resource.RLIMIT_AS, limits.memory_bytes)
    cap(resource.RLIMIT_FSIZE, limits.file_bytes)
    cap(resource.RLIMIT_NOFILE, limits.open_files)
    cap(resource.RLIMIT_CORE, 0)
    if processes is not None:
        cap(resource.RLIMIT_NPROC, processes)


def _tasks_of_user(uid: int) -> int:
    """Processes and threads the user runs now: RLIMIT_NPROC counts them all."""
    count = 0
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                if entry.stat().st_uid == uid:
                    count += len(os.listdir(f"/proc/{entry.name}/task"))
            except OSError:
                continue  # gone meanwhile
    return count


@cache
def isolation() -> Isolation:
    """Probe once whether the namespaces work here (a sandboxed ``true``)."""
    root = os.geteuid() == 0
    unshare = shutil.which("unshare")
    notes = []
    if not Path("/proc/self/ns/net").exists():
        notes.append("not Linux")
    elif unshare is None:
        notes.append("no unshare command (util-linux)")
    if notes:
        return Isolation(False, False, root, unshare, tuple(notes))
    probe = Isolation(True, not root, root, unshare)
    true = shutil.which("true") or "/bin/true"
    import tempfile

    try:
        with tempfile.TemporaryDirectory(prefix="drillbit-probe-") as directory:
            done = run([true], cwd=Path(directory), env={}, limits=Limits(), timeout=10, use=probe)
        works = done.returncode == 0
        if not works:
            notes.append(f"namespaces refused ({done.stderr.strip()[:200]})")
    except (OSError, subprocess.SubprocessError) as error:
        works = False
        notes.append(f"namespaces refused ({error})")
    if works:
        return probe
    return Isolation(False, False, root, unshare, tuple(notes))


def run(
    argv: Sequence[str],
    *,
    cwd: Path,
    env: Mapping[str, str],
    limits: Limits,
    timeout: float,
    writable: Sequence[Path] = (),
    cancel: threading.Event | None = None,
    use: Isolation | None = None,
) -> Completed:
    """Run ``argv`` to completion, the deadline, a flood of output or ``cancel``; never hangs."""
    chosen = use or isolation()
    command = list(argv)
    if chosen.namespaces and chosen.unshare:
        command = [chosen.unshare, "--pid", "--fork", "--kill-child", "--", *command]
    processes = None
    if not chosen.root:
        processes = _tasks_of_user(os.getuid()) + limits.processes
    libc = _libc() if chosen.namespaces else None
    writable_paths = [str(Path(p).resolve()) for p in (cwd, *writable)]

    def child_setup() -> None:
        if libc is not None:
            _enter_namespaces(libc, writable_paths, chosen.user_namespace)
            os.chdir(writable_paths[0])  # onto the writable mount, which covers the old cwd
        _set_limits(limits, processes)

    started = time.monotonic()
    process = subprocess.Popen(
        command,
        cwd=cwd,
        env=dict(env),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
        preexec_fn=child_setup,  # limits and namespaces are set in the child
        close_fds=True,
    )
    return _collect(process, started, timeout, cancel)


def _kill(process: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)


def _collect(
    process: subprocess.Popen[bytes],
    started: float,
    timeout: float,
    cancel: threading.Event | None,
) -> Completed:
    assert process.stdout is not None and process.stderr is not None
    kept = {process.stdout.fileno(): bytearray(), process.stderr.fileno(): bytearray()}
    seen = dict.fromkeys(kept, 0)
    deadline = started + timeout
    timed_out = cancelled = flooded = False
    selector = selectors.DefaultSelector()
    for stream in (process.stdout, process.stderr):
        selector.register(stream, selectors.EVENT_READ)
    try:
        while selector.get_map():
            now = time.monotonic()
            if cancel is not None and cancel.is_set():
                cancelled = True
            elif now >= deadline:
                timed_out = True
            if cancelled or timed_out or flooded:
                _kill(process)
                break
            for key, _ in selector.select(min(0.05, deadline - now)):
                chunk = os.read(key.fd, 65536)
                if not chunk:
                    selector.unregister(key.fileobj)
                    continue
                seen[key.fd] += len(chunk)
                room = OUTPUT_CAP - len(kept[key.fd])
                if room > 0:
                    kept[key.fd] += chunk[:room]
                if seen[key.fd] > FLOOD_LIMIT:
                    flooded = True
        # Streams closed: the command is done, or something it left behind closed them.
        remaining = max(0.0, deadline - time.monotonic())
        try:
            process.wait(timeout=remaining if not (timed_out or cancelled or flooded) else 5)
        except subprocess.TimeoutExpired:
            timed_out = True
            _kill(process)
            process.wait(timeout=5)
        # Anything left in the group once its leader is gone (without a PID namespace).
        _kill(process)
    finally:
        selector.close()
        process.stdout.close()
        process.stderr.close()
    seconds = time.monotonic() - started
    killed = timed_out or cancelled or flooded
    out, err = kept.values()
    return Completed(
        returncode=None if killed else process.returncode,
        stdout=out.decode("utf-8", "replace"),
        stderr=err.decode("utf-8", "replace"),
        seconds=seconds,
        timed_out=timed_out,
        cancelled=cancelled,
        flooded=flooded,
        truncated=any(total > OUTPUT_CAP for total in seen.values()),
    )
