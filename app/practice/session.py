"""A practice session as a state machine: everything the question screen decides, minus the screen.

The TUI shows this object's state and forwards key presses to its methods. Every rating is
committed to the store before ``rate`` returns.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from app.bank.index import Bank, IndexEntry
from app.clock import Clock
from app.practice import scheduler
from app.practice.grading import Suggestion, grade_choice, rubric_coverage, suggest
from app.practice.planner import Filters, History, PlannedRound
from app.store.db import Store

if TYPE_CHECKING:
    from app.bank.models import Question


@dataclass
class Timer:
    """Active time on a clock, excluding pauses."""

    clock: Clock
    _accumulated: timedelta = timedelta(0)
    _running_since: datetime | None = None

    def start(self) -> None:
        if self._running_since is None:
            self._running_since = self.clock.now()

    def stop(self) -> None:
        if self._running_since is not None:
            self._accumulated += self.clock.now() - self._running_since
            self._running_since = None

    @property
    def running(self) -> bool:
        return self._running_since is not None

    def elapsed(self) -> timedelta:
        running = self.clock.now() - self._running_since if self._running_since else timedelta(0)
        return self._accumulated + running


@dataclass
class Item:
    """One question of the session and everything the candidate did with it."""

    entry: IndexEntry
    question: Question
    opened_at: datetime
    round_index: int = 0
    timer: Timer | None = None
    hints_used: int = 0
    revealed: bool = False
    ticked: set[int] = field(default_factory=set)
    picked: int | None = None
    answer: str = ""
    rating: scheduler.Grade | None = None
    skipped: bool = False
    due_after: datetime | None = None
    attempt_id: int | None = None
    """The attempt's row, once written (see PracticeSession._attempt)."""

    @property
    def done(self) -> bool:
        return self.rating is not None or self.skipped

    @property
    def coverage(self) -> float | None:
        return rubric_coverage(self.question, self.ticked)

    @property
    def auto_grade(self) -> bool | None:
        return grade_choice(self.question, self.picked)


