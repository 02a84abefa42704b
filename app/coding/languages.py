"""Each language's files, commands and output parser, as CODING_FORMAT (docs/bank-format.md) says.

A language lays out the candidate's code and the tests in a fresh directory, names the steps to
run (a compile step, then the tests; or one step that does both) and reads their output into
per-test results and compile errors.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from app.coding.results import CompileError, Parsed, TestResult

GIB = 1024 * 1024 * 1024


@dataclass(frozen=True)
class Step:
    argv: list[str]
    memory_bytes: int
    compile: bool
    """Whether failing here is a compile error (the tests never ran)."""
    processes: int = 128
    """Processes and threads at once: compilers run several, each with a thread per core."""


def clean_output(text: str, directory: Path) -> str:
    """Output without the temporary directory's name, which only adds noise."""
    return text.replace(f"{directory}/", "").replace(str(directory), ".")


# -- Python ------------------------------------------------------------------------------------

_PY_START = re.compile(r"^(?P<name>\w+) \((?P<id>[\w.]+)\)(?P<params> \(.*\))?")
_PY_STATUS = re.compile(
    r" \.\.\. (?P<status>ok|FAIL|ERROR|skipped.*|expected failure|unexpected success)$"
)
_PY_HEADER = re.compile(
    r"^(?P<kind>FAIL|ERROR): (?P<name>\w+) \((?P<id>[\w.]+)\)(?P<params> \(.*\))?"
)
_PY_FRAME = re.compile(r'^  File "(?P<file>[^"]+)", line (?P<line>\d+)')
_RULE = "=" * 70
_PY_PASSED = ("ok", "expected failure")


def _python_exception(traceback: list[str]) -> str:
    """The exception's own lines: what follows the last frame and its source lines."""
    last_frame = max((i for i, line in enumerate(traceback) if _PY_FRAME.match(line)), default=-1)
    lines = [line for line in traceback[last_frame + 1 :] if not line.startswith("    ")]
    return "\n".join(lines).strip()


def parse_python(stdout: str, stderr: str) -> Parsed:
    parsed = Parsed()
    statuses: dict[str, str] = {}
    current: str | None = None
    # The failure blocks, then the "Ran N tests" trailer after the last rule of dashes.
    blocks = stderr.rsplit("\n" + "-" * 70 + "\nRan ", 1)[0].split(_RULE)
    for line in blocks[0].splitlines():
        start = _PY_START.match(line.strip())
        if start:
            loader = start["id"].startswith("unittest.loader.")
            current = None if loader else start["name"] + (start["params"] or "")
        status = _PY_STATUS.search(line)
        if status and current is not None:
            statuses[current] = status["status"]
    messages: dict[str, str] = {}
    for block in blocks[1:]:
        lines = block.strip("\n").splitlines()
        header = _PY_HEADER.match(lines[0]) if lines else None
        if header is None:
            continue
        body = block.split("-" * 70, 1)[1].splitlines() if "-" * 70 in block else lines[1:]
        if header["id"].startswith("unittest.loader._FailedTest"):
            parsed.compile_errors.append(_python_import_error(body))
            continue
        name = header["name"] + (header["params"] or "")
        messages[name] = _python_exception(body)
        statuses.setdefault(name, header["kind"])
    # One result per test method: its failing subtests ("(i=1)") are folded into its message.
    grouped: dict[str, list[tuple[str, str]]] = {}
    for name, status in statuses.items():
        if not status.startswith("skipped"):
            grouped.setdefault(name.split(" (")[0], []).append((name, status))
    for base, entries in grouped.items():
        bad = [(name, status) for name, status in entries if status not in _PY_PASSED]
        if not bad:
            parsed.tests.append(TestResult(base, "passed"))
            continue
        lines = []
        for name, status in bad:
            message = messages.get(name, status)
            params = name[len(base) :].strip()
            lines.append(f"{params}: {message}" if params else message)
        kind = "error" if any(status == "ERROR" for _, status in bad) else "failed"
        parsed.tests.append(TestResult(base, kind, "\n".join(lines)))
    return parsed


def _python_import_error(body: list[str]) -> CompileError:
    line = None
    for text in body:
        frame = _PY_FRAME.match(text)
        if frame and Path(frame["file"]).name == "solution.py":
            line = int(frame["line"])
    return CompileError("solution", line, None, _python_exception(body))


# -- Go ----------------------------------------------------------------------------------------

_GO_RESULT = re.compile(r"^\s*--- (?P<status>PASS|FAIL|SKIP): (?P<name>\S+)")
_GO_RUN = re.compile(r"^=== (?:RUN|CONT|PAUSE)\s+(?P<name>\S+)")
_GO_ERROR = re.compile(
    r"^(?:\./)?(?P<file>solution(?:_test)?\.go):(?P<line>\d+):(?:(?P<col>\d+):)? (?P<msg>.*)"
)


