"""Messages of the TUI: small dataclasses forming the pipeline load -> practise -> finish."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message

from app.bank.index import Bank
from app.bank.problems import Problem
from app.practice.session import PracticeSession


@dataclass
class BankLoaded(Message):
    """The bank and the store are open (a worker did the blocking part)."""

    bank: Bank
    problems: list[Problem]


@dataclass
class LoadFailed(Message):
    error: str


@dataclass
class SessionFinished(Message):
    session: PracticeSession
