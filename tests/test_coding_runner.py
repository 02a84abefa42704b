"""The runner against hostile code: each case ends within its limits, is reported for what it
is, and leaves the machine as it was. Real interpreters and compilers, small fixtures."""

from __future__ import annotations

import os
import socket
import sys
import threading
import time
from pathlib import Path

import pytest

from app.bank.loader import load_file
from app.coding.results import RunResult
from app.coding.runner import run_code, run_question, start_run
from app.coding.sandbox import isolation
from app.coding.toolchains import toolchain
from tests.coding_support import shared_go_cache  # noqa: F401 (an autouse fixture)

FIXTURES = Path(__file__).parent / "fixtures" / "coding"
HOSTILE = FIXTURES / "hostile"
EXERCISE = load_file(FIXTURES / "problem-solving.yaml").questions[0][0]

ANSWER_TESTS = """\
import unittest

from solution import answer


class AnswerTest(unittest.TestCase):
    def test_answer_is_42(self):
        self.assertEqual(answer(), 42)
"""

namespaces = pytest.mark.skipif(
    not isolation().namespaces and os.environ.get("CI") != "true",
    reason="needs Linux namespaces (unshare)",
)


def hostile(name: str, **values: object) -> str:
    text = (HOSTILE / name).read_text(encoding="utf-8")
    for key, value in values.items():
        text = text.replace(f"@{key.upper()}@", str(value))
    return text


def run(code: str, timeout: float = 10) -> RunResult:
    return run_code("python", code, ANSWER_TESTS, timeout_s=timeout)


def test_a_failing_test_names_expected_and_actual() -> None:
    result = run("def answer():\n    return 41\n")
    assert result.status == "failed"
    assert result.summary == "0 of 1 tests passed"
    (test,) = result.tests
    assert (test.name, test.status) == ("test_answer_is_42", "failed")
    assert "41 != 42" in test.message


def test_a_syntax_error_points_at_the_candidates_line() -> None:
    result = run("def helper():\n    return 1\n\ndef answer(:\n    return 42\n")
    assert result.status == "compile-error"
    (error,) = result.compile_errors
    assert (error.file, error.line) == ("solution", 4)
    assert "SyntaxError" in error.message
    assert "line 4" in result.summary


def test_timeout_stops_the_run() -> None:
    started = time.monotonic()
    result = run(hostile("busy_loop.py"), timeout=2)
    assert result.status == "timeout"
    assert "timed out after 2s" in result.summary
    assert time.monotonic() - started < 8


def test_a_flood_of_output_is_stopped_and_capped() -> None:
    started = time.monotonic()
    result = run(hostile("output_flood.py"), timeout=30)
    assert result.status == "limit"
    assert "output" in result.summary
    assert time.monotonic() - started < 20
    assert len(result.output) <= 2 * 64 * 1024 + 100


def test_memory_exhaustion_is_reported_as_the_limit() -> None:
    result = run(hostile("memory_hog.py"))
    assert result.status == "limit"
    assert "memory limit (1024 MiB)" in result.summary


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@namespaces
def test_spawned_and_double_forked_processes_do_not_outlive_the_run() -> None:
    result = run(hostile("spawner.py"), timeout=20)
    pids = [
        int(line.split()[-1])
        for line in result.output.splitlines()
        if line.startswith(("child ", "grandchild "))
    ]
    refused = "fork refused" in result.output
    assert result.status == "failed", result.summary
    assert any(line.startswith("grandchild ") for line in result.output.splitlines())
    assert len(pids) >= 20 or refused
    survivors = [pid for pid in pids if _alive(pid)]
    assert survivors == []


@namespaces
def test_no_writes_outside_the_directory_and_no_network(tmp_path: Path) -> None:
    outside = tmp_path / "escaped.txt"
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    listener.setblocking(False)
    try:
        code = hostile("escape.py", outside=outside, port=listener.getsockname()[1])
        result = run(code)
        with pytest.raises(BlockingIOError):
            listener.accept()
    finally:
        listener.close()
    assert not outside.exists()
    assert result.status == "failed"
    assert "write refused: Read-only file system" in result.output
    assert "connect refused: Network is unreachable" in result.output


