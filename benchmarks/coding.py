"""A Python exercise's tests through drillbit's runner against a bare ``python -I -m unittest``.

    python benchmarks/coding.py [--runs 21]

drillbit's side is ``app.coding.runner.run_code`` as the practice screen and ``drillbit run``
call it: a fresh temporary directory, the files written, the sandbox (namespaces where the
machine allows them, resource limits), the output parsed into per-test results, the directory
removed. The reference runs the same interpreter on the same two files, already on disk, with
``python -I -m unittest discover -s DIR -p 'test_*.py' -v`` and nothing else. The two take turns
run by run. Target: ratio <= 1.3x.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

from common import REPO, compile_package, scratch

sys.path.insert(0, str(REPO))

from app.bank.loader import load_file
from app.coding.runner import run_code
from app.coding.sandbox import isolation

EXERCISE = REPO / "tests" / "fixtures" / "coding" / "problem-solving.yaml"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=21)
    args = parser.parse_args()
    compile_package()
    question = load_file(EXERCISE).questions[0][0]
    assert question.code is not None and question.code.python is not None
    code, tests = question.code.python.solution, question.code.python.tests
    directory = scratch()
    (directory / "solution.py").write_text(code, encoding="utf-8")
    (directory / "test_solution.py").write_text(tests, encoding="utf-8")
    bare = [sys.executable, "-I", "-m", "unittest", "discover", "-s", str(directory)]
    bare += ["-p", "test_*.py", "-v"]

    def ours() -> float:
        start = time.perf_counter()
        result = run_code("python", code, tests, timeout_s=30)
        elapsed = time.perf_counter() - start
        assert result.status == "passed", result.summary
        return elapsed

    def theirs() -> float:
        start = time.perf_counter()
        done = subprocess.run(bare, capture_output=True, cwd=directory, check=False)
        elapsed = time.perf_counter() - start
        assert done.returncode == 0, done.stderr
        return elapsed

    ours(), theirs()  # warm the page cache and the isolation probe
    mine, reference = [], []
    for _ in range(args.runs):
        mine.append(ours())
        reference.append(theirs())
    a, b = statistics.median(mine), statistics.median(reference)
    print(f"sandbox: {isolation().describe()}")
    print(f"drillbit runner, {question.id} (python, 5 tests): {a * 1000:.0f} ms")
    print(f"bare python -I -m unittest on the same files:       {b * 1000:.0f} ms")
    print(f"ratio: {a / b:.2f}x (target <= 1.3x)")
    pairs = sorted(x / y for x, y in zip(mine, reference, strict=True))
    low, high = pairs[len(pairs) // 4], pairs[(3 * len(pairs)) // 4]
    print(
        f"run-by-run ratios: median {statistics.median(pairs):.2f}x,"
        f" middle half {low:.2f}-{high:.2f}x"
    )


if __name__ == "__main__":
    main()
