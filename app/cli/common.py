"""What every command shares: output, user errors and exit codes, the bank, the history.

Nothing heavy is imported at module level: ``drillbit --version`` and the practice screen's
start-up pay only for argparse.
"""

from __future__ import annotations

import argparse
import os
import stat
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.textfmt import did_you_mean, printable

if TYPE_CHECKING:
    from app.bank.index import Bank
    from app.bank.problems import Problem
    from app.store.db import Store

EXIT_OK, EXIT_ERROR, EXIT_USAGE = 0, 1, 2
"""0: done; 1: a problem in the data or files; 2: a usage error (options, names, ids, paths)."""


class UserError(Exception):
    """A problem the user can fix: printed as one line, with an exit code, never a traceback."""

    def __init__(self, message: str, code: int = EXIT_ERROR) -> None:
        super().__init__(message)
        self.code = code


def out(text: str = "") -> None:
    """Print text for people; what a terminal would act on is shown escaped."""
    sys.stdout.write(printable(text) + "\n")


def out_json(data: Any) -> None:
    """Print data as JSON, the same JSON but with nothing a terminal would act on."""
    import json

    from app.textfmt import printable_json

    sys.stdout.write(printable_json(json.dumps(data, indent=2, ensure_ascii=False)) + "\n")


def err(text: str) -> None:
    """One line on stderr, whatever file names or values it quotes."""
    sys.stderr.write(printable(text, one_line=True) + "\n")


def unknown(what: str, word: str, options: Iterable[str]) -> UserError:
    """``no skill 'x' (did you mean 'y'?); the bank has: ...`` as a usage error."""
    names = sorted(options)
    known = ", ".join(names) or "none"
    return UserError(
        f"no {what} '{word}'{did_you_mean(word, names)}; the bank has: {known}", EXIT_USAGE
    )


def check_skills(bank: Bank, skills: Iterable[str]) -> None:
    for skill in skills:
        if skill not in bank.skills:
            raise unknown("skill", skill, bank.skills)


def check_tags(bank: Bank, tags: Iterable[str]) -> None:
    known: set[str] | None = None
    for tag in tags:
        known = known if known is not None else bank.tags()
        if tag not in known:
            raise unknown("tag", tag, known)


def check_loop(bank: Bank, loop: str | None) -> None:
    if loop is not None and loop not in bank.loops:
        raise unknown("loop", loop, bank.loops)


def check_ids(bank: Bank, ids: Sequence[str]) -> None:
    missing = [question_id for question_id in ids if question_id not in bank]
    if missing:
        hint = did_you_mean(missing[0], bank.questions)
        names = ", ".join(repr(question_id) for question_id in missing)
        raise UserError(f"no question with id {names}{hint}", EXIT_USAGE)


NAME_MAX, PATH_MAX = 255, 4096
"""Bytes in one name of a path, and in the whole path, on Linux's file systems."""


def checked_name(path: Path) -> Path:
    """``path``, if the OS can take its length: one line now rather than an OSError later."""
    long_names = [part for part in path.parts if len(os.fsencode(part)) > NAME_MAX]
    if long_names:
        raise UserError(
            f"{path}: the name '{long_names[0][:24]}...' is longer than {NAME_MAX} bytes",
            EXIT_USAGE,
        )
    if len(os.fsencode(path)) >= PATH_MAX:
        raise UserError(
            f"{str(path)[:64]}...: the path is longer than {PATH_MAX} bytes", EXIT_USAGE
        )
    return path


def _mode(path: Path, missing: str | None, code: int = EXIT_USAGE) -> int | None:
    """The file type bits of ``path``, None when it does not exist and ``missing`` is None."""
    try:
        return checked_name(path).stat().st_mode
    except FileNotFoundError:
        if missing is None:
            return None
        raise UserError(f"{path}: {missing}", code) from None
    except OSError as error:
        raise UserError(f"{path}: {error.strerror or error}", EXIT_USAGE) from None


def bank_path(path: Path, *, missing_ok: bool = False) -> Path:
    """A bank directory or file named by the user, checked before anything reads it: a FIFO
    or a device would block or never end. ``missing_ok`` for a bank about to be started."""
    # A bank that is not there is a problem with files (exit 1), as an empty one is.
    missing = "no bank files found: no such directory or file"
    mode = _mode(path, None if missing_ok else missing, EXIT_ERROR)
    if mode is not None and not (stat.S_ISDIR(mode) or stat.S_ISREG(mode)):
        raise UserError(f"{path}: not a bank directory or file", EXIT_ERROR)
    return path