class PracticeSession:
    """Questions in order; hints, reveal, rubric, rating, skip and undo for each."""

    def __init__(
        self,
        bank: Bank,
        store: Store,
        clock: Clock,
        entries: list[IndexEntry],
        *,
        mode: str,
        filters: Filters | None = None,
        reschedule: bool = True,
        rounds: list[PlannedRound] | None = None,
        loop_name: str | None = None,
    ) -> None:
        self.bank = bank
        self.store = store
        self.clock = clock
        self.mode = mode
        self.reschedule = reschedule
        self.rounds = rounds or []
        self.loop_name = loop_name
        filters_dict = (filters or Filters()).as_dict()
        if loop_name:
            filters_dict["loop"] = loop_name
        # Nothing is written yet: every write waits for the history's integrity check, which
        # takes a while on a long history, and the first question should not. The session and
        # its attempts are written at the first action (a draft, a rating, a skip, the end),
        # with the moments they began.
        self._session_row = ("loop" if loop_name else mode, filters_dict, reschedule, clock.now())
        self._session_id: int | None = None
        self.session_timer = Timer(clock)
        self.session_timer.start()
        self.entries = entries
        # The questions as planned: a curator may break a bank file mid-session (``e``), and the
        # questions still to come from it must not vanish from under the session.
        self._planned = {entry.id: bank.questions[entry.id] for entry in entries}
        self.items: list[Item] = []
        self.position = 0
        self.finished = False
        self._undo_stack: list[int] = []
        self._round_of = {
            entry.id: number for number, r in enumerate(self.rounds) for entry in r.questions
        }
        if entries:
            self._open(0)
        else:
            self.finish()

    # -- navigation ------------------------------------------------------------------------

    @property
    def current(self) -> Item:
        return self.items[self.position]

    @property
    def total(self) -> int:
        return len(self.entries)

    @property
    def paused(self) -> bool:
        return not self.session_timer.running and not self.finished

    @property
    def session_id(self) -> int:
        return self._record_session()

    def _record_session(self) -> int:
        if self._session_id is None:
            mode, filters, reschedule, started_at = self._session_row
            self._session_id = self.store.start_session(
                mode, filters, reschedule=reschedule, now=started_at
            )
        return self._session_id

    def _attempt(self, item: Item) -> int:
        """The attempt row of ``item``, written on first need."""
        if item.attempt_id is None:
            item.attempt_id = self.store.start_attempt(
                self._record_session(),
                item.entry.id,
                item.entry.skill,
                item.question.content_hash,
                item.question.time_seconds,
                now=item.opened_at,
            )
        return item.attempt_id

    def _open(self, index: int) -> None:
        entry = self.entries[index]
        question = self.bank.questions.get(entry.id) or self._planned[entry.id]
        item = Item(
            entry, question, self.clock.now(), self._round_of.get(entry.id, 0), Timer(self.clock)
        )
        assert item.timer is not None
        item.timer.start()
        self.items.append(item)
        self.position = len(self.items) - 1
        if self._session_id is not None:
            self._attempt(item)

    def goto(self, index: int) -> None:
        """Show item ``index`` (opening its attempt the first time). Used by loop reviews."""
        if self.items and self.current.timer:
            self.current.timer.stop()
        if index < len(self.items):
            self.position = index
            item = self.current
            if item.timer and not item.done and not item.revealed:
                item.timer.start()
        else:
            self._open(index)

    def advance(self) -> bool:
        """Move to the next question; False (and the session ends) when there is none."""
        if self.current.timer:
            self.current.timer.stop()
        if self.position + 1 >= self.total:
            self.finish()
            return False
        self.goto(self.position + 1)
        return True

    def finish(self) -> None:
        if self.finished:
            return
        self.finished = True
        self.session_timer.stop()
        for item in self.items:
            if item.timer:
                item.timer.stop()
            if not item.done:
                self.store.skip(
                    self._attempt(item), item.answer, self._spent_ms(item), item.hints_used
                )
        self.store.end_session(self.session_id, now=self.clock.now())

    # -- time ------------------------------------------------------------------------------

    def pause(self) -> None:
        self.session_timer.stop()
        if self.items and self.current.timer:
            self.current.timer.stop()

    def resume(self) -> None:
        if self.finished:
            return
        self.session_timer.start()
        if self.items and self.current.timer and not self.current.done:
            self.current.timer.start()

    def remaining(self, item: Item | None = None) -> timedelta:
        """Time left on a question's budget; negative in overtime."""
        item = item or self.current
        budget = timedelta(seconds=item.question.time_seconds)
        return budget - (item.timer.elapsed() if item.timer else timedelta(0))

    def _spent_ms(self, item: Item) -> int:
        return int(item.timer.elapsed().total_seconds() * 1000) if item.timer else 0

    # -- the candidate's actions -----------------------------------------------------------

    def next_hint(self) -> str | None:
        item = self.current
        if item.hints_used >= len(item.question.hints):
            return None
        item.hints_used += 1
        return item.question.hints[item.hints_used - 1]

    def set_answer(self, text: str) -> None:
        self.current.answer = text

    def save_draft(self) -> None:
        item = self.current
        self.store.save_draft(
            self._attempt(item), item.answer, self._spent_ms(item), item.hints_used
        )

    def reveal(self) -> None:
        item = self.current
        item.revealed = True
        if item.timer:
            item.timer.stop()
        self.save_draft()

    def toggle_rubric(self, index: int) -> None:
        ticked = self.current.ticked
        ticked.symmetric_difference_update({index})

    def pick(self, index: int) -> bool | None:
        self.current.picked = index
        return self.current.auto_grade

    def suggestion(self, item: Item | None = None) -> Suggestion:
        item = item or self.current
        return suggest(
            item.question,
            coverage=item.coverage,
            auto_grade=item.auto_grade,
            hints_used=item.hints_used,
            time_spent_s=self._spent_ms(item) / 1000,
        )

    def _card(self, question_id: str) -> scheduler.Card:
        row = self.store.card(question_id)
        return scheduler.load_card(row.card_json if row else None, question_id, self.clock.now())

    def intervals(self) -> dict[scheduler.Grade, timedelta]:
        """What each rating would do to the current question, as the buttons show it."""
        return scheduler.preview(self._card(self.current.entry.id), self.clock.now())

    def rate(self, grade: scheduler.Grade) -> None:
        """Record the rating now (committed before returning)."""
        item = self.current
        if item.timer:
            item.timer.stop()
        now = self.clock.now()
        review = None
        if self.reschedule:
            review = scheduler.reviewer(item.entry.id, grade, now, self._spent_ms(item))
        due = self.store.rate(
            self._attempt(item),
            rating=int(grade),
            answer=item.answer,
            time_spent_ms=self._spent_ms(item),
            hints_used=item.hints_used,
            rubric_ticked=sorted(item.ticked),
            rubric_coverage=item.coverage,
            auto_grade=item.auto_grade,
            review=review,
            now=now,
        )
        item.rating = grade
        item.due_after = due
        self._undo_stack.append(self.position)

    def skip(self) -> None:
        item = self.current
        if item.timer:
            item.timer.stop()
        item.skipped = True
        self.store.skip(self._attempt(item), item.answer, self._spent_ms(item), item.hints_used)

    @property
    def can_undo(self) -> bool:
        return bool(self._undo_stack)

    def undo(self) -> bool:
        """Take back the last rating and go back to that question, revealed, to rate again."""
        if not self._undo_stack:
            return False
        index = self._undo_stack.pop()
        item = self.items[index]
        if not self.store.undo_rating(self._attempt(item)):
            return False
        item.rating = None
        item.due_after = None
        if self.finished:
            self.finished = False
            self.session_timer.start()
        if self.position != index and self.current.timer:
            self.current.timer.stop()
        self.position = index
        return True

    # -- loops -----------------------------------------------------------------------------

    def round_items(self, round_index: int) -> list[Item]:
        return [item for item in self.items if item.round_index == round_index]


def history_for(store: Store, now: datetime) -> History:
    """The planner's view of the store: due dates, recall now, mean coverage."""
    due: dict[str, datetime] = {}
    recall: dict[str, float] = {}
    for question_id, row in store.cards().items():
        due[question_id] = row.due
        card = scheduler.load_card(row.card_json, question_id, now)
        recall[question_id] = scheduler.retrievability(card, now)
    return History(
        due=due,
        recall=recall,
        coverage=store.coverage_by_question(),
        seen=frozenset(store.seen_ids()),
    )
