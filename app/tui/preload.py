"""Load the bank and open the history in a thread started before Textual is imported.

With a warm cache the load is short, and it runs first, on its own: both it and the import of
Textual are CPU-bound, and two threads contending for the GIL finish later than the same work
done one after the other (measured: ``practice -n 1`` paints its question about 30 ms sooner).
A load that outlasts the head start (a cold cache, a huge bank, a slow disk) carries on beside
Textual's start, and the first screen shows while it finishes.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from app.bank.index import Bank
    from app.bank.problems import Problem
    from app.store.db import Store


class PreloadError(Exception):
    """The preload failed for a reason other than the store's own (a StoreError)."""


class Preload:
    def __init__(self, bank_dirs: list[Path], db_path: Path) -> None:
        self.bank_dirs = bank_dirs
        self.db_path = db_path
        self._done = threading.Event()
        self._result: tuple[Bank, list[Problem], Store] | None = None
        self._error: Exception | None = None
        self._thread = threading.Thread(target=self._run, name="drillbit-preload", daemon=True)

    def start(self, head_start: float = 0.0) -> Preload:
        """Start loading; wait up to ``head_start`` seconds for it to finish."""
        self._thread.start()
        self._done.wait(head_start)
        return self

    def _run(self) -> None:
        from app.bank.cache import load_bank_cached
        from app.store.db import Store, StoreError

        try:
            bank, problems = load_bank_cached(self.bank_dirs)
            # The integrity check starts once the first screen is shown (see
            # DrillbitApp.first_screen_ready); writes wait for it.
            store = Store(self.db_path, verify="later")
            self._result = (bank, problems, store)
        except StoreError as error:
            self._error = error
        except Exception as error:  # anything else still reaches the user as one line
            self._error = PreloadError(f"cannot load the bank and history: {error}")
        finally:
            self._done.set()

    @property
    def finished(self) -> bool:
        return self._done.is_set()

    @property
    def succeeded(self) -> bool:
        """Finished, without an error."""
        return self._done.is_set() and self._error is None

    def result(self) -> tuple[Bank, list[Problem], Store]:
        """Wait for the thread; raises the StoreError (or PreloadError) it met."""
        self._done.wait()
        if self._error is not None:
            raise self._error
        assert self._result is not None
        return self._result
