"""Loading the bank for commands that run often (replaced by a compiled cache in issue 7)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from app.bank.loader import Bank, load_bank
from app.bank.problems import Problem


def load_bank_cached(paths: Iterable[Path]) -> tuple[Bank, list[Problem]]:
    return load_bank(paths)
