"""What the tests that compile Go share: one build cache for the whole test run.

Every test otherwise gets a fresh cache directory (conftest's isolated_env), and each Go run
would compile the standard library's test dependencies again: seconds per test.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest


@pytest.fixture(autouse=True)
def shared_go_cache(
    monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[None]:
    directory = tmp_path_factory.getbasetemp() / "shared-drillbit-cache"
    directory.mkdir(exist_ok=True)
    monkeypatch.setenv("DRILLBIT_CACHE_DIR", str(directory))
    yield
