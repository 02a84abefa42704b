"""The core never imports Textual: import it in a fresh interpreter and look at sys.modules."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.conftest import REPO

CORE_MODULES = [
    "app.bank",
    "app.bank.loader",
    "app.bank.quality",
    "app.bank.schema",
    "app.bank.cache",
    "app.bank.index",
    "app.review.session",
    "app.stats.compute",
    "app.store.exchange",
    "app.paths",
    "app.cli",
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
        "import app.bank.index, app.bank.cache, app.review.session, app.review.planner\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in ('pydantic', 'yaml'))))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=True
    )
    assert json.loads(result.stdout) == []
