"""`drillbit validate` on a generated 10,000-question bank against a bare CSafeLoader parse.

    python benchmarks/bank_load.py [--runs 5]

Both run in a fresh interpreter each time, so both pay for starting Python; the reference only
parses the files with yaml.load(..., Loader=CSafeLoader), while drillbit also checks every
rule of the bank format and locates problems. Target: ratio <= 1.3x.
"""

from __future__ import annotations

import argparse
import sys

from common import REPO, generate_bank, median_of, scratch, wall

BARE = """
import sys, yaml
from pathlib import Path
root = Path(sys.argv[1])
for path in sorted([*root.glob("*.yaml"), *root.glob("*/*.yaml")]):
    yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    directory = scratch()
    bank = generate_bank(directory / "bank")
    env = {"PYTHONPATH": str(REPO), "DRILLBIT_CACHE_DIR": str(directory / "cache")}
    import os

    env = {**os.environ, **env}
    validate = [sys.executable, "-m", "app", "validate", str(bank)]
    bare = [sys.executable, "-c", BARE, str(bank)]
    ours = median_of(args.runs, lambda: wall(validate, env))
    theirs = median_of(args.runs, lambda: wall(bare, env))
    print(f"drillbit validate, 10,000 questions in 10 files: {ours * 1000:.0f} ms")
    print(f"bare yaml.load(CSafeLoader) of the same files:   {theirs * 1000:.0f} ms")
    print(f"ratio: {ours / theirs:.2f}x (target <= 1.3x)")


if __name__ == "__main__":
    main()
