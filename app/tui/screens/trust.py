"""Whether to run code that came with a bank other than the bundled one: asked once per bank
(the answer is kept by app.coding.trust until the bank's contents change)."""

from __future__ import annotations

from pathlib import Path

from textual.binding import Binding
from textual.content import Content

from app.tui.screens.confirm import ConfirmScreen


class TrustScreen(ConfirmScreen):
    """y runs the bank's code (now and from now on), n or escape does not."""

    DEFAULT_CSS = """
    TrustScreen { align: center middle; }
    #trust { width: 72; height: auto; padding: 1 2; border: thick $warning; background: $surface; }
    #trust Horizontal { height: auto; margin-top: 1; align-horizontal: center; }
    #trust Button { margin: 0 1; }
    """

    BINDINGS = [
        Binding("y", "answer(True)", "Trust"),
        Binding("n", "answer(False)", "Do not run"),
        Binding("escape", "answer(False)", "Cancel"),
    ]

    def __init__(self, bank: Path) -> None:
        super().__init__(
            Content.assemble(
                ("Run code from this bank?\n\n", "bold"),
                (str(bank), "bold $warning"),
                "\n\nRunning the tests executes code that came with this bank, as you. "
                "drillbit runs it in a sandbox where the platform allows, but only say yes "
                "to a bank you trust. The answer is remembered until the bank changes.",
            ),
            "Trust and run",
            "Do not run",
            yes_variant="warning",
            box_id="trust",
        )
        self.bank = bank
