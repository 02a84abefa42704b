"""The reference for startup: a bare Textual app that renders one Markdown document."""

from __future__ import annotations

import sys

from plain_fences import markdown_parser  # plain fences stay plain, as in drillbit
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
        document = sys.argv[1] if len(sys.argv) > 1 else DOCUMENT
        yield Markdown(document, open_links=False, parser_factory=markdown_parser)


if __name__ == "__main__":
    BareMarkdownApp().run()
