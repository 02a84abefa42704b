"""Run an exercise's tests against a candidate's code: the core API the CLI and the TUI call.

``run_code`` blocks until the run ends; ``start_run`` runs it on a thread and returns a
``RunHandle`` that can be cancelled. Every run gets a fresh temporary directory, removed after.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from app.coding import sandbox
from app.coding.languages import Layout, Name, Step, clean_output, layout, parse
from app.coding.results import CompileError, Parsed, RunResult, RunStatus
from app.coding.toolchains import toolchain

if TYPE_CHECKING:
    from app.bank.models import Question

_DEFAULT_PATH = "/usr/local/bin:/usr/bin:/bin"


def go_cache() -> Path:
    from app.paths import go_build_cache

    return go_build_cache()


GO_FIRST_BUILD_S = 60
"""Extra seconds for the first Go run on a machine: it compiles the standard library's test
dependencies into the empty build cache, which alone can take longer than an exercise's limit."""
_GO_WARM = ".drillbit-warm"


def _go_allowance() -> float:
    return 0.0 if (go_cache() / _GO_WARM).exists() else GO_FIRST_BUILD_S


def _environment(language: Name, directory: Path) -> dict[str, str]:
    env = {
        "PATH": os.environ.get("PATH", _DEFAULT_PATH),
        "HOME": str(directory),
        "TMPDIR": str(directory / "tmp"),
        "LANG": "C.UTF-8",
    }
    if language == "go":
        env |= {
            "GOCACHE": str(go_cache()),
            "GOPATH": str(directory / "gopath"),
            "GOFLAGS": "-mod=mod",
            "GOPROXY": "off",
            "GOTOOLCHAIN": "local",
            "GOTELEMETRY": "off",
            "CGO_ENABLED": "0",
        }
    if language == "rust":
        env["RUST_BACKTRACE"] = "0"
        # A rustup proxy finds its toolchains from the real home, not the run's.
        rustup = os.environ.get("RUSTUP_HOME") or str(Path.home() / ".rustup")
        if Path(rustup).is_dir():
            env["RUSTUP_HOME"] = rustup
        if "RUSTUP_TOOLCHAIN" in os.environ:
            env["RUSTUP_TOOLCHAIN"] = os.environ["RUSTUP_TOOLCHAIN"]
    return env


def _memory_message(language: Name, text: str) -> bool:
    markers = {
        "python": "MemoryError",
        "go": "out of memory",
        "rust": "memory allocation of",
    }
    return markers[language] in text


def run_code(
    language: Name,
    code: str,
    tests: str,
    *,
    timeout_s: float = 10,
    cancel: threading.Event | None = None,
) -> RunResult:
    """Run ``tests`` against ``code`` in ``language``; never raises for what the code does."""
    chain = toolchain(language)
    if chain.path is None:
        return RunResult(language, "unavailable", f"{language} is not installed on this machine")
    plan = layout(language, code, tests, chain.path)
    directory = Path(tempfile.mkdtemp(prefix="drillbit-run-"))
    try:
        return _run_in(language, plan, directory, timeout_s, cancel)
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def _run_in(
    language: Name,
    plan: Layout,
    directory: Path,
    timeout_s: float,
    cancel: threading.Event | None,
) -> RunResult:
    import time

    (directory / "tmp").mkdir()
    for name, text in plan.files.items():
        (directory / name).write_text(text, encoding="utf-8")
    writable = []
    allowance = 0.0
    if language == "go":
        allowance = _go_allowance()
        go_cache().mkdir(parents=True, exist_ok=True)
        writable.append(go_cache())
    env = _environment(language, directory)
    started = time.monotonic()
    outputs: list[str] = []
    for step in plan.steps:
        remaining = timeout_s + allowance - (time.monotonic() - started)
        limits = sandbox.Limits(
            cpu_seconds=int(timeout_s + allowance) + 1,
            memory_bytes=step.memory_bytes,
            processes=step.processes,
        )
        done = sandbox.run(
            step.argv,
            cwd=directory,
            env=env,
            limits=limits,
            timeout=max(remaining, 0.01),
            writable=writable,
            cancel=cancel,
        )
        stdout, stderr = clean_output(done.stdout, directory), clean_output(done.stderr, directory)
        outputs.append("\n".join(part for part in (stdout, stderr) if part.strip()))
        parsed = parse(language, stdout, stderr, plan.solution_lines)
        verdict = _verdict(language, step, done, parsed, limits, timeout_s + allowance, stderr)
        if verdict is None:
            continue  # compiled: on to the tests
        status, summary = verdict
        if allowance and status not in ("timeout", "cancelled", "limit"):
            (go_cache() / _GO_WARM).touch()  # the cache holds what every later run needs
        return RunResult(
            language,
            status,
            summary,
            tuple(parsed.tests),
            tuple(parsed.compile_errors),
            "\n".join(outputs).strip(),
            round(time.monotonic() - started, 3),
        )
    raise AssertionError("a plan ends with a test step")  # pragma: no cover


