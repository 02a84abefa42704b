"""The screen's keys on one line at the bottom, as Textual's ``Footer`` shows them.

``Footer`` mounts a widget per key and mounts them all again whenever the screen's bindings
change. On the question screen they change at every reveal and every question, and that
remounting cost more than the rest of the step; this draws the same line as one widget.
"""

from __future__ import annotations

from typing import NamedTuple

from textual import events
from textual.content import Content
from textual.screen import Screen
from textual.widget import Widget


class KeySpan(NamedTuple):
    start: int
    end: int
    key: str
    enabled: bool


class KeyBar(Widget, can_focus=False):
    """Each shown binding as ``key description``; disabled ones dimmed; a click presses it.
    The command palette's key sits on the right when the app has one."""

    ALLOW_SELECT = False
    COMPONENT_CLASSES = {"key-bar--key", "key-bar--description", "key-bar--disabled"}
    DEFAULT_CSS = """
    KeyBar {
        dock: bottom; height: 1; text-wrap: nowrap; text-overflow: clip;
        color: $footer-foreground; background: $footer-background;
        & > .key-bar--key {
            color: $footer-key-foreground; background: $footer-key-background; text-style: bold;
        }
        & > .key-bar--description {
            color: $footer-description-foreground; background: $footer-description-background;
        }
        & > .key-bar--disabled { text-style: dim; }
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._shown: list[tuple[str, str, str, bool]] = []
        """The keys to show: (key display, description, key, enabled)."""
        self._palette: tuple[str, str, str, bool] | None = None
        self._keys: list[KeySpan] = []
        """Where each key is drawn, for clicks."""

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)
        self._collect()

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, screen: Screen[object]) -> None:
        if self.is_attached and screen is self.screen:
            self._collect()
            self.refresh()

    def _collect(self) -> None:
        """The keys to show, read once per change of the bindings (not at every paint: each
        read asks the screen whether every action is allowed)."""
        app = self.app
        self._shown, self._palette = [], None
        shown_actions: set[str] = set()
        for _node, binding, enabled, _tooltip in self.screen.active_bindings.values():
            is_palette = app.ENABLE_COMMAND_PALETTE and binding.key == app.COMMAND_PALETTE_BINDING
            if not (binding.show or is_palette) or binding.action in shown_actions:
                continue
            shown_actions.add(binding.action)
            item = (app.get_key_display(binding), binding.description, binding.key, enabled)
            if is_palette:
                self._palette = item
            else:
                self._shown.append(item)

    def render(self) -> Content:
        # Styled here, not when collected: the theme may have changed since.
        key_style = self.get_visual_style("key-bar--key")
        description_style = self.get_visual_style("key-bar--description")
        dim = self.get_visual_style("key-bar--disabled", partial=True)

        def item(display: str, description: str, enabled: bool) -> Content:
            content = Content.assemble(
                (f" {display} ", key_style), (f"{description} ", description_style)
            )
            return content if enabled else content.stylize(dim)

        parts: list[Content] = []
        spans: list[KeySpan] = []
        x = 0
        for display, description, key, enabled in self._shown:
            part = item(display, description, enabled)
            parts.append(part)
            spans.append(KeySpan(x, x + part.cell_length, key, enabled))
            x += part.cell_length
        width = self.size.width
        if self._palette is not None:
            display, description, key, enabled = self._palette
            part = item(display, description, enabled)
            if x + part.cell_length + 1 <= width:
                gap = width - x - part.cell_length
                parts += [Content(" " * gap), part]
                spans.append(KeySpan(x + gap, width, key, enabled))
        self._keys = spans
        return Content("").join(parts)

    def _on_mouse_down(self, event: events.MouseDown) -> None:
        for span in self._keys:
            if span.start <= event.x < span.end:
                if span.enabled:
                    self.app.simulate_key(span.key)
                else:
                    self.app.bell()
                return
