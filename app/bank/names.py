"""Names a user types (skills, tags, loops) checked against the bank, with the valid ones.

An unknown name is a usage error everywhere: it must not quietly give an empty table, an empty
session or the home screen.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from app.bank.index import Bank


def did_you_mean(word: str, options: Iterable[str]) -> str:
    """`` (did you mean 'x'?)`` for the closest option, or nothing."""
    from difflib import get_close_matches

    close = get_close_matches(word, list(options), n=1)
    return f" (did you mean '{close[0]}'?)" if close else ""


def unknown(what: str, name: str, known: Iterable[str]) -> str:
    names = sorted(set(known))
    listed = ", ".join(names) or "none"
    return f"no {what} '{name}'{did_you_mean(name, names)}; the bank has: {listed}"


def bank_tags(bank: Bank) -> set[str]:
    return {tag for entry in bank.entries.values() for tag in entry.tags}


def check_names(
    bank: Bank, skills: Sequence[str] = (), tags: Sequence[str] = (), loop: str | None = None
) -> str | None:
    """Why the names do not fit the bank (the first unknown one, with the valid names), or
    None when they all do."""
    for skill in skills:
        if skill not in bank.skills:
            return unknown("skill", skill, bank.skills)
    if tags:
        known_tags = bank_tags(bank)
        for tag in tags:
            if tag not in known_tags:
                return unknown("tag", tag, known_tags)
    if loop is not None and loop not in bank.loops:
        return unknown("loop", loop, bank.loops)
    return None
