"""A problem found in a bank file, located to the line and column."""

from __future__ import annotations

from typing import NamedTuple

from app.textfmt import printable


class Problem(NamedTuple):
    """One located problem. Lines and columns are 1-based. Sorts by place, as a tuple.

    Records on the start-up path are named tuples rather than dataclasses: a frozen dataclass
    takes about 0.5 ms to define (it compiles each generated method), a named tuple a fifth."""

    path: str
    line: int
    column: int
    message: str

    def __str__(self) -> str:
        # One line, whatever the file's name or the message quotes: safe for a terminal.
        path, message = printable(self.path, one_line=True), printable(self.message, one_line=True)
        return f"{path}:{self.line}:{self.column}: error: {message}"
