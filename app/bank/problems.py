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
