"""Shown instead of any screen while the terminal is too small for it; resizing back returns."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static


class TooSmallScreen(ModalScreen[None]):
    DEFAULT_CSS = """
    TooSmallScreen { align: center middle; background: $background; }
    TooSmallScreen Static { width: 100%; text-align: center; }
    """

    def compose(self) -> ComposeResult:
        from app.tui.app import MIN_SIZE

        columns, lines = MIN_SIZE
        yield Static(
            Content(
                f"Make the terminal larger: drillbit needs at least {columns}x{lines}"
                f" (now {self.app.size.width}x{self.app.size.height})."
                " The session waits where you left it."
            )
        )
