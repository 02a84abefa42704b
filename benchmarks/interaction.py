"""The two interactions a candidate repeats all day, on a real terminal, against a bare Textual app.

    python benchmarks/interaction.py [--runs 9]

- reveal: ``space`` on the bundled bank's longest model answer, until its first line is on the
  tmux screen; the reference mounts the same Markdown on demand. Target <= 0.3x.
- next: the rating key ``3``, until the next question's prompt is on screen; the reference
  commits one row to SQLite (WAL, synchronous=FULL) and swaps the prompt. Target <= 1.5x.

Each run starts drillbit, then the bare app, one after the other, and gives each the same
seconds on the question before the keys are sent (a candidate spends minutes on one).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time

from common import REPO, base_env, compile_package, drillbit_command, require_tmux, scratch

SIZE = (120, 40)
THINKING_S = 5.0
"""Seconds on the question before the key: long enough for work scheduled after the paint."""


def marker(text: str) -> str:
    """Three words in a row from the first line of ``text`` that Markdown shows as written."""
    first = next(line for line in text.strip().splitlines() if line.strip())
    run: list[str] = []
    for word in first.split():
        run = [*run, word] if word.isalpha() else []
        if len(run) == 3:
            return " ".join(run)
    raise ValueError(f"no three plain words in a row in {first!r}")


def pick_questions() -> tuple[str, str, str, str, str]:
    """The longest model answer's id, prompt and answer, and the next question's id and prompt."""
    sys.path.insert(0, str(REPO))
    from app.bank.loader import load_bank

    bank, _ = load_bank([REPO / "questions"])
    questions = sorted(bank.questions.values(), key=lambda q: len(q.answer), reverse=True)
    longest = questions[0]
    following = next(
        q for q in questions[1:] if marker(q.prompt) and marker(q.prompt) not in longest.prompt
    )
    return longest.id, longest.prompt, longest.answer, following.id, following.prompt


class Pane:
    def __init__(self, command: list[str], env: dict[str, str]) -> None:
        self.name = f"interact{os.getpid()}{time.perf_counter_ns() % 10**6}"
        line = "exec env " + " ".join(f"{k}={quote(v)}" for k, v in env.items())
        line += " " + " ".join(quote(part) for part in command)
        width, height = SIZE
        subprocess.run(
            [
                "tmux",
                "new-session",
                "-d",
                "-s",
                self.name,
                "-x",
                str(width),
                "-y",
                str(height),
                line,
            ],
            check=True,
        )

    def screen(self) -> str:
        return subprocess.run(
            ["tmux", "capture-pane", "-p", "-t", self.name], capture_output=True, text=True
        ).stdout

    def wait_for(self, text: str, timeout: float = 30.0) -> float:
        start = time.perf_counter()
        while text not in self.screen():
            if time.perf_counter() - start > timeout:
                raise RuntimeError(f"{text!r} never appeared; the screen was:\n{self.screen()}")
            time.sleep(0.002)
        return time.perf_counter() - start

    def time_key(self, key: str, text: str) -> float:
        """Seconds from sending ``key`` until ``text`` is on screen."""
        if text in self.screen():
            raise RuntimeError(f"{text!r} is on screen before {key!r}")
        start = time.perf_counter()
        subprocess.run(["tmux", "send-keys", "-t", self.name, key], check=True)
        while text not in self.screen():
            if time.perf_counter() - start > 30:
                raise RuntimeError(f"{text!r} never appeared after {key!r}:\n{self.screen()}")
            time.sleep(0.002)
        return time.perf_counter() - start

    def close(self) -> None:
        subprocess.run(["tmux", "kill-session", "-t", self.name], stderr=subprocess.DEVNULL)


def quote(text: str) -> str:
    return "'" + text.replace("'", "'\\''") + "'"


def one_run(command: list[str], env: dict[str, str], prompt: str, answer: str, nxt: str):
    pane = Pane(command, env)
    try:
        pane.wait_for(marker(prompt))
        time.sleep(THINKING_S)
        reveal = pane.time_key("Space", marker(answer))
        following = pane.time_key("3", marker(nxt))
    finally:
        pane.close()
    return reveal, following


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    require_tmux()
    compile_package()
    directory = scratch()
    env = base_env(directory)
    first, prompt, answer, second, next_prompt = pick_questions()
    ours: list[tuple[float, float]] = []
    theirs: list[tuple[float, float]] = []
    for run in range(args.runs + 1):  # the first run of each warms the caches, uncounted
        db = directory / f"h{run}.sqlite3"
        drillbit = [
            *drillbit_command(),
            "--bank",
            str(REPO / "questions"),
            "practice",
            "--id",
            first,
            "--id",
            second,
            "--db",
            str(db),
        ]
        bare = [
            sys.executable,
            str(REPO / "benchmarks" / "bare_interaction_app.py"),
            str(directory / f"bare{run}.sqlite3"),
            prompt,
            answer,
            next_prompt,
        ]
        mine = one_run(drillbit, env, prompt, answer, next_prompt)
        reference = one_run(bare, env, prompt, answer, next_prompt)
        if run:
            ours.append(mine)
            theirs.append(reference)
    for n, name, target in ((0, "reveal", 0.3), (1, "next", 1.5)):
        a = statistics.median(pair[n] for pair in ours)
        b = statistics.median(pair[n] for pair in theirs)
        pairs = sorted(x[n] / y[n] for x, y in zip(ours, theirs, strict=True))
        print(
            f"{name}: drillbit {a * 1000:.0f} ms, bare {b * 1000:.0f} ms, ratio {a / b:.2f}x"
            f" (target <= {target}x); run-by-run median {statistics.median(pairs):.2f}x,"
            f" {pairs[0]:.2f}-{pairs[-1]:.2f}x"
        )
    print(f"longest model answer: {first}; next question: {second}")


if __name__ == "__main__":
    main()
