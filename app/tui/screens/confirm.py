"""A yes/no modal that returns its answer (y / n / escape)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Static
from textual.widgets.button import ButtonVariant


class ConfirmScreen(ModalScreen[bool]):
    BINDINGS = [
        Binding("y", "answer(True)", "Yes"),
        Binding("n", "answer(False)", "No"),
        Binding("escape", "answer(False)", "Cancel"),
    ]

    def __init__(
        self,
        question: str | Content,
        yes: str = "Yes",
        no: str = "Keep going",
        *,
        yes_variant: ButtonVariant = "error",
        box_id: str = "confirm",
    ) -> None:
        super().__init__()
        self.question = Content(question) if isinstance(question, str) else question
        self.yes, self.no = yes, no
        self.yes_variant = yes_variant
        self.box_id = box_id

    def compose(self) -> ComposeResult:
        with Vertical(id=self.box_id):
            yield Static(self.question)
            with Horizontal():
                yield Button(Content(f"{self.yes} (y)"), variant=self.yes_variant, id="yes")
                yield Button(Content(f"{self.no} (n)"), variant="primary", id="no")

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, value: bool) -> None:
        self.dismiss(value)
