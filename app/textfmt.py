"""Plain text for the command line: tables, suggestions, and text made safe for a terminal."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any


def display_width(text: str) -> int:
    """Columns ``text`` takes in a terminal: wide East Asian characters and emoji take two,
    combining marks and zero-width joiners or selectors none."""
    from unicodedata import combining, east_asian_width

    width = 0
    for char in text:
        if combining(char) or char in "\u200b\u200c\u200d\ufe0e\ufe0f":
            continue
        width += 2 if east_asian_width(char) in "WF" else 1
    return width


def table(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> list[str]:
    """Left-aligned columns two spaces apart, with a dashed rule under the header."""
    cells = [[printable(str(cell), one_line=True) for cell in row] for row in [header, *rows]]
    widths = [max(display_width(row[i]) for row in cells) for i in range(len(header))]

    def line(row: Sequence[str]) -> str:
        return "  ".join(
            cell + " " * (width - display_width(cell))
            for cell, width in zip(row, widths, strict=True)
        ).rstrip()

    return [line(cells[0]), "  ".join("-" * w for w in widths), *(line(row) for row in cells[1:])]


def did_you_mean(word: str, options: Iterable[str]) -> str:
    """`` (did you mean 'x'?)`` for the option closest to ``word``, or nothing."""
    from difflib import get_close_matches

    close = get_close_matches(word, list(options), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


# What a terminal acts on instead of showing: C0 and C1 controls, DEL, and the bidi controls
# and marks that reorder what follows. Tab and newline are kept where the text is multi-line.
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_UNSAFE_IN_A_LINE = re.compile(f"[\t\n{_UNSAFE.pattern[1:-1]}]")


def _escaped(match: re.Match[str]) -> str:
    return match.group().encode("unicode_escape").decode("ascii")


def printable(text: str, *, one_line: bool = False) -> str:
    """``text`` safe to write raw to a terminal, so that bank, import or program output cannot
    drive it: what a terminal would act on is shown escaped (``\\x1b``, ``\\u202e``); with
    ``one_line``, tabs and newlines too, so that it cannot split a line."""
    return (_UNSAFE_IN_A_LINE if one_line else _UNSAFE).sub(_escaped, text)


def printable_json(text: str) -> str:
    """JSON text (as ``json.dumps`` writes it) safe for a terminal and still the same JSON:
    the characters ``json.dumps`` leaves raw (DEL, C1, bidi) become ``\\u`` escapes."""
    return _UNSAFE.sub(lambda match: f"\\u{ord(match.group()):04x}", text)