def _verdict(
    language: Name,
    step: Step,
    done: sandbox.Completed,
    parsed: Parsed,
    limits: sandbox.Limits,
    timeout_s: float,
    stderr: str,
) -> tuple[RunStatus, str] | None:
    """The run's status and summary after ``step``; None when a compile step succeeded."""
    tests = parsed.tests
    if done.cancelled:
        return "cancelled", "cancelled"
    if done.timed_out:
        return "timeout", f"timed out after {timeout_s:g}s (the whole run was stopped)"
    if done.flooded:
        return "limit", "stopped: the code printed more than 4 MiB of output"
    signal_name = done.signal_name
    if signal_name == "SIGXCPU":
        return "limit", f"stopped: CPU time limit ({limits.cpu_seconds}s) reached"
    if signal_name == "SIGXFSZ":
        return "limit", "stopped: file size limit reached"
    if not tests and _memory_message(language, done.stdout + done.stderr):
        return "limit", f"stopped: memory limit ({step.memory_bytes // 2**20} MiB) reached"
    if parsed.compile_errors and not tests:
        return "compile-error", _compile_summary(parsed.compile_errors[0])
    if step.compile:
        if done.returncode == 0:
            return None
        lines = stderr.strip().splitlines()
        return "compile-error", lines[0] if lines else "compilation failed"
    if not tests:
        reason = f"killed by {signal_name}" if signal_name else f"exit status {done.returncode}"
        last = stderr.strip().splitlines()[-1:] or ["no output"]
        return "crashed", f"crashed before reporting any test ({reason}): {last[0]}"
    passed = sum(test.status == "passed" for test in tests)
    if passed == len(tests) and done.returncode == 0:
        return "passed", f"all {len(tests)} tests passed" if len(tests) > 1 else "the test passed"
    summary = f"{passed} of {len(tests)} tests passed"
    if signal_name:
        summary += f" (then killed by {signal_name})"
    return "failed", summary


def _compile_summary(error: CompileError) -> str:
    where = "your code" if error.file == "solution" else "the tests"
    line = f" line {error.line}" if error.line else ""
    text = error.message.strip().splitlines()
    return f"does not compile ({where}{line}): {text[-1] if text else 'error'}"


def run_question(
    question: Question,
    language: Name,
    code: str,
    *,
    cancel: threading.Event | None = None,
) -> RunResult:
    """Run ``question``'s tests in ``language`` against ``code``, with the exercise's timeout."""
    block = question.code
    if block is None or language not in block.languages:
        offered = ", ".join(block.languages) if block else "none"
        raise ValueError(f"{question.id} has no {language} tests (offers: {offered})")
    tests = block.languages[language].tests
    return run_code(language, code, tests, timeout_s=block.timeout_seconds, cancel=cancel)


class RunHandle:
    """A run on its own thread: poll ``done``, wait with ``result(timeout)``, or ``cancel()``."""

    def __init__(self, work: Callable[[threading.Event], RunResult]) -> None:
        self._cancel = threading.Event()
        self._finished = threading.Event()
        self._result: RunResult | None = None
        self._error: BaseException | None = None
        self._callbacks: list[Callable[[RunResult], None]] = []
        self._lock = threading.Lock()

        self._delivered = False

        def target() -> None:
            try:
                self._result = work(self._cancel)
            except BaseException as error:  # reported to whoever waits, never lost
                self._error = error
            with self._lock:
                callbacks, self._delivered = list(self._callbacks), True
            try:
                if self._result is not None:
                    for callback in callbacks:
                        callback(self._result)
            finally:
                # Set after the callbacks: whoever waits sees what they did (a stored run).
                self._finished.set()

        self._thread = threading.Thread(target=target, name="drillbit-run", daemon=True)
        self._thread.start()

    @property
    def done(self) -> bool:
        return self._finished.is_set()

    def cancel(self) -> None:
        """Stop the run: its processes are killed and the result's status is "cancelled"."""
        self._cancel.set()

    def result(self, timeout: float | None = None) -> RunResult:
        """The result, waiting for it; raises TimeoutError if ``timeout`` passes first."""
        if not self._finished.wait(timeout):
            raise TimeoutError("the run is still going")
        if self._error is not None:
            raise self._error
        assert self._result is not None
        return self._result

    def on_done(self, callback: Callable[[RunResult], None]) -> None:
        """Call ``callback(result)`` when the run ends, on the run's thread (at once if it has
        ended), before ``result()`` returns to those waiting."""
        with self._lock:
            if not self._delivered:
                self._callbacks.append(callback)
                return
        if self._result is not None:
            callback(self._result)


def start_run(question: Question, language: Name, code: str) -> RunHandle:
    """Start running ``question``'s tests in ``language`` against ``code``; returns at once."""
    return RunHandle(lambda cancel: run_question(question, language, code, cancel=cancel))
