"""The screens' common base: typed access to the app."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from textual.screen import Screen

if TYPE_CHECKING:
    from app.tui.app import DrillbitApp


class DrillbitScreen(Screen[None]):
    @property
    def drillbit(self) -> DrillbitApp:
        """The app, typed: screens reach its state through this, never an ignored attribute."""
        return cast("DrillbitApp", self.app)
