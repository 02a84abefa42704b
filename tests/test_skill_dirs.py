"""A skill may spread over a directory (issue 15, item 5), and bank files are read safely
whatever sits in a bank directory (issue 17, items 3, 7, 8 and 13)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import app.bank.cache as cache
from app.authoring.watch import watched_files
from app.bank.index import bank_files
from app.bank.loader import MAX_FILE_BYTES, load_bank
from tests.conftest import FIXTURE_BANK, environ_for_subprocess

QUESTION = """\
  - id: {id}
    title: Question {id}
    difficulty: medium
    time: 10m
    prompt: What happens?
    answer: Things.
"""


def questions(*ids: str) -> str:
    return "questions:\n" + "".join(QUESTION.format(id=i) for i in ids)


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def bank(tmp_path: Path) -> Path:
    """net: a single file and a directory; kernel: only a directory with _skill.yaml."""
    root = tmp_path / "bank"
    write(root / "net.yaml", "skill: net\ntitle: Net\ndescription: D\n" + questions("net-a"))
    write(root / "net" / "more.yaml", "skill: net\n" + questions("net-b", "net-c"))
    write(root / "net" / "coding.yaml", "skill: net\n" + questions("net-d"))
    write(root / "kernel" / "_skill.yaml", "skill: kernel\ntitle: Kernel\ndescription: K\n")
    write(root / "kernel" / "sched.yaml", "skill: kernel\n" + questions("kern-a"))
    write(
        root / "loops.yaml",
        "loops:\n  - name: l\n    title: L\n    rounds:\n"
        "      - {title: R, time: 30m, skills: [net, kernel]}\n",
    )
    (root / ".git").mkdir()
    write(root / ".git" / "x.yaml", "not: a bank file\n")
    return root


def test_a_skill_spans_its_file_and_its_directory(bank: Path) -> None:
    names = [str(p.relative_to(bank)) for p in bank_files([bank])]
    assert names == [
        "kernel/_skill.yaml",
        "kernel/sched.yaml",
        "loops.yaml",
        "net.yaml",
        "net/coding.yaml",
        "net/more.yaml",
    ]
    loaded, problems = load_bank([bank])
    assert problems == []
    assert list(loaded.skills) == ["kernel", "net"]
    assert loaded.skills["net"].title == "Net" and loaded.skills["kernel"].title == "Kernel"
    assert [q.id for q in loaded.select(skills=["net"])] == ["net-a", "net-d", "net-b", "net-c"]
    assert loaded.placements["net-b"].path == bank / "net" / "more.yaml"
    assert loaded.placements["net-b"].line == 3
    cached, cached_problems = cache.load_bank_cached([bank])
    assert cached_problems == [] and cached.index() == loaded.index()
    assert cached.skills.keys() == loaded.skills.keys()
    assert dict(cached.questions) == loaded.questions


def problems_in(bank: Path) -> list[str]:
    return [
        f"{Path(p.path).relative_to(bank)}:{p.line}:{p.column}: {p.message}"
        for p in load_bank([bank])[1]
    ]


def test_title_only_in_the_skill_file_or_skill_header(bank: Path) -> None:
    write(
        bank / "net" / "more.yaml",
        "skill: net\ntitle: Again\ndescription: D\n" + questions("net-b"),
    )
    (found,) = problems_in(bank)
    assert found.startswith("net/more.yaml:2:1: the title and description of skill 'net' belong in")


def test_exactly_one_file_carries_the_title(bank: Path) -> None:
    write(bank / "net" / "_skill.yaml", "skill: net\ntitle: Two\ndescription: D\n")
    (found,) = problems_in(bank)
    assert found.startswith(
        "net/_skill.yaml:2:1: the title and description of skill 'net' are already in"
    )
    (bank / "net" / "_skill.yaml").unlink()
    (bank / "net.yaml").unlink()
    (found,) = problems_in(bank)
    assert found == (
        "net/coding.yaml:1:8: skill 'net' has no title and description: write them"
        " in net.yaml, or in net/_skill.yaml when the skill is only a directory"
    )


def test_skill_must_match_its_directory(bank: Path) -> None:
    write(bank / "net" / "other.yaml", "skill: kernel\n" + questions("kern-b"))
    (found,) = problems_in(bank)
    assert found == (
        "net/other.yaml:1:8: skill 'kernel' must match the file name 'other' (or,"
        " for a file in a skill's directory, the directory name 'net')"
    )


def test_the_same_skill_in_two_banks_is_an_error(bank: Path, tmp_path: Path) -> None:
    other = tmp_path / "other"
    write(other / "kernel" / "extra.yaml", "skill: kernel\n" + questions("kern-z"))
    _, problems = load_bank([bank, other])
    assert [p.message for p in problems] == [
        f"skill 'kernel' is also defined in {bank / 'kernel' / '_skill.yaml'}"
    ]


def test_a_part_file_validates_on_its_own(bank: Path, tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "app", "validate", str(bank / "net" / "more.yaml")],
        capture_output=True,
        text=True,
        env=environ_for_subprocess(tmp_path),
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 questions in 1 skills (1 files)" in result.stdout


def test_the_size_guard_says_to_use_the_skill_directory(bank: Path) -> None:
    big = bank / "net.yaml"
    big.write_text(big.read_text() + "#" * MAX_FILE_BYTES)
    (found,) = problems_in(bank)
    assert found.startswith("net.yaml:1:1: the file is larger than 1 MiB; spread the skill")
    assert f"{bank / 'net'}/ (any file name, each holding only skill: and questions:)" in found


def test_watch_watches_the_skill_directories(bank: Path) -> None:
    watched = watched_files([bank])
    assert bank / "kernel" in watched and bank / "net" / "more.yaml" in watched


# -- files that are not plain files (issue 17, items 3, 7 and 8) ---------------------------------


def run_cli(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app", *args],
        capture_output=True,
        text=True,
        env=environ_for_subprocess(tmp_path),
        timeout=30,
        stdin=subprocess.DEVNULL,
    )


@pytest.fixture
def hostile(tmp_path: Path) -> Path:
    root = tmp_path / "hostile"
    shutil.copytree(FIXTURE_BANK, root)
    os.mkfifo(root / "fifo.yaml")
    os.symlink("/dev/zero", root / "zero.yaml")
    os.symlink("loop.yaml", root / "loop.yaml")
    os.symlink(".", root / "net")  # a directory loop: read one level deep, never recursed
    return root


@pytest.mark.parametrize("loader", ["parse", "cache"])
def test_fifos_devices_and_symlink_loops_are_one_line_problems(hostile: Path, loader: str) -> None:
    load = load_bank if loader == "parse" else cache.load_bank_cached
    bank, problems = load([hostile])
    by_file = {Path(p.path).name: p.message for p in problems}
    assert by_file["fifo.yaml"].startswith("not a regular file")
    assert by_file["zero.yaml"].startswith("not a regular file")  # a character device
    assert by_file["loop.yaml"] == "cannot read the file: Too many levels of symbolic links"
    assert "dbg-markup" in bank  # the good files still load


def test_a_huge_sparse_file_is_refused_before_reading(tmp_path: Path) -> None:
    root = tmp_path / "sparse"
    shutil.copytree(FIXTURE_BANK, root)
    with (root / "huge.yaml").open("wb") as handle:
        handle.truncate(3 * 1024**3)  # 3 GB, no blocks on disk
    for load in (load_bank, cache.load_bank_cached):
        _, problems = load([root])
        assert [p.message.split(";")[0] for p in problems] == ["the file is larger than 1 MiB"]


@pytest.mark.parametrize("command", [["validate"], ["list"], ["stats"], ["show", "dbg-markup"]])
def test_commands_survive_a_hostile_bank_directory(
    hostile: Path, tmp_path: Path, command: list[str]
) -> None:
    result = run_cli(tmp_path, "--bank", str(hostile), *command)
    assert "Traceback" not in result.stderr + result.stdout
    assert result.returncode in (0, 1)
    assert "loop.yaml:1:1: error: cannot read the file" in result.stdout + result.stderr


def test_a_fifo_in_place_of_the_cache_index_is_ignored(tmp_path: Path) -> None:
    root = tmp_path / "bank"
    shutil.copytree(FIXTURE_BANK, root)
    cache.load_bank_cached([root])
    for index in cache.cache_dir().glob("*.index"):
        index.unlink()
        os.mkfifo(index)
    bank, problems = cache.load_bank_cached([root])  # must not block on the FIFO
    assert problems == [] and len(bank) == 3


def test_an_edit_keeping_size_and_mtime_is_seen(tmp_path: Path) -> None:
    root = tmp_path / "bank"
    shutil.copytree(FIXTURE_BANK, root)
    target = root / "debugging.yaml"
    old = target.stat()
    os.utime(target, ns=(old.st_atime_ns, old.st_mtime_ns - 10**10))  # outside the racy window
    aged = target.stat()
    cache.load_bank_cached([root])
    with target.open("r+", encoding="utf-8") as handle:  # in place: the inode stays
        text = handle.read()
        handle.seek(0)
        handle.write(text.replace("medium", "hard  "))
    os.utime(target, ns=(aged.st_atime_ns, aged.st_mtime_ns))
    assert (target.stat().st_size, target.stat().st_mtime_ns) == (aged.st_size, aged.st_mtime_ns)
    bank, _ = cache.load_bank_cached([root])
    assert bank.entries["dbg-markup"].difficulty == "hard"
