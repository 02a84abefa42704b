"""The Markdown parser for bank text: unlabelled code fences are plain text.

Without a language, Textual asks Pygments to guess one, which loads every lexer (hundreds of
milliseconds) and often guesses wrong for logs and terminal output. Bank artefacts in plain
fences are exactly that, so they are shown as text; labelled fences keep their highlighting.
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
