"""Which questions a session asks, and in what order. Pure: the bank index and history go in."""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from types import MappingProxyType
from typing import TYPE_CHECKING, NamedTuple

from app.bank.index import IndexEntry

if TYPE_CHECKING:
    from app.bank.models import Loop

MODES = ("auto", "due", "new", "weakest", "random", "mock")
MODE_HELP = {
    "auto": "due, new, then weakest",
    "due": "only questions now due",
    "new": "only questions never practised",
    "weakest": "lowest recall or coverage",
    "random": "a random draw",
    "mock": "random, not rescheduled",
}


class Filters(NamedTuple):
    skills: tuple[str, ...] = ()
    difficulty: str | None = None
    tags: tuple[str, ...] = ()

    def matches(self, entry: IndexEntry) -> bool:
        return (
            (not self.skills or entry.skill in self.skills)
            and (self.difficulty is None or entry.difficulty == self.difficulty)
            and set(self.tags) <= set(entry.tags)
        )

    def as_dict(self) -> dict[str, object]:
        return {"skills": list(self.skills), "difficulty": self.difficulty, "tags": list(self.tags)}


_EMPTY: Mapping = MappingProxyType({})


class History(NamedTuple):
    """What the planner needs to know of the store."""

    due: Mapping[str, datetime] = _EMPTY
    """Each scheduled question's due date."""
    recall: Mapping[str, float] = _EMPTY
    """Retrievability now, per scheduled question."""
    coverage: Mapping[str, float] = _EMPTY
    """Mean rubric coverage per question."""
    seen: frozenset[str] = frozenset()
    """Questions rated at least once."""


def matching(index: Iterable[IndexEntry], filters: Filters) -> list[IndexEntry]:
    return [entry for entry in index if filters.matches(entry)]


def _due(entries: Sequence[IndexEntry], history: History, now: datetime) -> list[IndexEntry]:
    due = [e for e in entries if e.id in history.due and history.due[e.id] <= now]
    return sorted(due, key=lambda e: history.due[e.id])


def _new(entries: Sequence[IndexEntry], history: History) -> list[IndexEntry]:
    return interleave(e for e in entries if e.id not in history.due and e.id not in history.seen)


def interleave(entries: Iterable[IndexEntry]) -> list[IndexEntry]:
    """Take the skills in turn (in the order they come), keeping each skill's own order: a
    session over several skills then mixes them rather than emptying the first file first."""
    by_skill: dict[str, list[IndexEntry]] = {}
    for entry in entries:
        by_skill.setdefault(entry.skill, []).append(entry)
    queues = list(by_skill.values())
    ordered: list[IndexEntry] = []
    for depth in range(max(map(len, queues), default=0)):
        ordered.extend(queue[depth] for queue in queues if depth < len(queue))
    return ordered


def weakness(entry_id: str, history: History) -> float:
    """0 (weakest) to 1: the lower of recall and mean rubric coverage."""
    return min(history.recall.get(entry_id, 1.0), history.coverage.get(entry_id, 1.0))


def _weakest(entries: Sequence[IndexEntry], history: History) -> list[IndexEntry]:
    seen = [e for e in entries if e.id in history.due or e.id in history.seen]
    by_skill: dict[str, list[IndexEntry]] = defaultdict(list)
    for entry in sorted(seen, key=lambda e: (weakness(e.id, history), e.id)):
        by_skill[entry.skill].append(entry)
    # Round-robin across skills, the skill with the weakest question first.
    queues = sorted(by_skill.values(), key=lambda q: weakness(q[0].id, history))
    ordered: list[IndexEntry] = []
    while queues:
        ordered.extend(queue.pop(0) for queue in queues)
        queues = [queue for queue in queues if queue]
    return ordered


def order(
    entries: Sequence[IndexEntry], mode: str, history: History, now: datetime, seed: int
) -> list[IndexEntry]:
    if mode == "due":
        return _due(entries, history, now)
    if mode == "new":
        return _new(entries, history)
    if mode == "weakest":
        return _weakest(entries, history)
    if mode in ("random", "mock"):
        shuffled = list(entries)
        random.Random(seed).shuffle(shuffled)
        return shuffled
    if mode == "auto":
        chosen: list[IndexEntry] = []
        seen: set[str] = set()
        for part in (
            _due(entries, history, now),
            _new(entries, history),
            _weakest(entries, history),
        ):
            for entry in part:
                if entry.id not in seen:
                    seen.add(entry.id)
                    chosen.append(entry)
        return chosen
    raise ValueError(f"unknown mode '{mode}'; choose one of {', '.join(MODES)}")


def take(
    ordered: Sequence[IndexEntry], count: int | None = None, total_seconds: int | None = None
) -> list[IndexEntry]:
    """The first ``count`` questions, or as many as fit ``total_seconds`` (in order, skipping
    those too long to fit)."""
    if total_seconds is None:
        return list(ordered[: count if count is not None else len(ordered)])
    chosen, used = [], 0
    for entry in ordered:
        if count is not None and len(chosen) >= count:
            break
        if used + entry.time_seconds <= total_seconds:
            chosen.append(entry)
            used += entry.time_seconds
    return chosen


def plan(
    index: Iterable[IndexEntry],
    *,
    mode: str,
    filters: Filters,
    history: History,
    now: datetime,
    count: int | None = None,
    total_seconds: int | None = None,
    seed: int = 0,
) -> list[IndexEntry]:
    return take(order(matching(index, filters), mode, history, now, seed), count, total_seconds)


class PlannedRound(NamedTuple):
    title: str
    time_seconds: int
    questions: tuple[IndexEntry, ...]


def plan_loop(
    index: Iterable[IndexEntry], loop: Loop, history: History, now: datetime, seed: int = 0
) -> list[PlannedRound]:
    """Each round's questions: due and new ones first, never the same question twice."""
    entries = list(index)
    used: set[str] = set()
    rounds = []
    for number, round_ in enumerate(loop.rounds):
        filters = Filters(tuple(round_.skills), round_.difficulty)
        pool = [e for e in matching(entries, filters) if e.id not in used]
        shuffled = order(pool, "random", history, now, seed + number)
        fresh = [e for e in shuffled if e.id not in history.seen]
        ranked = fresh + [e for e in shuffled if e.id in history.seen]
        # Spread the round across its skills before taking a second from any.
        by_skill: dict[str, list[IndexEntry]] = defaultdict(list)
        for entry in ranked:
            by_skill[entry.skill].append(entry)
        picked: list[IndexEntry] = []
        queues = [by_skill[skill] for skill in round_.skills if by_skill[skill]]
        while queues and len(picked) < round_.count:
            for queue in queues:
                if len(picked) < round_.count:
                    picked.append(queue.pop(0))
            queues = [queue for queue in queues if queue]
        used.update(entry.id for entry in picked)
        rounds.append(PlannedRound(round_.title, round_.time_seconds, tuple(picked)))
    return rounds
