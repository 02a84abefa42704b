"""The candidate's answer editor (mounted after the question's first paint)."""

from __future__ import annotations

from dataclasses import dataclass

from textual.binding import Binding
from textual.message import Message
from textual.widgets import TextArea


class WritableEditor(TextArea):
    """An editor that is read-only until ``i`` asks to write; escape or leaving it makes it
    read-only again. Edits the user makes (not loads) are posted as ``Edited``."""

    BINDINGS = [Binding("escape", "leave", "Leave the editor", show=False)]

    @dataclass
    class Edited(Message):
        text: str

    _loading = False

    def load_quietly(self, text: str) -> None:
        """Replace the text without posting ``Edited``."""
        self._loading = True
        self.load_text(text)
        self._loading = False

    def _on_text_area_changed(self, event: TextArea.Changed) -> None:
        event.stop()
        if not self._loading:
            self.post_message(self.Edited(self.text))

    def write(self) -> None:
        self.read_only = False
        # set_focus is immediate (focus() waits a turn), so keys typed straight after land here.
        self.screen.set_focus(self)

    def action_leave(self) -> None:
        self.read_only = True
        self.screen.set_focus(None)

    def _on_blur(self) -> None:
        self.read_only = True


class AnswerEditor(WritableEditor):
    """The candidate's answer."""

    DEFAULT_CSS = """
    AnswerEditor { height: 1fr; min-height: 3; }
    """

    class Edited(WritableEditor.Edited):
        """The answer changed."""

    def __init__(self, **options: str) -> None:
        super().__init__(
            soft_wrap=True,
            tab_behavior="focus",
            read_only=True,
            placeholder="Your answer or notes: press i to write, escape to leave.",
            **options,
        )

    def load(self, text: str) -> None:
        self.load_quietly(text)
