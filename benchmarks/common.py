"""Helpers shared by the benchmarks: a generated bank, and time-to-text in a real terminal."""

from __future__ import annotations

import atexit
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
MODELINE = "# yaml-language-server: $schema=schema.json\n"


def generate_bank(
    directory: Path, questions: int = 10_000, files: int = 10, realistic: bool = False
) -> Path:
    """A bank of ``questions`` complete questions spread over ``files`` skills.

    By default each question is small (under 1 KB) and each skill one file. ``realistic``
    writes questions of about 3 KB, the size real ones run to (30 MB for 10,000), with each
    skill a directory ``skill-NN/`` of files of 250 questions each (``_skill.yaml`` holding its
    title and description), as a bank grows past the 1 MiB per-file limit.
    """
    directory.mkdir(parents=True, exist_ok=True)
    per_skill = questions // files
    for f in range(files):
        skill = f"skill-{f:02d}"
        header = f"skill: {skill}\ntitle: Generated skill {f}\ndescription: A generated skill.\n"
        items = [
            (_realistic_question if realistic else _small_question)(skill, q, f * per_skill + q)
            for q in range(per_skill)
        ]
        if not realistic:
            text = MODELINE + header + "questions:\n" + "".join(items)
            (directory / f"{skill}.yaml").write_text(text, encoding="utf-8")
            continue
        skill_dir = directory / skill
        skill_dir.mkdir(exist_ok=True)
        (skill_dir / "_skill.yaml").write_text(PART_MODELINE + header, encoding="utf-8")
        for start in range(0, per_skill, PART_SIZE):
            chunk = items[start : start + PART_SIZE]
            text = PART_MODELINE + f"skill: {skill}\nquestions:\n" + "".join(chunk)
            name = f"part-{start // PART_SIZE:03d}.yaml"
            (skill_dir / name).write_text(text, encoding="utf-8")
    return directory


PART_MODELINE = "# yaml-language-server: $schema=../schema.json\n"
PART_SIZE = 250
"""Questions per file in a realistic bank: 250 of about 3 KB stay under the 1 MiB limit."""


def _small_question(skill: str, q: int, n: int) -> str:
    difficulties = ("easy", "medium", "hard")
    return f"""  - id: {skill}-q{q:05d}
    title: Generated question {n} on retransmissions
    difficulty: {difficulties[n % 3]}
    time: {5 + n % 20}m
    kind: scenario
    tags: [tcp, gen-{n % 50}]
    prompt: |
      p99 time to first byte doubled on PoP {n % 300} after a kernel upgrade:

      ```
      cubic wscale:7,7 rto:204 rtt:{n % 90 + 10}.5/3.1 mss:1448 cwnd:{n % 40 + 4} retrans:0/{n % 7}
      ```

      What do you check next, and why?
    hints:
      - Compare cwnd with the bandwidth-delay product.
      - Look at retransmissions.
    answer: |
      The window is small after losses. Check `nstat` counters, compare the congestion
      control and initial window before and after the upgrade, and capture with `tcpdump`.
    rubric:
      - point: Relates cwnd and RTT to throughput
        weight: 3
      - point: Checks retransmissions with nstat or ss
    follow_ups:
      - How would BBR behave on this path?
    references:
      - RFC 9438 (CUBIC)
"""


