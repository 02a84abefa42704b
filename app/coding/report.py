"""A run's result as plain lines for the command line (``drillbit run``)."""

from __future__ import annotations

from app.coding.results import RunResult
from app.textfmt import printable

_MARKS = {"passed": "PASS", "failed": "FAIL", "error": "ERROR"}
_OUTPUT_LINES = 20


def _indented(text: str, prefix: str = "      ") -> list[str]:
    return [prefix + line for line in printable(text).splitlines()]


def result_lines(question_id: str, result: RunResult) -> list[str]:
    """Per test PASS, FAIL or ERROR with its message; compile errors with their line; the
    summary last. Everything that came from the code or the bank is escaped."""
    lines = []
    for test in result.tests:
        lines.append(f"  {_MARKS[test.status]:5} {printable(test.name)}")
        if test.status != "passed" and test.message:
            lines += _indented(test.message)
    for error in result.compile_errors:
        where = "your code" if error.file == "solution" else "the tests"
        place = f" line {error.line}" if error.line else ""
        place += f":{error.column}" if error.line and error.column else ""
        lines.append(f"  {where}{place}: {printable(error.message.splitlines()[0])}")
        lines += _indented("\n".join(error.message.splitlines()[1:]))
    if result.status in ("crashed", "limit", "timeout") or (
        result.status == "compile-error" and not result.compile_errors
    ):
        tail = result.output.strip().splitlines()[-_OUTPUT_LINES:]
        if tail:
            lines.append("  output (last lines):")
            lines += _indented("\n".join(tail))
    lines.append(
        f"{printable(question_id)} ({result.language}): {printable(result.summary)}"
        f" [{result.seconds:.2f}s]"
    )
    return lines
