"""What a run of an exercise's tests produced, as plain records (stored as JSON, shown by the TUI)."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

TestStatus = Literal["passed", "failed", "error"]
RunStatus = Literal[
    "passed",  # every test passed
    "failed",  # the code ran; at least one test failed or raised
    "compile-error",  # it did not build or import
    "timeout",  # the wall-clock limit ran out
    "crashed",  # killed by a signal or stopped without test results
    "limit",  # a resource limit: memory, CPU seconds, file size, a flood of output
    "cancelled",
    "unavailable",  # the language's toolchain is not installed
]


@dataclass(frozen=True)
class TestResult:
    __test__ = False  # not a pytest test class

    name: str
    status: TestStatus
    message: str = ""
    """For a failure: what was expected and what came (the assertion's text)."""


@dataclass(frozen=True)
class CompileError:
    file: Literal["solution", "tests"]
    """Whose code: the candidate's (``solution``) or the exercise's tests."""
    line: int | None
    """The line in that code (1-based), when the compiler names one."""
    column: int | None
    message: str


@dataclass(frozen=True)
class RunResult:
    language: str
    status: RunStatus
    summary: str
    """One line a person reads first, such as "3 of 5 tests passed" or "timed out after 10s"."""
    tests: tuple[TestResult, ...] = ()
    compile_errors: tuple[CompileError, ...] = ()
    output: str = ""
    """The tools' own output (capped), for whatever the summary does not explain."""
    seconds: float = 0.0

    @property
    def passed(self) -> int:
        return sum(test.status == "passed" for test in self.tests)

    @property
    def total(self) -> int:
        return len(self.tests)

    @property
    def all_passed(self) -> bool:
        return self.status == "passed"

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> RunResult:
        data: dict[str, Any] = json.loads(text)
        return cls(
            language=data["language"],
            status=data["status"],
            summary=data["summary"],
            tests=tuple(TestResult(**test) for test in data.get("tests", ())),
            compile_errors=tuple(CompileError(**error) for error in data.get("compile_errors", ())),
            output=data.get("output", ""),
            seconds=data.get("seconds", 0.0),
        )


@dataclass(frozen=True)
class Parsed:
    """What a language's output parser found."""

    tests: list[TestResult] = field(default_factory=list)
    compile_errors: list[CompileError] = field(default_factory=list)
