"""Scale: a 10,000-question bank and a 100,000-attempt history, against drillbit itself,
a bare Textual app and Anki's engine, all measured in one run on a real terminal (tmux).

    python benchmarks/scale.py [--runs 7] [--small]

The 10k bank is realistic by default: questions of about 3 KB (30 MB in all), each skill a
directory of files under the 1 MiB limit. ``--small`` uses the earlier bank instead: questions
under 1 KB, each skill one file.

(a) `practice -n 1` to the first question rendered, 10k bank (warm cache) vs the bundled bank: <= 1.15x
(b) the same vs a bare Textual app rendering the same Markdown document:                <= 1.3x
(c) the same vs Anki's backend opening a 10k-note collection and showing its first card: <= 1.3x
(d) peak RSS of (a) <= Anki's peak RSS in (c)
(e) a cold `drillbit validate` of the 10k bank vs a bare CSafeLoader parse:             <= 1.3x
(f) time to the home screen with 100,000 attempts vs an empty history:                   <= 1.2x

(c) and (d) need `pip install anki` (an optional dependency of the benchmarks only).
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import shutil
import statistics
import sys
from pathlib import Path

from bank_load import BARE as BARE_PARSE
from common import (
    REPO,
    base_env,
    compile_package,
    drillbit_command,
    first_question,
    generate_bank,
    median_of,
    practice_command,
    require_tmux,
    scratch,
    time_to_text,
    wall,
)
from store import fill

ANKI_FIRST_CARD = """
import re, sys
from anki.collection import Collection
col = Collection(sys.argv[1])
card = col.sched.get_queued_cards().cards[0]
print(re.sub(r"<[^>]+>", " ", col.get_card(card.card.id).question()), flush=True)
sys.stdin.readline()
"""


def build_anki_collection(path: Path, bank: Path) -> None:
    sys.path.insert(0, str(REPO))
    from anki.collection import Collection

    from app.bank.loader import load_bank

    loaded, _ = load_bank([bank])
    col = Collection(str(path))
    model = col.models.by_name("Basic")
    deck = col.decks.id("drillbit")
    col.decks.select(deck)
    for question in loaded.questions.values():
        note = col.new_note(model)
        note["Front"] = question.prompt
        note["Back"] = question.answer
        col.add_note(note, deck)
    col.close()


def measure(
    runs: int, commands: dict[str, tuple[list[str], str]], env: dict[str, str]
) -> dict[str, tuple[float, int]]:
    """Median seconds to text and peak RSS of each named (command, marker), with the commands
    taking turns run by run, so that a machine whose speed drifts (a shared or throttled one)
    weighs on all of them alike."""
    for command, marker in commands.values():
        time_to_text(command, marker, env)  # warm caches
    samples: dict[str, list[tuple[float, int]]] = {name: [] for name in commands}
    for _ in range(runs):
        for name, (command, marker) in commands.items():
            samples[name].append(time_to_text(command, marker, env))
    return {
        name: (statistics.median(s[0] for s in runs_), max(s[1] for s in runs_))
        for name, runs_ in samples.items()
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument(
        "--small", action="store_true", help="questions under 1 KB, one file per skill"
    )
    args = parser.parse_args()
    require_tmux()
    compile_package()
    directory = scratch()
    env = base_env(directory)
    big = generate_bank(directory / "bank10k", realistic=not args.small)
    size = sum(path.stat().st_size for path in big.rglob("*.yaml"))
    files = len(list(big.rglob("*.yaml")))
    print(f"10k bank: {size / 1e6:.1f} MB in {files} files")
    drillbit = drillbit_command()

    def practice(bank: Path, skill: str) -> tuple[list[str], str, str]:
        prompt, marker = first_question(bank, skill)
        db = directory / f"practice-{bank.name}.sqlite3"
        command = practice_command(bank, skill, db)
        return command, marker, prompt

    big_cmd, big_marker, big_prompt = practice(big, "skill-00")
    small_cmd, small_marker, _ = practice(REPO / "questions", "network-protocols")
    bare_cmd = [sys.executable, str(REPO / "benchmarks" / "bare_markdown_app.py"), big_prompt]
    commands = {
        "big": (big_cmd, big_marker),
        "small": (small_cmd, small_marker),
        "bare": (bare_cmd, big_marker),
    }
    has_anki = importlib.util.find_spec("anki") is not None
    if has_anki:
        collection = directory / "anki" / "collection.anki2"
        collection.parent.mkdir()
        build_anki_collection(collection, big)
        commands["anki"] = ([sys.executable, "-c", ANKI_FIRST_CARD, str(collection)], big_marker)
    medians = measure(args.runs, commands, env)
    (a_big, a_rss), (a_small, _), (bare, bare_rss) = (
        medians["big"],
        medians["small"],
        medians["bare"],
    )
    print(
        f"(a) 10k bank {a_big * 1000:.0f} ms vs bundled bank {a_small * 1000:.0f} ms: {a_big / a_small:.2f}x (target <= 1.15x)"
    )
    print(
        f"(b) vs a bare Textual Markdown app ({bare * 1000:.0f} ms, {bare_rss / 1024:.0f} MiB): {a_big / bare:.2f}x (target <= 1.3x)"
    )
    if not has_anki:
        print("(c), (d) skipped: `pip install anki` to compare with Anki's engine")
    else:
        anki, anki_rss = medians["anki"]
        print(
            f"(c) vs Anki's backend, 10k notes, first card ({anki * 1000:.0f} ms): {a_big / anki:.2f}x (target <= 1.3x)"
            f"; a bare Textual app takes {bare / anki:.2f}x"
        )
        print(
            f"(d) peak RSS {a_rss / 1024:.0f} MiB vs Anki's {anki_rss / 1024:.0f} MiB (target: no more)"
        )

    plain_env = {
        **os.environ,
        "PYTHONPATH": str(REPO),
        "DRILLBIT_CACHE_DIR": str(directory / "cold-cache"),
    }

    def cold_validate() -> float:
        shutil.rmtree(directory / "cold-cache", ignore_errors=True)
        return wall([*drillbit, "validate", str(big)], plain_env)

    validate = median_of(args.runs, cold_validate)
    parse = median_of(
        args.runs, lambda: wall([sys.executable, "-c", BARE_PARSE, str(big)], plain_env)
    )
    print(
        f"(e) cold validate {validate * 1000:.0f} ms vs bare CSafeLoader {parse * 1000:.0f} ms: {validate / parse:.2f}x (target <= 1.3x)"
    )

    bank2k = generate_bank(directory / "bank2k", questions=2_000, files=2)
    full, empty = directory / "full.sqlite3", directory / "empty.sqlite3"
    fill(full, bank2k)
    home_marker = "questions in 2 skills"

    def home(db: Path) -> list[str]:
        return [*drillbit, "--bank", str(bank2k), "--db", str(db)]

    homes = measure(
        args.runs, {"full": (home(full), home_marker), "empty": (home(empty), home_marker)}, env
    )
    (with_history, _), (without, _) = homes["full"], homes["empty"]
    print(
        f"(f) home screen with 100,000 attempts {with_history * 1000:.0f} ms vs empty {without * 1000:.0f} ms: {with_history / without:.2f}x (target <= 1.2x)"
    )


if __name__ == "__main__":
    main()
