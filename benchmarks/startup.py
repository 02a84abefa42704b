"""Time from process start to the first question on a real terminal, against a bare Textual app.

    python benchmarks/startup.py [--runs 21]

Prints the median wall time of `drillbit practice -n 1` (bundled bank, warm cache, empty
history) until the question's title is on a tmux screen, the same for a bare Textual app that
renders one Markdown document, the ratio (target <= 1.3x), and both peak RSS figures.
"""

from __future__ import annotations

import argparse
import statistics
import sys

from common import (
    REPO,
    base_env,
    compile_package,
    first_question,
    practice_command,
    require_tmux,
    scratch,
    time_to_text,
)

SKILL = "network-protocols"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=21)
    args = parser.parse_args()
    require_tmux()
    compile_package()
    directory = scratch()
    env = base_env(directory)
    prompt, marker = first_question(REPO / "questions", SKILL)
    drillbit = practice_command(REPO / "questions", SKILL, directory / "h.sqlite3")
    bare = [sys.executable, str(REPO / "benchmarks" / "bare_markdown_app.py"), prompt]
    time_to_text(drillbit, marker, env)  # warm the bank cache and the page cache
    time_to_text(bare, marker, env)
    ours, theirs, our_rss, their_rss = [], [], [], []
    for _ in range(args.runs):
        seconds, rss = time_to_text(drillbit, marker, env)
        ours.append(seconds)
        our_rss.append(rss)
        seconds, rss = time_to_text(bare, marker, env)
        theirs.append(seconds)
        their_rss.append(rss)
    a, b = statistics.median(ours), statistics.median(theirs)
    print(
        f"drillbit practice -n 1 (bundled bank): {a * 1000:.0f} ms, peak RSS {max(our_rss) / 1024:.0f} MiB"
    )
    print(
        f"bare Textual Markdown app:             {b * 1000:.0f} ms, peak RSS {max(their_rss) / 1024:.0f} MiB"
    )
    print(f"ratio: {a / b:.2f}x (target <= 1.3x)")
    # Each drillbit run against the bare run right after it: on a machine whose speed drifts,
    # the spread of these pairs says how far to trust the ratio above.
    pairs = sorted(x / y for x, y in zip(ours, theirs, strict=True))
    low, high = pairs[len(pairs) // 4], pairs[(3 * len(pairs)) // 4]
    print(
        f"run-by-run ratios: median {statistics.median(pairs):.2f}x, middle half {low:.2f}-{high:.2f}x"
    )


if __name__ == "__main__":
    main()
