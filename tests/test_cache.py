"""The compiled bank cache: never parses an unchanged bank, never trusts itself over the YAML."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

import app.bank.cache as cache
from app.bank.loader import load_bank
from tests.conftest import FIXTURE_BANK


@pytest.fixture
def bank_copy(tmp_path: Path) -> Path:
    target = tmp_path / "bank"
    shutil.copytree(FIXTURE_BANK, target)
    # Age the files so that they are not "racy" against the cache's timestamps.
    for path in target.iterdir():
        os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns - 10**10))
    return target


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    seen: list[Path] = []
    import app.bank.loader as loader

    original = loader.load_text

    def counting(text, path, loaded=None):
        seen.append(Path(path))
        return original(text, path, loaded)

    monkeypatch.setattr(loader, "load_text", counting)
    return seen


def test_cached_bank_equals_parsed_bank(bank_copy: Path) -> None:
    parsed, parsed_problems = load_bank([bank_copy])
    for _ in range(2):
        cached, problems = cache.load_bank_cached([bank_copy])
        assert problems == parsed_problems == []
        assert cached.index() == parsed.index()
        assert dict(cached.questions) == parsed.questions
        assert cached.loops == parsed.loops


def test_unchanged_bank_is_never_parsed_again(bank_copy: Path, parses: list[Path]) -> None:
    cache.load_bank_cached([bank_copy])
    assert len(parses) == 3
    parses.clear()
    bank, _ = cache.load_bank_cached([bank_copy])
    assert bank.questions["dbg-markup"].title.startswith("[b]")
    assert parses == []


def test_a_changed_file_is_parsed_again_on_its_own(bank_copy: Path, parses: list[Path]) -> None:
    cache.load_bank_cached([bank_copy])
    parses.clear()
    target = bank_copy / "debugging.yaml"
    target.write_text(target.read_text().replace("Nothing here is markup", "Still not markup"))
    bank, _ = cache.load_bank_cached([bank_copy])
    assert parses == [target.resolve()]
    assert "Still not markup" in bank.questions["dbg-markup"].answer


def test_same_size_edit_within_the_racy_window_is_seen(bank_copy: Path) -> None:
    target = bank_copy / "debugging.yaml"
    target.write_text(target.read_text())  # fresh mtime: racy
    cache.load_bank_cached([bank_copy])
    stat = target.stat()
    target.write_text(target.read_text().replace("medium", "hard  "))
    os.utime(target, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # same size, same mtime
    bank, _ = cache.load_bank_cached([bank_copy])
    assert bank.entries["dbg-markup"].difficulty == "hard"


def test_touched_file_is_hashed_not_parsed(bank_copy: Path, parses: list[Path]) -> None:
    cache.load_bank_cached([bank_copy])
    parses.clear()
    target = bank_copy / "network-protocols.yaml"
    os.utime(target, ns=(target.stat().st_atime_ns, target.stat().st_mtime_ns + 10**9))
    cache.load_bank_cached([bank_copy])
    assert parses == []


def test_corrupt_index_is_rebuilt_silently(bank_copy: Path) -> None:
    cache.load_bank_cached([bank_copy])
    for index in cache.cache_dir().glob("*.index"):
        index.write_bytes(b"\x80garbage")
    bank, problems = cache.load_bank_cached([bank_copy])
    assert problems == [] and len(bank) == 3


def test_corrupt_blob_falls_back_to_the_yaml(bank_copy: Path) -> None:
    cache.load_bank_cached([bank_copy])
    for blob in cache.cache_dir().glob("*.blob"):
        blob.write_bytes(b"not a pickle")
    bank, _ = cache.load_bank_cached([bank_copy])
    assert bank.questions["net-tcp-handshake"].title == "The TCP three-way handshake"


def test_problems_are_cached_too(bank_copy: Path) -> None:
    (bank_copy / "apis.yaml").write_text("skill: [\n")
    first = cache.load_bank_cached([bank_copy])[1]
    second = cache.load_bank_cached([bank_copy])[1]
    assert first == second and len(first) == 1 and "YAML syntax error" in first[0].message


def test_unwritable_cache_still_loads(
    bank_copy: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    monkeypatch.setenv("DRILLBIT_CACHE_DIR", str(blocker / "cache"))
    bank, problems = cache.load_bank_cached([bank_copy])
    assert problems == [] and bank.questions["dbg-markup"].id == "dbg-markup"
