"""The screens' common base: typed access to the app."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from textual.screen import Screen

if TYPE_CHECKING:
    from app.practice.session import PracticeSession
    from app.tui.app import DrillbitApp


class DrillbitScreen(Screen[None]):
    @property
    def drillbit(self) -> DrillbitApp:
        """The app, typed: screens reach its state through this, never an ignored attribute."""
        return cast("DrillbitApp", self.app)

    def undo_rating(self, session: PracticeSession) -> bool:
        """Take back the session's last rating; a store error is said, not raised."""
        from app.store.db import StoreError

        try:
            return session.undo()
        except StoreError as error:
            self.notify(f"Not undone: {error}", severity="error", markup=False)
            return False
