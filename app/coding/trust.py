"""Which banks may run their code here. Running an exercise's tests executes code that came
with the bank: the bundled bank is trusted; any other is run only once the user said yes for
it, and that answer holds until the bank's contents change."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from pathlib import Path

from app.bank.index import bank_files
from app.paths import bundled_bank, trust_file


def bank_root(question_file: Path, banks: Iterable[Path]) -> Path:
    """The bank (a directory or a file named with --bank) that ``question_file`` belongs to."""
    resolved = question_file.resolve()
    for bank in banks:
        root = bank.resolve()
        if resolved == root or root in resolved.parents:
            return root
    return resolved.parent


def fingerprint(bank: Path) -> str:
    """A hash of every bank file's name and contents: any edit gives another."""
    digest = hashlib.sha256()
    root = bank if bank.is_dir() else bank.parent
    files = sorted(bank.rglob("*.y*ml")) if bank.is_dir() else list(bank_files([bank]))
    for path in files:
        digest.update(str(path.relative_to(root)).encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def _answers() -> dict[str, dict[str, object]]:
    try:
        data = json.loads(trust_file().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def decision(bank: Path) -> bool | None:
    """True or False as the user answered for the bank as it is now; None: ask."""
    if bank.resolve() == bundled_bank().resolve():
        return True
    answer = _answers().get(str(bank.resolve()))
    if not isinstance(answer, dict) or answer.get("fingerprint") != fingerprint(bank):
        return None
    return bool(answer.get("trusted"))


def remember(bank: Path, trusted: bool) -> None:
    """Keep the user's answer for the bank's current contents."""
    from app.authoring.scaffold import write_atomically

    answers = _answers()
    answers[str(bank.resolve())] = {"fingerprint": fingerprint(bank), "trusted": trusted}
    path = trust_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(answers, indent=2, sort_keys=True) + "\n"
    write_atomically(path, text.encode("utf-8"))
