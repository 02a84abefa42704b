"""What a practice session asks for, and the one function that turns it into a session.

The CLI, the home screen, the setup screen and the command palette all build a
``PracticeRequest`` and hand it to ``start_session``: one start path.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

from app.practice.planner import Filters

if TYPE_CHECKING:
    from app.bank.index import Bank
    from app.clock import Clock
    from app.practice.session import PracticeSession
    from app.store.db import Store


class PracticeRequest(NamedTuple):
    """A session to start (a named tuple: this is on the start-up path, see planner.Filters)."""

    mode: str = "auto"
    filters: Filters = Filters()
    ids: tuple[str, ...] = ()
    """Exactly these questions, in this order (filters and mode then do not apply)."""
    count: int | None = 5
    total_seconds: int | None = None
    """The session's total time: as many questions as fit, and a countdown on screen."""
    loop: str | None = None
    reschedule: bool = False
    """Let a mock session's or a loop's ratings reschedule."""
    seed: int | None = None


class Refusal(NamedTuple):
    """Why a session could not start, in one line."""

    message: str
    title: str
    usage: bool
    """The request itself is wrong (an unknown id or loop), not merely unlucky."""


def start_session(
    bank: Bank, store: Store, clock: Clock, request: PracticeRequest
) -> PracticeSession | Refusal:
    """Plan a session, or say why there is nothing to practise. Writes nothing."""
    from app.practice.planner import plan, plan_loop
    from app.practice.session import PracticeSession, history_for

    now = clock.now()
    index = bank.index()
    seed = request.seed if request.seed is not None else int(now.timestamp())
    rounds = None
    if request.ids:
        by_id = {entry.id: entry for entry in index}
        unknown = [question_id for question_id in request.ids if question_id not in by_id]
        if unknown:
            return Refusal(f"No question with id {', '.join(unknown)}", "Unknown id", True)
        entries = [by_id[question_id] for question_id in dict.fromkeys(request.ids)]
    elif request.loop:
        loop = bank.loops.get(request.loop)
        if loop is None:
            names = ", ".join(sorted(bank.loops)) or "none defined"
            return Refusal(f"No loop named {request.loop} (loops: {names})", "Unknown loop", True)
        rounds = plan_loop(index, loop, history_for(store, now), now, seed)
        entries = [entry for r in rounds for entry in r.questions]
    else:
        entries = plan(
            index,
            mode=request.mode,
            filters=request.filters,
            history=history_for(store, now),
            now=now,
            count=request.count,
            total_seconds=request.total_seconds,
            seed=seed,
        )
    if not entries:
        return Refusal(
            "No questions match: try another mode (new, random) or fewer filters.",
            "Nothing to practise",
            False,
        )
    reschedule = request.reschedule or (request.mode != "mock" and not request.loop)
    return PracticeSession(
        bank,
        store,
        clock,
        entries,
        mode=request.mode,
        filters=request.filters,
        reschedule=reschedule,
        rounds=rounds,
        loop_name=request.loop,
        time_limit_s=request.total_seconds,
    )
