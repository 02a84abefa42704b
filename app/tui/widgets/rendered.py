"""Markdown rendered to lines once, and shown as plain lines: the prompt and the reveal.

Textual's ``Markdown`` widget mounts a widget per block: a long model answer is hundreds of
widgets to create, style and lay out when it appears, and every later layout of the screen
visits them again. The candidate only reads this text, so it is rendered by Rich's Markdown
into lines of the width it is shown at: the reveal ahead of time in a worker (while the
candidate works), the prompt when it is laid out. Code blocks wrap, so nothing is cut. Rich's
Markdown never reads console markup in the text, and hyperlinks are off.
"""

from __future__ import annotations

import io
import threading

from textual.geometry import Size
from textual.strip import Strip
from textual.widget import Widget


def render_markdown(source: str, width: int) -> list[Strip]:
    """``source`` as lines of ``width`` cells (code blocks wrap, so nothing is cut)."""
    from rich.console import Console
    from rich.markdown import Markdown as RichMarkdown  # imported in the worker, not at start

    console = Console(
        width=width, file=io.StringIO(), force_terminal=True, color_system="truecolor"
    )
    document = RichMarkdown(source, code_theme="ansi_dark", hyperlinks=False)
    lines = console.render_lines(document, console.options.update_width(width), pad=True)
    return [Strip(line, width) for line in lines]


class RenderedMarkdown(Widget):
    DEFAULT_CSS = """
    RenderedMarkdown { height: auto; padding: 0 1; }
    """

    def __init__(self, **options: str) -> None:
        super().__init__(**options)
        self.source = ""
        self._lines: dict[tuple[str, int], list[Strip]] = {}
        self._rendering = threading.Lock()

    def show(self, source: str) -> None:
        if source != self.source:
            self.source = source
            self.refresh(layout=True)

    def lines(self, width: int, source: str | None = None) -> list[Strip]:
        """The lines of ``source`` (the shown text by default) at ``width``, rendered once.
        Safe to call from a worker thread, which is how the reveal renders ahead."""
        source = self.source if source is None else source
        key = (source, width)
        with self._rendering:
            if key not in self._lines:
                if len(self._lines) >= 4:  # this question's widths, and the next question's
                    self._lines.clear()
                self._lines[key] = render_markdown(source, width) if source else []
            return self._lines[key]

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self.lines(width))

    def render_line(self, y: int) -> Strip:
        width = self.content_size.width
        lines = self.lines(width)
        if y >= len(lines):
            return Strip.blank(width, self.rich_style)
        # Rich leaves plain text unstyled: give it the widget's colours, not the terminal's.
        return lines[y].apply_style(self.rich_style)