def bank_paths(args: argparse.Namespace) -> list[Path]:
    """The configured banks (--bank, $DRILLBIT_BANK or the bundled one), each checked."""
    from app.paths import bank_dirs

    return [bank_path(path) for path in bank_dirs(args.bank or ())]


def history_path(args: argparse.Namespace) -> Path:
    """The history database (--db, $DRILLBIT_DB or the default), checked: it is created when
    missing, and must otherwise be a regular file (not /dev/null, a FIFO or a directory)."""
    from app.paths import database_path

    path = database_path(args.db)
    mode = _mode(path, None)
    if mode is not None and not stat.S_ISREG(mode):
        kind = "a directory" if stat.S_ISDIR(mode) else "not a regular file"
        raise UserError(f"{path}: {kind}; the history must be a database file", EXIT_USAGE)
    return path


def read_regular_file(path: Path, limit: int) -> bytes:
    """A regular file's bytes, at most ``limit`` of them (more is an error). Opened without
    blocking, so that a FIFO is refused rather than waited on, and checked once open."""
    try:
        descriptor = os.open(checked_name(path), os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except FileNotFoundError:
        raise UserError(f"{path}: no such file", EXIT_USAGE) from None
    except OSError as error:
        raise UserError(f"{path}: cannot read: {error.strerror or error}") from None
    if not stat.S_ISREG(os.fstat(descriptor).st_mode):
        os.close(descriptor)
        raise UserError(f"{path}: not a regular file", EXIT_USAGE)
    os.set_blocking(descriptor, True)
    with open(descriptor, "rb") as handle:
        try:
            data = handle.read(limit + 1)
        except OSError as error:
            raise UserError(f"{path}: cannot read: {error.strerror or error}") from None
    if len(data) > limit:
        raise UserError(f"{path}: larger than {limit // 2**20} MiB")
    return data


def load(args: argparse.Namespace, *, strict: bool = False) -> tuple[Bank, list[Problem]]:
    """The configured bank. Problems go to stderr; with ``strict`` they are fatal."""
    from app.bank.cache import load_bank_cached

    bank, problems = load_bank_cached(bank_paths(args))
    if problems:
        for problem in problems:
            err(str(problem))
        if strict:
            raise UserError(f"the bank has {len(problems)} problem(s); run drillbit validate")
        err(f"drillbit: {len(problems)} problem(s) in the bank; those questions are left out")
    return bank, problems


def open_store(args: argparse.Namespace, *, verify: bool = True) -> Store:
    """The history database; ``verify=False`` for commands that only read it."""
    from app.store.db import Store, StoreError

    path = history_path(args)
    try:
        return Store(path, verify=verify)
    except StoreError as error:
        raise UserError(str(error)) from None
    except OSError as error:
        raise UserError(f"{path}: cannot open the history: {error.strerror or error}") from None


def print_flags(flagged: Sequence[Any]) -> None:
    """The calibration flags (``question_id`` and ``flags`` of each item), one line each."""
    if flagged:
        out("")
        out("Flags:")
        for item in flagged:
            for flag in item.flags:
                out(f"  {item.question_id}: {flag.message}")


def print_table(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    from app.textfmt import table

    for line in table(header, rows):
        out(line)


def require_terminal(command: str, instead: str) -> None:
    """Screens need a terminal on both ends; scripts get one line saying what to use."""
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise UserError(f"{command} needs a terminal (stdin and stdout must be a TTY); {instead}")


def write_output(path_text: str, text: str) -> None:
    """Write ``text`` to the file (or stdout for ``-``), replacing it in one rename."""
    from app.authoring.scaffold import write_atomically

    if path_text == "-":
        sys.stdout.write(text)
        return
    path = checked_name(Path(path_text).expanduser())
    try:
        write_atomically(path, text.encode("utf-8"))
    except OSError as error:
        raise UserError(f"{path}: cannot write: {error.strerror or error}", EXIT_USAGE) from None


def add_filters(parser: argparse.ArgumentParser) -> None:
    from app.bank.models import DIFFICULTIES

    add_skill_filter(parser)
    parser.add_argument("--difficulty", choices=DIFFICULTIES)
    parser.add_argument("--tag", action="append", metavar="T", help="only with this tag (repeat)")


def add_skill_filter(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--skill", action="append", metavar="S", help="only this skill (repeat)")
