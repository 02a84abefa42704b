"""The core never imports Textual: import it in a fresh interpreter and look at sys.modules."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from tests.conftest import FIXTURE_BANK, REPO

CORE_MODULES = [
    "app.bank",
    "app.bank.loader",
    "app.bank.quality",
    "app.bank.schema",
    "app.bank.cache",
    "app.bank.index",
    "app.practice.session",
    "app.stats.compute",
    "app.store.exchange",
    "app.team.sync",
    "app.team.report",
    "app.paths",
    "app.cli",
    "app.cli.coding",
    "app.coding.runner",
    "app.coding.trust",
    "app.coding.report",
    "app.practice.coding",
]


def test_core_does_not_import_textual() -> None:
    code = (
        "import importlib, json, sys\n"
        f"for name in {CORE_MODULES!r}: importlib.import_module(name)\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] == 'textual')))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=True
    )
    assert json.loads(result.stdout) == []


def test_session_start_path_imports_neither_pydantic_nor_yaml() -> None:
    """The index, planner, session and store start a session without pydantic or PyYAML."""
    code = (
        "import json, sys\n"
        "import app.bank.index, app.bank.cache, app.practice.session, app.practice.planner\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in ('pydantic', 'yaml'))))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=True
    )
    assert json.loads(result.stdout) == []


def test_questions_from_a_warm_cache_need_neither_pydantic_nor_yaml(tmp_path) -> None:
    """Reading a question and the loops from the compiled cache only unpickles plain
    dataclasses; pydantic and PyYAML are for parsing YAML, which a warm cache never does."""
    env = {**os.environ, "DRILLBIT_CACHE_DIR": str(tmp_path / "cache")}
    code = (
        "import json, sys\n"
        "from pathlib import Path\n"
        "from app.bank.cache import load_bank_cached\n"
        f"bank, _ = load_bank_cached([Path({str(FIXTURE_BANK)!r})])\n"
        "texts = [bank.questions[qid].prompt for qid in bank.questions]\n"
        "rounds = [r.time_seconds for loop in bank.loops.values() for r in loop.rounds]\n"
        "assert texts and rounds\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in ('pydantic', 'yaml'))))\n"
    )
    run = [sys.executable, "-c", code]
    cold = subprocess.run(run, capture_output=True, text=True, cwd=REPO, env=env, check=True)
    assert "pydantic" in json.loads(cold.stdout)  # the first run parses and fills the cache
    warm = subprocess.run(run, capture_output=True, text=True, cwd=REPO, env=env, check=True)
    assert json.loads(warm.stdout) == []


def test_a_first_session_with_no_history_needs_neither_fsrs_nor_uuid(tmp_path) -> None:
    """From a warm cache, planning a first session and opening its first question read nothing
    that needs the scheduler and write nothing yet: fsrs and uuid load with the first rating or
    write, after the question is on screen."""
    env = {**os.environ, "DRILLBIT_CACHE_DIR": str(tmp_path / "cache")}
    code = (
        "import json, sys\n"
        "from pathlib import Path\n"
        "from app.bank.cache import load_bank_cached\n"
        "from app.clock import SystemClock\n"
        "from app.practice.planner import Filters, plan\n"
        "from app.practice.session import PracticeSession, history_for\n"
        "from app.store.db import Store\n"
        f"bank, _ = load_bank_cached([Path({str(FIXTURE_BANK)!r})])\n"
        f"store = Store(Path({str(tmp_path / 'history.sqlite3')!r}), verify='later')\n"
        "clock = SystemClock()\n"
        "history = history_for(store, clock.now())\n"
        "entries = plan(bank.index(), mode='auto', filters=Filters(), history=history,"
        " now=clock.now(), count=3)\n"
        "session = PracticeSession(bank, store, clock, entries, mode='auto')\n"
        "assert session.current.question.prompt\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in ('fsrs', 'uuid'))))\n"
    )
    run = [sys.executable, "-c", code]
    subprocess.run(run, capture_output=True, text=True, cwd=REPO, env=env, check=True)  # fill
    warm = subprocess.run(run, capture_output=True, text=True, cwd=REPO, env=env, check=True)
    assert json.loads(warm.stdout) == []
