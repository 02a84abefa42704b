"""A compiled bank cache, so that an unchanged bank is never parsed again.

Each bank file is known by its path, size, modification time, inode, change time and content
hash. A file whose size, mtime, inode and ctime all match (and whose mtime is not too close to
the moment it was cached, as git does for "racy" entries) is taken from the cache: an edit can
put back the size and the mtime, but not the ctime (setting the mtime sets it), and an editor
that saves by renaming a new file over the old one changes the inode; any other file is read and hashed, and parsed
again unless the hash still matches. The cache is never trusted over the YAML, and a corrupt or
unreadable cache is rebuilt silently. ``drillbit validate`` does not use it.

The index (one small pickle) is all a session needs to start. Question text lives in one blob
per file, as separately pickled questions, and is unpickled only for questions actually shown.
"""

from __future__ import annotations

import os
import pickle
import tempfile
import zlib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from app import __version__
from app.bank.index import Bank, FileSummary, assemble_index, bank_files
from app.bank.problems import Problem
from app.paths import cache_dir

if TYPE_CHECKING:
    from app.bank.models import Question

CACHE_FORMAT = 4
RACY_SECONDS = 2.0


@dataclass
class CachedFile:
    key: str
    """The absolute path of the bank file."""
    size: int
    mtime_ns: int
    inode: int
    ctime_ns: int
    digest: str
    cached_at_ns: int
    summary: FileSummary


def _digest(data: bytes) -> str:
    import hashlib  # only when a file is (re)compiled: it loads OpenSSL, slow for a warm start

    return hashlib.blake2b(data, digest_size=16).hexdigest()


_PICKLED_MODULES = ("models.py", "index.py", "problems.py")
"""The sources of every class the cache pickles."""


def _stamp() -> str:
    """What the cached pickles depend on: this drillbit and its model definitions (by the
    modification time of their source, so that an edited checkout never unpickles stale
    classes)."""
    here = Path(__file__).parent
    sources = "-".join(str((here / name).stat().st_mtime_ns) for name in _PICKLED_MODULES)
    return f"{CACHE_FORMAT}-{__version__}-{sources}"


def _index_path(keys: list[str]) -> Path:
    # A name for this set of bank files; the index inside lists them, so a collision only
    # means a recompile, never a wrong bank.
    name = f"{zlib.crc32(chr(0).join(keys).encode()):08x}"
    return cache_dir() / f"bank-{name}.index"


def _blob_path(digest: str) -> Path:
    return cache_dir() / f"questions-{digest}.blob"


def _write_atomic(path: Path, data: bytes) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.replace(temporary, path)
    except OSError:
        pass  # A cache we cannot write is only a slower start next time.


MAX_CACHE_BYTES = 512 * 1024 * 1024
"""More than any real bank's index or blob: a FIFO or /dev/zero in the cache is never read."""


def _read_cache_file(path: Path) -> object:
    from app.fileio import read_bounded

    return pickle.loads(read_bounded(path, MAX_CACHE_BYTES))


def _read_index(path: Path) -> dict[str, CachedFile]:
    try:
        stamp, files = _read_cache_file(path)  # type: ignore[misc]
    except Exception:
        return {}
    if stamp != _stamp() or not isinstance(files, dict):
        return {}
    return files


class LazyQuestions(Mapping[str, "Question"]):
    """Questions by id, unpickled from their file's blob on first use."""

    def __init__(self, bank: Bank, files: Mapping[str, CachedFile]) -> None:
        self._bank = bank
        self._files = files
        self._blobs: dict[str, dict[str, bytes]] = {}
        self._loaded: dict[str, Question] = {}

    def __getitem__(self, question_id: str) -> Question:
        found = self._loaded.get(question_id)
        if found is not None:
            return found
        if question_id not in self._bank.entries:
            raise KeyError(question_id)
        question = self._from_blob(question_id) or self._from_yaml(question_id)
        self._loaded[question_id] = question
        return question

    def _from_blob(self, question_id: str) -> Question | None:
        # Looked up here rather than for every question up front: a 10k bank starts faster.
        digest = self._files[str(self._bank.placements[question_id].path)].digest
        try:
            blob = self._blobs.get(digest)
            if blob is None:
                blob = _read_cache_file(_blob_path(digest))
                assert isinstance(blob, dict)
                self._blobs[digest] = blob
            question = pickle.loads(blob[question_id])
        except Exception:
            return None
        from app.bank.models import Question

        return question if isinstance(question, Question) else None

    def _from_yaml(self, question_id: str) -> Question:
        from app.bank.loader import load_file

        loaded = load_file(self._bank.placements[question_id].path)
        for question, _ in loaded.questions:
            self._loaded.setdefault(question.id, question)
        if question_id not in self._loaded:
            raise KeyError(question_id)
        return self._loaded[question_id]

    def __iter__(self) -> Iterator[str]:
        return iter(self._bank.entries)

    def __len__(self) -> int:
        return len(self._bank.entries)

    def __contains__(self, question_id: object) -> bool:
        return question_id in self._bank.entries


