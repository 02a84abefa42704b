"""A practice session as a state machine: everything the question screen decides, minus the screen.

Each question moves answering -> revealed -> rated (or skipped), and undo takes a rating back.
A loop (a mock interview) adds two phases per round: the candidate answers every question of
the round with the answers hidden, then reviews and rates them. The TUI shows this object's
state, asks ``can`` what a key may do, and forwards keys to its methods. Every rating is
committed to the store before ``rate`` returns; drafts may be written from another thread.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import Enum
from typing import TYPE_CHECKING, NamedTuple

from app.bank.index import Bank, IndexEntry
from app.clock import Clock
from app.practice import scheduler
from app.practice.grading import (
    ChoiceGrade,
    Suggestion,
    grade_choice,
    rubric_coverage,
    score,
    select_all,
    suggest,
)
from app.practice.planner import Filters, History, PlannedRound
from app.store.db import Store, StoreError

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


class State(Enum):
    """Where one question is."""

    ANSWERING = "answering"
    REVEALED = "revealed"
    RATED = "rated"
    SKIPPED = "skipped"


class Phase(Enum):
    """A loop round's phase; a plain session is always answering."""

    ANSWER = "answer"
    """The round runs: answers stay hidden, ``n`` moves on."""
    REVIEW = "review"
    """The round is over: each answer is revealed, to rate."""


class Step(NamedTuple):
    """What a move did, for the screen to say."""

    kind: str
    """'question' (another question of the same round), 'round' (a new round began),
    'review' (the round's review began), or 'finished'."""
    title: str = ""
    """The round's title for 'round' and 'review'."""