def _realistic_question(skill: str, q: int, n: int) -> str:
    """About 3 KB: an artefact in the prompt, a model answer of some 250 words, four rubric
    points, answered follow-ups and references, as the bundled questions have."""
    difficulties = ("easy", "medium", "hard")
    rtt = n % 90 + 10
    sockets = "\n".join(
        f"      ESTAB 0 {(n * 7 + i * 1311) % 65536} 10.{n % 250}.{i}.7:443"
        f" 198.51.100.{(n + i) % 250}:{40000 + (n * 13 + i) % 20000}\n"
        f"      \t cubic wscale:7,7 rto:{204 + i * 8} rtt:{rtt + i}.5/3.{i} mss:1448"
        f" cwnd:{(n + i) % 40 + 4} retrans:0/{(n + i) % 7} unacked:{i % 5}"
        for i in range(3)
    )
    return f"""  - id: {skill}-q{q:05d}
    title: Generated question {n} on retransmissions after a kernel upgrade
    difficulty: {difficulties[n % 3]}
    time: {5 + n % 20}m
    kind: {("scenario", "debugging", "concept")[n % 3]}
    tags: [tcp, congestion-control, gen-{n % 50}]
    prompt: |
      p99 time to first byte doubled on PoP {n % 300} right after a kernel upgrade, while the
      request rate and the origin's latency stayed flat. You run `ss -tin` on one edge host:

      ```
{sockets}
      ```

      What do you check next, and why? Say which numbers above support your first hypothesis.
    hints:
      - Compare each connection's cwnd with the bandwidth-delay product of its path.
      - The retransmission counters and the RTO say whether losses or the window are to blame.
      - Diff the congestion-control settings and initial window before and after the upgrade.
    answer: |
      The congestion windows are small ({n % 40 + 4} to {n % 40 + 9} segments) for an RTT of
      about {rtt} ms, so each connection can have at most some {(n % 40 + 4) * 1448 // 1024} KB
      in flight: far below the bandwidth-delay product of a path that used to fill its link.
      The retransmission counters are low, so this is not loss-driven back-off alone; something
      changed how the window opens. The first suspects are the settings the upgrade touched:
      `net.ipv4.tcp_congestion_control`, the initial congestion window set per route
      (`ip route show` with `initcwnd`), `tcp_slow_start_after_idle`, and the pacing of the
      qdisc (`tc qdisc show`, fq against fq_codel).

      Confirm with data: compare `nstat -az` counters between an upgraded and a not-yet-upgraded
      host under the same load, and check whether the window collapses after idle periods on a
      kept-alive connection. If `tcp_slow_start_after_idle` came back to 1, every idle
      connection restarts from the initial window, which doubles time to first byte for the
      long tail exactly as observed. Roll it back on one host, then measure again.
    rubric:
      - point: Compares cwnd and RTT with the bandwidth-delay product
        weight: 3
      - point: Rules out loss using the retransmission counters
        weight: 2
      - point: Names slow start after idle as a suspect
        weight: 2
      - point: Compares an upgraded and a not-yet-upgraded host under the same load
    follow_ups:
      - question: How would BBR behave on this path?
        answer: |
          BBR paces at its estimate of the bottleneck bandwidth and keeps about one
          bandwidth-delay product in flight, so it is less sensitive to the initial window but
          still restarts its probing after idle.
      - question: Which counter would you alert on?
        answer: TcpExtTCPSlowStartRetrans per second against its weekly baseline.
    references:
      - RFC 9438 (CUBIC)
      - RFC 6928 (Increasing TCP's Initial Window)
      - ip-route(8), initcwnd
"""


def median_of(runs: int, measure: Callable[[], float]) -> float:
    return statistics.median(measure() for _ in range(runs))


def wall(command: Sequence[str], env: dict[str, str] | None = None) -> float:
    start = time.perf_counter()
    subprocess.run(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False
    )
    return time.perf_counter() - start


def compile_package() -> None:
    """Byte-compile drillbit as ``pip install`` does, so that no measured run compiles source.

    A checkout newer than its __pycache__, or PYTHONDONTWRITEBYTECODE in the environment,
    would otherwise make every run compile every module again, which an installed drillbit
    never does.
    """
    import compileall

    compileall.compile_dir(REPO / "app", quiet=1)