def _compile(
    path: Path, key: str, stat: os.stat_result, data: bytes | None, problems: list[Problem]
) -> CachedFile:
    """Parse one file and store its questions' blob. ``data`` is None when unreadable, and
    ``problems`` then say why."""
    from app.bank.loader import LoadedFile, decode_text, load_text, summarise

    text = None
    if data is not None:
        text, problems = decode_text(data, path)
    loaded = load_text(text, path) if text is not None else None
    if loaded is None:
        loaded = LoadedFile(path, problems=problems)
    digest = _digest(data or b"")
    blob = {
        question.id: pickle.dumps(question, pickle.HIGHEST_PROTOCOL)
        for question, _ in loaded.questions
    }
    _write_atomic(_blob_path(digest), pickle.dumps(blob, pickle.HIGHEST_PROTOCOL))
    return CachedFile(key, *_identity(stat), digest, _now_ns(), summarise(loaded))


def _identity(stat: os.stat_result) -> tuple[int, int, int, int]:
    return stat.st_size, stat.st_mtime_ns, stat.st_ino, stat.st_ctime_ns


def _now_ns() -> int:
    import time

    return time.time_ns()


def _fresh(cached: CachedFile | None, stat: os.stat_result) -> bool:
    if cached is None:
        return False
    if (cached.size, cached.mtime_ns, cached.inode, cached.ctime_ns) != _identity(stat):
        return False
    # A file written in the same instant as its cache entry may have changed unseen.
    return cached.cached_at_ns - stat.st_mtime_ns > RACY_SECONDS * 1e9


def _absolute(path: Path) -> str:
    """The file's absolute path, symlinks kept: problems name the file the user put in the
    bank (not /dev/zero behind it), and a symlink loop cannot make resolving it fail."""
    return os.path.abspath(path)


def load_bank_cached(paths: Iterable[Path]) -> tuple[Bank, list[Problem]]:
    """The bank from the cache where it is current, parsing only files that changed."""
    files = list(bank_files(paths))
    keys = [_absolute(path) for path in files]
    index_path = _index_path(keys)
    cached = _read_index(index_path)
    current: dict[str, CachedFile] = {}
    changed = set(cached) != set(keys)
    for key in keys:
        # Cached summaries name files by absolute path, whatever the working directory.
        path = Path(key)
        try:
            stat = path.stat()
        except OSError:
            from app.bank.loader import load_file, summarise

            summary = summarise(load_file(path))  # reports the problem with its location
            current[key] = CachedFile(key, -1, -1, -1, -1, "", 0, summary)
            changed = True
            continue
        entry = cached.get(key)
        if _fresh(entry, stat):
            assert entry is not None
            current[key] = entry
            continue
        from app.bank.loader import read_bank_bytes

        data, problems = read_bank_bytes(path)
        if (
            entry is not None
            and data is not None
            and entry.digest == _digest(data)
            and _blob_path(entry.digest).exists()
        ):
            entry.size, entry.mtime_ns, entry.inode, entry.ctime_ns = _identity(stat)
            entry.cached_at_ns = _now_ns()
            current[key] = entry
        else:
            current[key] = _compile(path, key, stat, data, problems)
        changed = True
    if changed:
        _write_atomic(index_path, pickle.dumps((_stamp(), current), pickle.HIGHEST_PROTOCOL))
    bank, problems = assemble_index(cached_file.summary for cached_file in current.values())
    bank.questions = LazyQuestions(bank, current)
    return bank, problems
