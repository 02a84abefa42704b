"""FSRS-6 scheduling (the ``fsrs`` package), with day-scale steps that suit interview questions.

Anki's default learning steps (1m, 10m) suit flashcards; a ten-minute design question asked
again ten minutes later teaches nothing, so every rating goes straight to an interval in days.
Fuzzing is off, so the interval shown on a rating button is the one the rating gives.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from enum import IntEnum
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    # Imported on first use: a session with no history shows its first question without it.
    from fsrs import Card, Scheduler


class Grade(IntEnum):
    """The four ratings, numbered as Anki and FSRS number them."""

    AGAIN = 1
    HARD = 2
    GOOD = 3
    EASY = 4

    @property
    def label(self) -> str:
        return self.name.capitalize()


@cache
def _scheduler() -> Scheduler:
    from fsrs import Scheduler

    return Scheduler(enable_fuzzing=False, learning_steps=(), relearning_steps=())


def warm_up() -> None:
    """Import the FSRS library ahead of its first use (it takes a while)."""
    _scheduler()


def new_card(question_id: str, now: datetime) -> Card:
    from fsrs import Card

    return Card(card_id=zlib.crc32(question_id.encode()), due=now)


def parse_card(card_json: str) -> Card:
    from fsrs import Card

    return Card.from_json(card_json)


def load_card(card_json: str | None, question_id: str, now: datetime) -> Card:
    return parse_card(card_json) if card_json else new_card(question_id, now)


def review(card: Card, grade: Grade, now: datetime, duration_ms: int | None = None) -> Card:
    """The card after ``grade`` at ``now``."""
    from fsrs import Rating

    reviewed, _ = _scheduler().review_card(
        card, Rating(int(grade)), now, review_duration=duration_ms
    )
    return reviewed


def reviewer(
    question_id: str, grade: Grade, now: datetime, duration_ms: int | None = None
) -> Callable[[str | None], tuple[str, datetime]]:
    """The review the store applies, inside its write transaction, to the card as stored."""

    def apply(card_json: str | None) -> tuple[str, datetime]:
        card = review(load_card(card_json, question_id, now), grade, now, duration_ms)
        return card.to_json(), card.due

    return apply


def replay(question_id: str, reviews: Iterable[tuple[int, datetime, int]]) -> Card | None:
    """The card after ``reviews`` (grade, moment, duration in ms), oldest first; None for none.

    A rating applied to the stored card gives the same card as replaying it after the others,
    so devices that merged the same reviews agree on every due date.
    """
    card = None
    for grade, moment, duration_ms in reviews:
        if card is None:
            card = new_card(question_id, moment)
        card = review(card, Grade(grade), moment, duration_ms)
    return card


def preview(card: Card, now: datetime) -> dict[Grade, timedelta]:
    """The interval each grade would give, for the rating buttons."""
    return {grade: review(card, grade, now).due - now for grade in Grade}


def retrievability(card: Card, now: datetime) -> float:
    """The probability of recalling the answer at ``now`` (0 for a never-reviewed card)."""
    if card.last_review is None:
        return 0.0
    return float(_scheduler().get_card_retrievability(card, now))


def format_interval(interval: timedelta) -> str:
    """Anki-style: 10m, 5h, 3d, 2.1mo, 1.3y."""
    seconds = interval.total_seconds()
    if seconds < 3600:
        return f"{max(1, round(seconds / 60))}m"
    if seconds < 86400:
        return f"{round(seconds / 3600)}h"
    days = seconds / 86400
    if days < 30:
        return f"{round(days)}d"
    if days < 365:
        return f"{days / 30:.1f}mo"
    return f"{days / 365:.1f}y"