def require_tmux() -> None:
    """Check for tmux and keep one idle session open for the whole run.

    Without it the tmux server exits whenever a measured session ends, and the next
    new-session can race with the dying server ("server exited unexpectedly").
    """
    if shutil.which("tmux") is None:
        sys.exit("this benchmark drives a real terminal: install tmux")
    anchor = f"bench-anchor-{os.getpid()}"
    subprocess.run(["tmux", "new-session", "-d", "-s", anchor, "sleep 86400"], check=True)
    atexit.register(subprocess.run, ["tmux", "kill-session", "-t", anchor], check=False)


def time_to_text(
    command: Sequence[str],
    marker: str,
    env: dict[str, str],
    size: tuple[int, int] = (80, 24),
    timeout: float = 30.0,
) -> tuple[float, int]:
    """Seconds from process start until ``marker`` is on a real (tmux) terminal, and peak RSS in KiB."""
    session = f"bench{os.getpid()}{time.perf_counter_ns() % 10**6}"
    shell_env = " ".join(f"{k}={_quote(v)}" for k, v in env.items())
    line = f"exec env {shell_env} " + " ".join(_quote(part) for part in command)
    width, height = size
    start = time.perf_counter()
    subprocess.run(
        ["tmux", "new-session", "-d", "-s", session, "-x", str(width), "-y", str(height), line],
        check=True,
    )
    try:
        pid = subprocess.run(
            ["tmux", "display", "-p", "-t", session, "#{pane_pid}"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        while True:
            screen = subprocess.run(
                ["tmux", "capture-pane", "-p", "-t", session],
                capture_output=True,
                text=True,
                check=False,
            ).stdout
            if marker in screen:
                elapsed = time.perf_counter() - start
                break
            if time.perf_counter() - start > timeout:
                raise RuntimeError(f"'{marker}' never appeared; the screen was:\n{screen}")
            time.sleep(0.002)
        peak = _peak_rss_kib(pid)
    finally:
        subprocess.run(
            ["tmux", "kill-session", "-t", session], check=False, stderr=subprocess.DEVNULL
        )
    return elapsed, peak


def _peak_rss_kib(pid: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _quote(text: str) -> str:
    return "'" + text.replace("'", "'\\''") + "'"


def scratch() -> Path:
    return Path(tempfile.mkdtemp(prefix="drillbit-bench-"))


def drillbit_command() -> list[str]:
    """The installed console script next to this interpreter.

    Not the first `drillbit` on PATH: version managers such as pyenv put a shell-script shim
    there, which would add its own start-up time to every measurement.
    """
    beside = Path(sys.executable).with_name("drillbit")
    if beside.exists():
        return [str(beside)]
    found = shutil.which("drillbit")
    return [found] if found else [sys.executable, "-m", "app"]


def base_env(directory: Path) -> dict[str, str]:
    return {
        "PYTHONPATH": str(REPO),
        "DRILLBIT_CACHE_DIR": str(directory / "cache"),
        "XDG_DATA_HOME": str(directory / "data"),
        "TERM": "xterm-256color",
        "PATH": os.environ.get("PATH", ""),
        "HOME": os.environ.get("HOME", "/root"),
    }


def first_question(bank: Path, skill: str) -> tuple[str, str]:
    """The prompt of the question `practice --mode new --skill S -n 1` shows first, and a marker:
    a few words of its first line, as they appear on screen."""
    sys.path.insert(0, str(REPO))
    from app.bank.loader import load_bank

    loaded, _ = load_bank([bank])
    question = loaded.select(skills=[skill])[0]  # also in a skill directory
    first_line = question.prompt.strip().splitlines()[0]
    words = [w for w in first_line.replace("`", "").replace("*", "").split() if w.isalpha()]
    return question.prompt, " ".join(words[:3])


def practice_command(bank: Path, skill: str, db: Path) -> list[str]:
    """`drillbit practice -n 1` on the first new question of ``skill``: what both the startup
    and the scale benchmarks time."""
    return [
        *drillbit_command(),
        "--bank",
        str(bank),
        "practice",
        "-n",
        "1",
        "--mode",
        "new",
        "--skill",
        skill,
        "--db",
        str(db),
    ]
