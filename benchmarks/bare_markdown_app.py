"""The reference for startup: a bare Textual app that renders one Markdown document."""

from __future__ import annotations

import sys

from textual.app import App, ComposeResult
from textual.widgets import Markdown

DOCUMENT = """\
# The TCP three-way handshake

Walk through the TCP three-way handshake and say what each side commits to.

```
SYN -> SYN-ACK -> ACK
```
"""


class BareMarkdownApp(App[None]):
    def compose(self) -> ComposeResult:
        yield Markdown(sys.argv[1] if len(sys.argv) > 1 else DOCUMENT, open_links=False)


if __name__ == "__main__":
    BareMarkdownApp().run()
