"""The reference for benchmarks/interaction.py: a bare Textual app doing the least each step needs.

    python bare_interaction_app.py DB PROMPT ANSWER NEXT_PROMPT

It shows PROMPT. ``space`` mounts ANSWER as Markdown on demand (the reveal); ``3`` commits one
row to SQLite (WAL, ``synchronous=FULL``, as drillbit's store) and swaps in NEXT_PROMPT (next).
"""

from __future__ import annotations

import sqlite3
import sys

from plain_fences import markdown_parser  # plain fences stay plain, as in drillbit
from textual.app import App, ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Markdown


class BareInteractionApp(App[None]):
    BINDINGS = [("space", "reveal"), ("3", "rate")]

    def __init__(self, db: str, prompt: str, answer: str, next_prompt: str) -> None:
        super().__init__()
        self.answer, self.next_prompt = answer, next_prompt
        self.db = sqlite3.connect(db, isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=FULL")
        self.db.execute("CREATE TABLE IF NOT EXISTS ratings (question TEXT, rating INTEGER)")
        self.prompt = prompt

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Markdown(
                self.prompt, id="prompt", open_links=False, parser_factory=markdown_parser
            )

    async def action_reveal(self) -> None:
        await self.query_one(VerticalScroll).mount(
            Markdown(self.answer, open_links=False, parser_factory=markdown_parser)
        )

    async def action_rate(self) -> None:
        self.db.execute("BEGIN IMMEDIATE")
        self.db.execute("INSERT INTO ratings VALUES ('q', 3)")
        self.db.execute("COMMIT")
        await self.query_one("#prompt", Markdown).update(self.next_prompt)


if __name__ == "__main__":
    BareInteractionApp(*sys.argv[1:5]).run()
