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

from rich.segment import Segment
from textual.geometry import Size
from textual.selection import Selection
from textual.strip import Strip
from textual.widget import Widget


def render_markdown(source: str, width: int, dark: bool = True) -> list[Strip]:
    """``source`` as lines of ``width`` cells (code blocks wrap, so nothing is cut), in colours
    for a ``dark`` theme or a light one."""
    from rich.console import Console
    from rich.markdown import Markdown as RichMarkdown
    from rich.theme import Theme

    # Rich's defaults paint code on black, whatever the theme; its ANSI colours are mapped to
    # the app's theme by Textual.
    theme = Theme({"markdown.code": "bold cyan", "markdown.code_block": "cyan"})
    console = Console(
        width=width,
        file=io.StringIO(),
        force_terminal=True,
        color_system="truecolor",
        theme=theme,
    )
    code_theme = "ansi_dark" if dark else "ansi_light"
    document = RichMarkdown(source, code_theme=code_theme, hyperlinks=False)
    lines = console.render_lines(document, console.options.update_width(width), pad=True)
    return [Strip(line, width) for line in lines]


class RenderedMarkdown(Widget):
    DEFAULT_CSS = """
    RenderedMarkdown { height: auto; padding: 0 1; }
    """

    def __init__(self, **options: str) -> None:
        super().__init__(**options)
        self.source = ""
        self._lines: dict[tuple[str, int, bool], list[Strip]] = {}
        self._rendering = threading.Lock()
        self.dark = True
        """Whether the app's theme is dark: the colours the lines are rendered for."""

    def on_mount(self) -> None:
        self.watch(self.app, "theme", self._theme_changed)

    def _theme_changed(self) -> None:
        self.dark = self.app.current_theme.dark
        self.refresh(layout=True)

    def show(self, source: str) -> None:
        if source != self.source:
            self.source = source
            self.refresh(layout=True)

    def lines(self, width: int, source: str | None = None, dark: bool | None = None) -> list[Strip]:
        """The lines of ``source`` (the shown text by default) at ``width``, rendered once for
        a dark or a light theme (the app's by default). Safe to call from a worker thread,
        given ``dark``: that is how the reveal renders ahead."""
        source = self.source if source is None else source
        dark = self.dark if dark is None else dark
        key = (source, width, dark)
        with self._rendering:
            if key not in self._lines:
                if len(self._lines) >= 4:  # this question's widths, and the next question's
                    self._lines.clear()
                self._lines[key] = render_markdown(source, width, dark) if source else []
            return self._lines[key]

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self.lines(width))

    def render_line(self, y: int) -> Strip:
        width = self.content_size.width
        lines = self.lines(width)
        if y >= len(lines):
            return Strip.blank(width, self.rich_style)
        # Rich leaves plain text unstyled: give it the widget's colours, not the terminal's.
        # The offsets let the mouse select text, as in any Textual widget.
        line = lines[y].apply_style(self.rich_style).apply_offsets(0, y)
        selection = self.text_selection
        if selection is None or (span := selection.get_span(y)) is None:
            return line
        start, end = span
        end = line.cell_length if end == -1 else min(end, line.cell_length)
        chosen = line.crop(start, end)
        style = self.screen.get_component_rich_style("screen--selection")
        chosen = Strip(Segment.apply_style(chosen, post_style=style), chosen.cell_length)
        return Strip.join([line.crop(0, start), chosen, line.crop(end)])

    def get_selection(self, selection: Selection) -> tuple[str, str] | None:
        text = "\n".join(line.text.rstrip() for line in self.lines(self.content_size.width))
        return selection.extract(text), "\n"

    def selection_updated(self, selection: Selection | None) -> None:
        self.refresh()