@dataclass
class Item:
    """One question of the session and everything the candidate did with it."""

    entry: IndexEntry
    question: Question
    opened_at: datetime
    timer: Timer
    round_index: int = 0
    hints_used: int = 0
    revealed: bool = False
    ticked: set[int] = field(default_factory=set)
    picked: set[int] = field(default_factory=set)
    answer: str = ""
    restored: bool = False
    """The answer is a draft recovered from an earlier run that ended without closing it."""
    rating: scheduler.Grade | None = None
    skipped: bool = False
    due_after: datetime | None = None
    attempt_id: int | None = None
    """The attempt's row, once written (see PracticeSession._attempt)."""

    @property
    def state(self) -> State:
        if self.rating is not None:
            return State.RATED
        if self.skipped:
            return State.SKIPPED
        return State.REVEALED if self.revealed else State.ANSWERING

    @property
    def done(self) -> bool:
        return self.state in (State.RATED, State.SKIPPED)

    @property
    def coverage(self) -> float | None:
        return rubric_coverage(self.question, self.ticked)

    @property
    def choice_grade(self) -> ChoiceGrade | None:
        return grade_choice(self.question, self.picked)

    @property
    def auto_grade(self) -> bool | None:
        grade = self.choice_grade
        return None if grade is None else grade.correct

    @property
    def score(self) -> float | None:
        return score(self.coverage, self.auto_grade)

    @property
    def multi_select(self) -> bool:
        return select_all(self.question)

    @property
    def spent_seconds(self) -> int:
        return int(self.timer.elapsed().total_seconds())


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
        time_limit_s: int | None = None,
    ) -> None:
        self.bank = bank
        self.store = store
        self.clock = clock
        self.mode = mode
        self.reschedule = reschedule
        self.rounds = rounds or []
        self.loop_name = loop_name
        self.time_limit_s = time_limit_s
        """The session's total time (``--time``), shown as a countdown."""
        filters_dict = (filters or Filters()).as_dict()
        if loop_name:
            filters_dict["loop"] = loop_name
        # Nothing is written yet: every write waits for the history's integrity check, which
        # takes a while on a long history, and the first question should not. The session and
        # its attempts are written at the first action (a draft, a rating, a skip, the end),
        # with the moments they began.
        self._session_row = ("loop" if loop_name else mode, filters_dict, reschedule, clock.now())
        self._session_id: int | None = None
        # Drafts are written from a worker thread; this keeps each write whole.
        self._writing = threading.RLock()
        self.session_timer = Timer(clock)
        self.session_timer.start()
        self.entries = entries
        # The questions as planned: a curator may break a bank file mid-session (``e``), and the
        # questions still to come from it must not vanish from under the session.
        self._planned = {entry.id: bank.questions[entry.id] for entry in entries}
        self.items: list[Item] = []
        self.position = 0
        self.finished = False
        self.phase = Phase.ANSWER
        self._undo_stack: list[int] = []
        self._round_of = {
            entry.id: number for number, r in enumerate(self.rounds) for entry in r.questions
        }
        if entries:
            self._open(0)
        else:
            self.finish()

    # -- state -----------------------------------------------------------------------------

    @property
    def current(self) -> Item:
        return self.items[self.position]

    @property
    def total(self) -> int:
        return len(self.entries)

    @property
    def in_loop(self) -> bool:
        return bool(self.rounds)

    @property
    def hiding_answers(self) -> bool:
        """A loop round is running: answers stay hidden until its review."""
        return self.in_loop and self.phase is Phase.ANSWER

    @property
    def paused(self) -> bool:
        return not self.session_timer.running and not self.finished

    @property
    def session_id(self) -> int:
        return self._record_session()

    def can(self, action: str, argument: int | None = None) -> bool:
        """Whether the candidate may do ``action`` now: the one rule the keys and buttons use."""
        if self.finished:
            return action in ("quit", "undo")
        if self.paused:
            return action in ("pause", "quit")
        item = self.current
        state = item.state
        if action == "reveal":
            return state is State.ANSWERING and not self.hiding_answers
        if action in ("rate", "tick"):
            return state is State.REVEALED
        if action == "hint":
            return state is State.ANSWERING and item.hints_used < len(item.question.hints)
        if action == "pick":
            choices = item.question.choices or ()
            return state is State.ANSWERING and argument is not None and argument < len(choices)
        if action == "next":
            return self.hiding_answers
        if action == "undo":
            return bool(self._undo_stack)
        if action == "skip":
            return not item.done and self.phase is Phase.ANSWER
        if action == "write":
            return state is State.ANSWERING
        return action in ("pause", "quit", "edit")

    # -- writing ---------------------------------------------------------------------------

    def _record_session(self) -> int:
        with self._writing:
            if self._session_id is None:
                mode, filters, reschedule, started_at = self._session_row
                self._session_id = self.store.start_session(
                    mode, filters, reschedule=reschedule, now=started_at
                )
            return self._session_id

    def _attempt(self, item: Item) -> int:
        """The attempt row of ``item``, written on first need."""
        with self._writing:
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

    def save_draft(self, item: Item | None = None) -> None:
        """Write the answer typed so far; safe to call from a worker thread."""
        item = item or self.current
        with self._writing:
            self.store.save_draft(
                self._attempt(item), item.answer, self._spent_ms(item), item.hints_used
            )

    # -- navigation ------------------------------------------------------------------------

    def _open(self, index: int) -> None:
        entry = self.entries[index]
        question = self.bank.questions.get(entry.id) or self._planned[entry.id]
        item = Item(
            entry, question, self.clock.now(), Timer(self.clock), self._round_of.get(entry.id, 0)
        )
        try:
            item.answer = self.store.last_draft(entry.id)
        except StoreError:
            item.answer = ""  # a damaged history must not keep the question from showing
        item.restored = bool(item.answer)
        item.timer.start()
        self.items.append(item)
        self.position = len(self.items) - 1
        if self._session_id is not None:
            self._attempt(item)

    def _goto(self, index: int) -> None:
        self.current.timer.stop()
        if index < len(self.items):
            self.position = index
            if not self.current.done and not self.current.revealed:
                self.current.timer.start()
        else:
            self._open(index)

    def move_on(self) -> Step:
        """After a rating or a skip: the round's next unrated answer in a review, else the next
        question (a loop's next round starts answering), else the end."""
        if self.in_loop and self.phase is Phase.REVIEW:
            round_index = self.current.round_index
            pending = [
                n
                for n, item in enumerate(self.items)
                if item.round_index == round_index and not item.done
            ]
            if pending:
                self._goto(pending[0])
                return Step("question")
            self.phase = Phase.ANSWER
        self.current.timer.stop()
        if self.position + 1 >= self.total:
            self.finish()
            return Step("finished")
        before = self.current.round_index
        self._goto(self.position + 1)
        if self.in_loop and self.current.round_index != before:
            return Step("round", self.rounds[self.current.round_index].title)
        return Step("question")

    def next_in_round(self) -> Step:
        """A loop round: the next question, or after the round's last one, its review."""
        item = self.current
        item.timer.stop()
        following = self.position + 1
        if following < self.total and self._round_of.get(self.entries[following].id) == (
            item.round_index
        ):
            self._goto(following)
            return Step("question")
        return self._start_review(item.round_index)

    def _start_review(self, round_index: int) -> Step:
        self.phase = Phase.REVIEW
        pending = [
            n
            for n, item in enumerate(self.items)
            if item.round_index == round_index and not item.done
        ]
        for item in self.round_items(round_index):
            item.revealed = True
            item.timer.stop()
        if not pending:  # every question of the round was skipped
            self.phase = Phase.ANSWER
            return self.move_on()
        self._goto(pending[0])
        return Step("review", self.rounds[round_index].title)

    def finish(self) -> None:
        """End the session: the questions not rated are recorded as skipped, with their answers.
        Calling it again does nothing."""
        if self.finished:
            return
        self.finished = True
        self.session_timer.stop()
        with self._writing:
            for item in self.items:
                item.timer.stop()
                if not item.done:
                    self.store.skip(
                        self._attempt(item), item.answer, self._spent_ms(item), item.hints_used
                    )
            self.store.end_session(self.session_id, now=self.clock.now())

    # -- time ------------------------------------------------------------------------------

    def pause(self) -> None:
        self.session_timer.stop()
        if self.items:
            self.current.timer.stop()

    def resume(self) -> None:
        if self.finished:
            return
        self.session_timer.start()
        if self.items and self.current.state is State.ANSWERING:
            self.current.timer.start()

    def remaining(self, item: Item | None = None) -> timedelta:
        """Time left on a question's budget; negative in overtime."""
        item = item or self.current
        return timedelta(seconds=item.question.time_seconds) - item.timer.elapsed()

    def round_remaining(self) -> timedelta:
        """Time left on the current loop round's budget; negative in overtime."""
        round_index = self.current.round_index
        spent = sum((i.timer.elapsed() for i in self.round_items(round_index)), timedelta(0))
        return timedelta(seconds=self.rounds[round_index].time_seconds) - spent

    def session_remaining(self) -> timedelta | None:
        """Time left of ``--time``, or None when the session has no total time."""
        if self.time_limit_s is None:
            return None
        return timedelta(seconds=self.time_limit_s) - self.session_timer.elapsed()

    def _spent_ms(self, item: Item) -> int:
        return int(item.timer.elapsed().total_seconds() * 1000)

    # -- the candidate's actions -----------------------------------------------------------

    def next_hint(self) -> str | None:
        if not self.can("hint"):
            return None
        item = self.current
        item.hints_used += 1
        return item.question.hints[item.hints_used - 1]

    def set_answer(self, text: str) -> None:
        self.current.answer = text
        self.current.restored = False

    def reveal(self) -> bool:
        """Show the model answer; the draft is the caller's to save (it may wait)."""
        if not self.can("reveal"):
            return False
        item = self.current
        item.revealed = True
        item.timer.stop()
        return True

    def toggle_rubric(self, index: int) -> None:
        if self.can("tick") and 0 <= index < len(self.current.question.rubric):
            self.current.ticked.symmetric_difference_update({index})

    def set_rubric(self, ticked: set[int]) -> None:
        if self.can("tick"):
            self.current.ticked = {n for n in ticked if 0 <= n < len(self.current.question.rubric)}

    def pick(self, index: int) -> bool:
        """Choose option ``index``: on a select-all question it toggles, else it replaces the
        pick. True when the answer is complete (a single pick), so the screen may reveal."""
        if not self.can("pick", index):
            return False
        item = self.current
        if item.multi_select:
            item.picked.symmetric_difference_update({index})
            return False
        item.picked = {index}
        return True

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

    def rate(self, grade: scheduler.Grade) -> Step:
        """Record the rating now (committed before returning), then move on. On a StoreError
        nothing changes: the candidate can rate again."""
        if not self.can("rate"):
            raise ValueError("this question cannot be rated now")
        item = self.current
        now = self.clock.now()
        review = None
        if self.reschedule:
            review = scheduler.reviewer(item.entry.id, grade, now, self._spent_ms(item))
        with self._writing:
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
        return self.move_on()

    def skip(self) -> Step:
        """Record the question as skipped and move on (in a loop round, to the next question)."""
        if not self.can("skip"):
            raise ValueError("this question cannot be skipped now")
        item = self.current
        item.timer.stop()
        with self._writing:
            self.store.skip(self._attempt(item), item.answer, self._spent_ms(item), item.hints_used)
        item.skipped = True
        return self.next_in_round() if self.hiding_answers else self.move_on()

    def undo(self) -> bool:
        """Take back the last rating and go back to that question, revealed, to rate again."""
        if not self._undo_stack:
            return False
        index = self._undo_stack[-1]
        item = self.items[index]
        with self._writing:
            if not self.store.undo_rating(self._attempt(item)):
                self._undo_stack.pop()
                return False
        self._undo_stack.pop()
        item.rating = None
        item.due_after = None
        if self.finished:
            self.finished = False
            self.session_timer.start()
        if self.position != index:
            self.current.timer.stop()
        self.position = index
        if self.in_loop:
            self.phase = Phase.REVIEW
        return True

    def edited(self, bank: Bank) -> None:
        """The bank was reloaded after an edit: show the current question as it is now."""
        self.bank = bank
        item = self.current
        if item.entry.id in bank.questions:
            item.question = bank.questions[item.entry.id]

    # -- loops -----------------------------------------------------------------------------

    def round_items(self, round_index: int) -> list[Item]:
        return [item for item in self.items if item.round_index == round_index]

    def position_text(self) -> str:
        """'3/5', or in a loop 'Round title · 3/5'."""
        position = f"{self.position + 1}/{self.total}"
        if self.in_loop:
            return f"{self.rounds[self.current.round_index].title} · {position}"
        return position


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
