"""Load the bank and open the history in a thread started before Textual is imported.

Importing Textual and starting the app take a few hundred milliseconds; reading the compiled
bank and opening SQLite can happen meanwhile instead of after.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from app.bank.index import Bank
    from app.bank.problems import Problem
    from app.store.db import Store


class Preload:
    def __init__(self, bank_dirs: list[Path], db_path: Path) -> None:
        self.bank_dirs = bank_dirs
        self.db_path = db_path
        self._done = threading.Event()
        self._result: tuple[Bank, list[Problem], Store] | None = None
        self._error: Exception | None = None
        self._thread = threading.Thread(target=self._run, name="drillbit-preload", daemon=True)

    def start(self) -> Preload:
        self._thread.start()
        return self

    def _run(self) -> None:
        from app.bank.cache import load_bank_cached
        from app.store.db import Store, StoreError

        try:
            bank, problems = load_bank_cached(self.bank_dirs)
            # The integrity check runs beside the first screen; writes wait for it.
            store = Store(self.db_path, verify="background")
            self._result = (bank, problems, store)
        except StoreError as error:
            self._error = error
        finally:
            self._done.set()

    def result(self) -> tuple[Bank, list[Problem], Store]:
        """Wait for the thread; raises the StoreError it met."""
        self._done.wait()
        if self._error is not None:
            raise self._error
        assert self._result is not None
        return self._result