def test_a_run_can_be_cancelled() -> None:
    handle = start_run(EXERCISE, "python", "def parse_port(text):\n    while True:\n        pass\n")
    seen: list[RunResult] = []
    finished = threading.Event()

    def remember(result: RunResult) -> None:
        seen.append(result)
        finished.set()

    handle.on_done(remember)
    with pytest.raises(TimeoutError):
        handle.result(timeout=0.5)  # under way: cancelling a running run is the case to prove
    started = time.monotonic()
    handle.cancel()
    result = handle.result(timeout=10)
    assert result.status == "cancelled"
    assert time.monotonic() - started < 5
    assert finished.wait(5) and seen == [result]
    assert handle.done


def test_a_missing_language_is_refused() -> None:
    block = EXERCISE.code
    assert block is not None
    with pytest.raises(ValueError, match="no java tests"):
        run_question(EXERCISE, "java", "")  # type: ignore[arg-type]


def test_result_round_trips_through_json() -> None:
    result = run("def answer():\n    return 41\n")
    assert RunResult.from_json(result.to_json()) == result


@pytest.mark.parametrize("language", ["go", "rust"])
def test_compile_errors_point_at_the_candidates_line(language: str) -> None:
    if not toolchain(language).available:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{language} toolchain missing under CI")
        pytest.skip(f"{language} not installed")
    code = {
        "go": "package solution\n\nfunc ParsePort(s string) (int, error) {\n\treturn missing, nil\n}\n",
        "rust": "pub fn parse_port(_s: &str) -> Result<u16, String> {\n    missing\n}\n",
    }[language]
    result = run_question(EXERCISE, language, code)
    assert result.status == "compile-error", result.summary
    error = result.compile_errors[0]
    assert error.file == "solution"
    assert error.line == (4 if language == "go" else 2)
    assert "your code line" in result.summary


def test_subtests_fold_into_their_test() -> None:
    tests = (
        "import unittest\n\nfrom solution import answer\n\n\n"
        "class AnswerTest(unittest.TestCase):\n"
        "    def test_each_input(self):\n"
        "        for n in range(3):\n"
        "            with self.subTest(n=n):\n"
        "                self.assertEqual(answer(n), n)\n\n"
        "    def test_docstring_does_not_hide_the_status(self):\n"
        '        """A docstring is printed on the line of the status."""\n'
        "        self.assertEqual(answer(0), 0)\n"
    )
    result = run_code("python", "def answer(n):\n    return 0\n", tests)
    assert [(t.name, t.status) for t in result.tests] == [
        ("test_docstring_does_not_hide_the_status", "passed"),
        ("test_each_input", "failed"),
    ]
    assert result.tests[1].message == "(n=1): AssertionError: 0 != 1\n(n=2): AssertionError: 0 != 2"
    assert result.summary == "1 of 2 tests passed"


@namespaces
def test_the_user_namespace_path_isolates_too(tmp_path: Path) -> None:
    """What an ordinary user gets (a user namespace first), exercised here whoever runs it."""
    from dataclasses import replace

    from app.coding import sandbox

    as_user = replace(isolation(), user_namespace=True, root=False)
    assert as_user.unshare is not None
    outside = tmp_path / "escaped.txt"
    script = (
        "import socket\n"
        f"for attempt in (lambda: open({str(outside)!r}, 'w'),"
        " lambda: socket.create_connection(('1.1.1.1', 53), 1)):\n"
        "    try:\n"
        "        attempt()\n"
        "        print('allowed')\n"
        "    except OSError as error:\n"
        "        print(error.strerror)\n"
        "open('inside.txt', 'w').write('ok')\n"
        "print(open('inside.txt').read())\n"
    )
    workdir = tmp_path / "run"
    workdir.mkdir()
    done = sandbox.run(
        [sys.executable, "-I", "-c", script],
        cwd=workdir,
        env={},
        limits=sandbox.Limits(),
        timeout=20,
        use=as_user,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split("\n")[:3] == ["Read-only file system", "Network is unreachable", "ok"]
    assert not outside.exists()
