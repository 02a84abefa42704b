"""``drillbit watch``: re-validate bank files as they change, and preview the question edited.

File changes are noticed by Textual's own :class:`textual.file_monitor.FileMonitor`, the
monitor Textual uses to reload CSS, driven by ``set_interval`` as Textual drives it. It compares
modification times (Textual has no event-based watcher, and ``watchfiles`` is not a dependency),
so a change shows within :data:`CHECK_INTERVAL` seconds. The monitored set holds every bank file
and each watched directory itself, so new files in a directory are noticed too.

Bank text is never parsed as Textual markup: problems are shown as :class:`Content` built from
plain strings, and the preview is a :class:`Markdown` widget.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from pathlib import Path

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.file_monitor import FileMonitor
from textual.widgets import Markdown, Static

from app.authoring.markdown import markdown_renderer, question_markdown
from app.bank.index import skill_directories
from app.bank.loader import Bank, bank_files, load_bank
from app.bank.problems import Problem
from app.tui.widgets.keybar import KeyBar

CHECK_INTERVAL = 0.25
"""Seconds between two looks at the files' modification times (Textual's CSS watch uses 0.25)."""


def watched_files(paths: Sequence[Path]) -> list[Path]:
    """The files (and directories) whose modification times tell that something changed."""
    watched: list[Path] = []
    for path in paths:
        if path.is_dir():
            watched.append(path)
            watched.extend(skill_directories([path]))  # new files in a skill's directory
        watched.extend(bank_files([path]))
    return watched


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


def pick_question(
    bank: Bank, before: dict[str, str] | None, current: str | None
) -> tuple[str | None, dict[str, str]]:
    """The question to preview, and the snapshot (id to content hash) to compare with next.

    The most recently changed question wins: one whose content changed since ``before`` (the
    last one in the most recently modified file, when several did). Otherwise the question
    already shown stays; failing that, the last question of the most recently modified file.
    """
    snapshot = {question_id: q.content_hash for question_id, q in bank.questions.items()}
    if not bank.questions:
        return None, snapshot
    newest_file = max(
        {placement.path for placement in bank.placements.values()}, key=_mtime, default=None
    )

    def rank(question_id: str) -> tuple[float, int]:
        placement = bank.placements[question_id]
        return (_mtime(placement.path), placement.line)

    if before is not None:
        changed = [qid for qid, digest in snapshot.items() if before.get(qid) != digest]
        if changed:
            return max(changed, key=rank), snapshot
    if current in bank.questions:
        return current, snapshot
    in_newest = [qid for qid in bank.questions if bank.placements[qid].path == newest_file]
    return max(in_newest or list(bank.questions), key=rank), snapshot


class WatchApp(App[None]):
    """Shows the problems of the watched files, or a preview of the question being edited."""

    TITLE = "drillbit watch"
    CSS = """
    Screen { layout: vertical; }
    #status { height: auto; padding: 0 1; background: $panel; }
    #status.problems { background: $error 30%; }
    #status.clean { background: $success 25%; }
    #problems { height: 1fr; padding: 0 1; }
    #preview-title { height: auto; padding: 0 1; color: $text-muted; }
    #preview-scroll { height: 1fr; }
    #preview { padding: 0 1; }
    .hidden { display: none; }
    """
    BINDINGS = [
        Binding("r", "revalidate", "Re-validate now"),
        Binding("q", "quit", "Quit"),
    ]

    def __init__(self, paths: Sequence[Path], *, interval: float = CHECK_INTERVAL) -> None:
        super().__init__()
        self.paths = [Path(path) for path in paths]
        self.interval = interval
        self.problems: list[Problem] = []
        self.bank = Bank()
        self.previewed: str | None = None
        self.checks = 0
        self._snapshot: dict[str, str] | None = None
        self._lock = asyncio.Lock()
        self.file_monitor = FileMonitor(watched_files(self.paths), self.revalidate)

    def compose(self) -> ComposeResult:
        yield Static(Content("Loading..."), id="status")
        yield Static(Content(""), id="problems", classes="hidden")
        yield Static(Content(""), id="preview-title", classes="hidden")
        with VerticalScroll(id="preview-scroll"):
            yield Markdown("", id="preview", parser_factory=markdown_renderer, open_links=False)
        yield KeyBar()

    async def on_mount(self) -> None:
        await self.revalidate()
        self.set_interval(self.interval, self.file_monitor, name="bank monitor")

    async def action_revalidate(self) -> None:
        await self.revalidate()

    async def revalidate(self) -> None:
        """Validate the watched paths again and show the outcome."""
        async with self._lock:
            bank, problems = await asyncio.to_thread(load_bank, self.paths)
            self.file_monitor.add_paths(watched_files(self.paths))
            self.bank, self.problems = bank, problems
            self.checks += 1
            shown = self.previewed
            self.previewed, self._snapshot = pick_question(bank, self._snapshot, shown)
            await self._show()
            if self.previewed != shown:
                self.query_one("#preview-scroll", VerticalScroll).scroll_home(animate=False)

    @property
    def problem_lines(self) -> list[str]:
        return [str(problem) for problem in self.problems]

    async def _show(self) -> None:
        status = self.query_one("#status", Static)
        problems = self.query_one("#problems", Static)
        title = self.query_one("#preview-title", Static)
        scroll = self.query_one("#preview-scroll", VerticalScroll)
        preview = self.query_one("#preview", Markdown)
        watched = ", ".join(str(path) for path in self.paths)
        files = len(list(bank_files(self.paths)))
        if self.problems:
            status.set_classes("problems")
            status.update(
                Content(
                    f"{watched}: {len(self.problems)} problem(s) in {files} file(s)"
                    "  (fix and save; r re-validates, q quits)"
                )
            )
            problems.update(Content("\n".join(self.problem_lines)))
            problems.remove_class("hidden")
            title.add_class("hidden")
            scroll.add_class("hidden")
            return
        status.set_classes("clean")
        status.update(
            Content(
                f"{watched}: clean, {len(self.bank)} question(s) in {files} file(s)"
                "  (r re-validates, q quits)"
            )
        )
        problems.add_class("hidden")
        problems.update(Content(""))
        if self.previewed is None:
            title.update(Content("No questions yet."))
            title.remove_class("hidden")
            scroll.add_class("hidden")
            return
        question = self.bank.questions[self.previewed]
        placement = self.bank.placements[self.previewed]
        title.update(Content(f"Preview of {question.id}  ({placement.path}:{placement.line})"))
        title.remove_class("hidden")
        scroll.remove_class("hidden")
        await preview.update(question_markdown(question, placement.skill, heading="#"))


def run_watch(paths: Sequence[Path]) -> int:
    WatchApp(paths).run()
    return 0
