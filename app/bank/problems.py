"""A problem found in a bank file, located to the line and column."""

from __future__ import annotations

from typing import NamedTuple


class Problem(NamedTuple):
    """One located problem. Lines and columns are 1-based. Sorts by place, as a tuple.

    Records on the start-up path are named tuples rather than dataclasses: a frozen dataclass
    takes about 0.5 ms to define (it compiles each generated method), a named tuple a fifth."""

    path: str
    line: int
    column: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}: error: {self.message}"


class BankError(Exception):
    """Raised where a caller needs a clean bank and the bank has problems."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__(str(problems[0]) if problems else "the bank has problems")
