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
    from app.bank.models import Loop, LoopRound

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
    break_seconds: int = 0
    """A break after the round, before the next one starts."""


ASKED_ONLY_BY_NAME = frozenset({"quick-fire", "coding"})
"""Kinds a round asks only when its ``kinds`` name them: quick-fire is filler in a timed round,
and a coding exercise is a round of its own. A round that names neither skills nor kinds does
not ask behavioural questions either: they are a round of their own too."""


def round_matches(round_: LoopRound, entry: IndexEntry) -> bool:
    """Whether the round may ask the question: its skills, kinds and difficulty, and short
    enough to fit the round at all."""
    if round_.skills and entry.skill not in round_.skills:
        return False
    if round_.kinds:
        if entry.kind not in round_.kinds:
            return False
    elif entry.kind in ASKED_ONLY_BY_NAME or (not round_.skills and entry.kind == "behavioural"):
        return False
    if round_.difficulty is not None and entry.difficulty != round_.difficulty:
        return False
    return entry.time_seconds <= round_.time_seconds


def fill_round(
    ranked: Sequence[IndexEntry], skills: Sequence[str], seconds: int, count: int | None
) -> list[IndexEntry]:
    """Questions in ``ranked`` order that fit ``seconds`` together (never more), at most
    ``count`` of them, spread across the skills before a second comes from any one."""
    by_skill: dict[str, list[IndexEntry]] = defaultdict(list)
    for entry in ranked:
        by_skill[entry.skill].append(entry)
    order_of_skills = list(skills) or list(by_skill)
    queues = [by_skill[skill] for skill in order_of_skills if by_skill[skill]]
    picked: list[IndexEntry] = []
    left = seconds
    while queues and (count is None or len(picked) < count):
        still: list[list[IndexEntry]] = []
        for queue in queues:
            if count is not None and len(picked) >= count:
                break
            fitting = next((e for e in queue if e.time_seconds <= left), None)
            if fitting is None:
                continue  # nothing of this skill fits what is left of the round
            queue.remove(fitting)
            picked.append(fitting)
            left -= fitting.time_seconds
            if queue:
                still.append(queue)
        queues = still
    return picked


def plan_loop(
    index: Iterable[IndexEntry], loop: Loop, history: History, now: datetime, seed: int = 0
) -> list[PlannedRound]:
    """Each round's questions: unseen ones first, in a random order, filling the round up to
    its time and never beyond it; never the same question twice in a loop. A round whose
    pool is empty (or holds nothing short enough) is planned empty."""
    entries = list(index)
    used: set[str] = set()
    rounds = []
    for number, round_ in enumerate(loop.rounds):
        pool = [e for e in entries if e.id not in used and round_matches(round_, e)]
        shuffled = order(pool, "random", history, now, seed + number)
        fresh = [e for e in shuffled if e.id not in history.seen]
        ranked = fresh + [e for e in shuffled if e.id in history.seen]
        picked = fill_round(ranked, round_.skills, round_.time_seconds, round_.count)
        used.update(entry.id for entry in picked)
        rounds.append(
            PlannedRound(round_.title, round_.time_seconds, tuple(picked), round_.break_seconds)
        )
    return rounds
