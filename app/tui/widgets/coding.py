"""A coding exercise's answer area: the language line, the code editor and the test results.

The panel shows the item's ``CodingWork`` (app.practice.coding) and forwards intent; runs happen
on the runner's own thread, whose end comes back as a ``RunFinished`` message (never a blocking
call into the UI). Code, test names and messages come from the bank or the tools: they are shown
as ``Content``, never read as markup.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from app.tui.widgets.answer import WritableEditor

if TYPE_CHECKING:
    from app.coding.results import RunResult
    from app.practice.session import Item

LANGUAGE_LABELS = {"python": "Python", "go": "Go", "rust": "Rust"}
STATUS_STYLE = {"passed": "bold $success", "failed": "bold $error", "error": "bold $error"}
STATUS_MARK = {"passed": "✓", "failed": "✗", "error": "!", "skipped": "-"}


class CodeEditor(WritableEditor):
    """The candidate's code, highlighted for its language; tab indents."""

    DEFAULT_CSS = """
    CodeEditor { height: 1fr; min-height: 5; }
    """

    class Edited(WritableEditor.Edited):
        """The code changed."""

    def load(self, text: str, language: str) -> None:
        self.language = language if language in self.available_languages else None
        self.load_quietly(text)


class RunResults(OptionList):
    """The last run: its summary, then each test with its message, or each compile error
    (enter on one moves the editor's cursor to its line)."""

    DEFAULT_CSS = """
    RunResults { height: auto; max-height: 40%; border: none; padding: 0; display: none; }
    RunResults:focus { border: none; }
    """

    @dataclass
    class GoTo(Message):
        line: int
        column: int

    running = False
    """A run is under way (its line is shown)."""

    def show_running(self, language: str) -> None:
        self.display = True
        self.running = True
        label = LANGUAGE_LABELS.get(language, language)
        self.set_options([Option(Content(f"Running the {label} tests… ctrl+r or escape cancels"))])

    def show_result(self, result: RunResult) -> None:
        self.display = True
        self.running = False
        style = "bold $success" if result.all_passed else "bold $error"
        options: list[Option] = [
            Option(Content.assemble((result.summary, style), f"  ({result.seconds:.1f}s)"))
        ]
        for test in result.tests:
            mark = STATUS_MARK.get(test.status, "?")
            parts: list[str | tuple[str, str]] = [
                (f"{mark} ", STATUS_STYLE.get(test.status, "bold")),
                test.name,
            ]
            if test.message and test.status != "passed":
                parts += ["\n", (test.message.rstrip(), "dim")]
            options.append(Option(Content.assemble(*parts)))
        for n, error in enumerate(result.compile_errors):
            where = "tests" if error.file == "tests" else "your code"
            if error.line is not None:
                where += f", line {error.line}"
                if error.column is not None:
                    where += f":{error.column}"
            option_id = None
            if error.file == "solution" and error.line is not None:
                option_id = f"{n}:{error.line}:{error.column or 1}"
            options.append(
                Option(
                    Content.assemble(("✗ ", "bold $error"), (where, "bold"), "\n", error.message),
                    id=option_id,
                )
            )
        if not result.tests and not result.compile_errors and result.output.strip():
            tail = "\n".join(result.output.strip().splitlines()[-12:])
            options.append(Option(Content(tail)))
        self.set_options(options)

    def _on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id is not None:
            _, line, column = event.option.id.split(":")
            self.post_message(self.GoTo(int(line), int(column)))


class CodingPanel(Vertical):
    """The language line, the editor and the results of a coding exercise."""

    DEFAULT_CSS = """
    CodingPanel { height: 1fr; display: none; }
    CodingPanel #q-language { height: 1; padding: 0 1; background: $boost; }
    """

    @dataclass
    class RunFinished(Message):
        """A run ended (on the runner's thread); stored already unless ``error`` says why not."""

        item: Item
        result: RunResult
        error: str | None = None
        run: object = None
        """Which run (the screen shows only the end of the last one it started)."""

    def compose(self) -> ComposeResult:
        yield Static(id="q-language", markup=False)
        yield CodeEditor.code_editor(id="q-code", read_only=True, soft_wrap=False)
        yield RunResults(id="q-results")

    @property
    def editor(self) -> CodeEditor:
        return self.query_one(CodeEditor)

    @property
    def results(self) -> RunResults:
        return self.query_one(RunResults)

    def show(self, item: Item) -> None:
        """Show ``item``'s code in its language, and its last run."""
        coding = item.coding
        assert coding is not None
        if self.editor.text != coding.code or self.editor.language != coding.language:
            self.editor.load(coding.code, coding.language)
        self.show_language(item)
        results = self.query_one(RunResults)
        if coding.running:
            results.show_running(coding.language)
        elif coding.last_result is not None:
            results.show_result(coding.last_result)
        else:
            results.display = results.running = False

    def show_language(self, item: Item) -> None:
        coding = item.coding
        assert coding is not None
        parts: list[str | tuple[str, str]] = []
        for name in coding.languages:
            label = LANGUAGE_LABELS.get(name, name)
            parts += [(f"[{label}]", "bold reverse") if name == coding.language else label, " "]
        keys = "i: write · ctrl+r: run the tests"
        if len(coding.languages) > 1:
            keys += " · ctrl+l: language"
        self.query_one("#q-language", Static).update(Content.assemble(*parts, "  ", (keys, "dim")))

    def go_to(self, line: int, column: int) -> None:
        editor = self.editor
        row = max(0, min(line - 1, editor.document.line_count - 1))
        editor.cursor_location = (row, max(0, column - 1))
        editor.scroll_cursor_visible()


def reference_and_explanation(item: Item) -> str:
    """The reveal's model answer for a coding exercise: the reference solution in the language
    the candidate chose (highlighted as a fenced block), then the explanation."""
    coding = item.coding
    if coding is None:
        return item.question.answer
    solution = coding.solution.rstrip("\n")
    longest = max((len(run) for run in re.findall(r"`+", solution)), default=0)
    fence = "`" * max(3, longest + 1)
    label = LANGUAGE_LABELS.get(coding.language, coding.language)
    return (
        f"**Reference solution ({label})**\n\n{fence}{coding.language}\n{solution}\n{fence}\n\n"
        f"**Explanation**\n\n{item.question.answer}"
    )
