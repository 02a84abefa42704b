"""The Markdown parser the bare reference apps give Textual's ``Markdown``: unlabelled code
fences are plain text, as drillbit shows them.

Without a language, Textual asks Pygments to guess one, which loads every lexer (hundreds of
milliseconds): the reference would be slow for a reason drillbit does not share.
"""

from __future__ import annotations

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore


def _plain_fences(state: StateCore) -> None:
    for token in state.tokens:
        if token.type == "fence" and not token.info.strip():
            token.info = "text"


def markdown_parser() -> MarkdownIt:
    parser = MarkdownIt("gfm-like")
    parser.core.ruler.push("plain_fences", _plain_fences)
    return parser