def parse_go(stdout: str, stderr: str) -> Parsed:
    parsed = Parsed()
    output: dict[str, list[str]] = {}
    results: dict[str, str] = {}
    current: str | None = None
    panic: list[str] = []
    for line in stdout.splitlines():
        run = _GO_RUN.match(line)
        result = _GO_RESULT.match(line)
        if run:
            current = run["name"]
            output.setdefault(current, [])
        elif result:
            results[result["name"]] = result["status"]
        elif panic or line.startswith("panic: "):
            panic.append(line)
        elif current is not None and line.startswith("    "):
            output[current].append(line.strip())
    for name in output:
        if name not in results and panic:
            results[name] = "PANIC"
    if panic and current is not None:
        results.setdefault(current, "PANIC")
    # A parent whose subtests failed fails too; report the subtests, and the parent only alone.
    parents = {name.split("/")[0] for name in results if "/" in name}
    for name, status in results.items():
        if status == "SKIP" or (name in parents and status == "FAIL" and not output.get(name)):
            continue
        message = "\n".join(output.get(name, []))
        if status == "PASS":
            parsed.tests.append(TestResult(name, "passed"))
        elif status == "PANIC" or (status == "FAIL" and panic and name == current):
            where = [p.strip() for p in panic if re.search(r"solution\.go:\d+", p)]
            text = "\n".join([panic[0], *where[:1]])
            parsed.tests.append(TestResult(name, "error", (message + "\n" + text).strip()))
        else:
            parsed.tests.append(TestResult(name, "failed", message))
    for line in (stdout + "\n" + stderr).splitlines():
        error = _GO_ERROR.match(line.strip())
        if error and not parsed.tests:
            parsed.compile_errors.append(
                CompileError(
                    "solution" if error["file"] == "solution.go" else "tests",
                    int(error["line"]),
                    int(error["col"]) if error["col"] else None,
                    error["msg"],
                )
            )
    return parsed


# -- Rust --------------------------------------------------------------------------------------

_RS_RESULT = re.compile(r"^test (?P<name>\S+) \.\.\. (?P<status>ok|FAILED|ignored)")
_RS_BLOCK = re.compile(r"^---- (?P<name>\S+) stdout ----$")
_RS_ERROR = re.compile(r"^solution\.rs:(?P<line>\d+):(?P<col>\d+): (?P<msg>error.*)")


def _rust_name(name: str) -> str:
    return name.removeprefix("tests::")


def parse_rust(stdout: str, stderr: str, solution_lines: int = 0) -> Parsed:
    parsed = Parsed()
    messages: dict[str, list[str]] = {}
    block: str | None = None
    for line in stdout.splitlines():
        start = _RS_BLOCK.match(line)
        if start:
            block = start["name"]
            messages[block] = []
        elif block is not None:
            if line.startswith(("stack backtrace:", "note: ")) or line == "failures:":
                block = None
            else:
                messages[block].append(line)
    for line in stdout.splitlines():
        result = _RS_RESULT.match(line)
        if result is None or result["status"] == "ignored":
            continue
        name = result["name"]
        if result["status"] == "ok":
            parsed.tests.append(TestResult(_rust_name(name), "passed"))
        else:
            text = "\n".join(messages.get(name, [])).strip()
            parsed.tests.append(TestResult(_rust_name(name), "failed", text))
    for line in stderr.splitlines():
        error = _RS_ERROR.match(line)
        if error:
            number = int(error["line"])
            in_tests = solution_lines and number > solution_lines
            parsed.compile_errors.append(
                CompileError(
                    "tests" if in_tests else "solution",
                    number - (solution_lines + 2) if in_tests else number,
                    int(error["col"]),
                    error["msg"],
                )
            )
    return parsed


# -- the languages -----------------------------------------------------------------------------

Name = Literal["python", "go", "rust"]


@dataclass(frozen=True)
class Layout:
    """The files written for a run, its steps, and how to read their output."""

    files: dict[str, str]
    steps: list[Step]
    solution_lines: int = 0


def layout(language: Name, code: str, tests: str, tool: str) -> Layout:
    """``tool`` is the interpreter or compiler found for the language (see toolchains)."""
    if language == "python":
        argv = [tool, "-I", "-m", "unittest", "discover", "-s", ".", "-p", "test_*.py", "-v"]
        return Layout(
            {"solution.py": code, "test_solution.py": tests}, [Step(argv, 1 * GIB, False)]
        )
    if language == "go":
        return Layout(
            {
                "go.mod": "module solution\n\ngo 1.19\n",
                "solution.go": code,
                "solution_test.go": tests,
            },
            [Step([tool, "test", "-v", "./..."], 4 * GIB, False, processes=1024)],
        )
    body = code.rstrip("\n") + "\n"
    lines = body.count("\n")
    source = f"{body}\n#[cfg(test)]\n{tests}"
    compile_argv = [
        tool,
        "--edition",
        "2021",
        "--test",
        "--color",
        "never",
        "--error-format",
        "short",
        "--cap-lints",
        "allow",
        "solution.rs",
        "-o",
        "solution_tests",
    ]
    return Layout(
        {"solution.rs": source},
        [
            Step(compile_argv, 4 * GIB, True, processes=1024),
            Step(["./solution_tests", "--color", "never", "--test-threads", "1"], 1 * GIB, False),
        ],
        solution_lines=lines,
    )


def parse(language: Name, stdout: str, stderr: str, solution_lines: int = 0) -> Parsed:
    if language == "python":
        return parse_python(stdout, stderr)
    if language == "go":
        return parse_go(stdout, stderr)
    return parse_rust(stdout, stderr, solution_lines)


def python_tool() -> str:
    """The interpreter drillbit runs on: candidates write for the Python the tests use."""
    return sys.executable
