"""Interview kits: the questions an interviewer takes into the room, as Markdown or HTML.

The HTML is the Markdown rendered by markdown-it-py (raw HTML and images disabled), wrapped in
one self-contained page: inline CSS, no scripts, no external assets, and a print stylesheet that
starts every question on a new page.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from app import __version__
from app.authoring.markdown import cell, markdown_renderer, one_line, question_markdown
from app.bank.durations import format_duration
from app.bank.loader import Bank
from app.bank.models import Loop


@dataclass(frozen=True)
class KitRound:
    """A time box of a loop kit; a plain kit has one round without a title."""

    title: str | None
    time_seconds: int | None
    question_ids: tuple[str, ...]


@dataclass(frozen=True)
class Kit:
    title: str
    description: str = ""
    rounds: tuple[KitRound, ...] = field(default_factory=tuple)

    @property
    def question_ids(self) -> list[str]:
        return [question_id for round_ in self.rounds for question_id in round_.question_ids]


def kit_for_ids(bank: Bank, ids: Sequence[str], title: str = "Selected questions") -> Kit:
    return Kit(title, "", (KitRound(None, None, tuple(ids)),))


def kit_for_skills(bank: Bank, skills: Sequence[str]) -> Kit:
    ids = tuple(question.id for question in bank.select(skills=skills))
    names = ", ".join(bank.skills[skill].title for skill in skills)
    description = " ".join(bank.skills[skill].description for skill in skills)
    return Kit(names, description if len(skills) == 1 else "", (KitRound(None, None, ids),))


def kit_for_loop(bank: Bank, loop: Loop, seed: int = 0) -> Kit:
    """One round per loop round, drawn as a fresh candidate's loop would be (``seed`` varies the
    draw; the same seed gives the same kit)."""
    from app.practice.planner import History, plan_loop

    planned = plan_loop(bank.index(), loop, History(), datetime.now(UTC), seed=seed)
    rounds = tuple(
        KitRound(round_.title, round_.time_seconds, tuple(entry.id for entry in round_.questions))
        for round_ in planned
    )
    return Kit(loop.title, loop.description, rounds)


def _round_label(number: int, round_: KitRound) -> str:
    label = f"Round {number}"
    if round_.title:
        label += f": {one_line(round_.title)}"
    if round_.time_seconds:
        label += f" ({format_duration(round_.time_seconds)})"
    return label


def overview_markdown(bank: Bank, kit: Kit) -> str:
    lines = [f"# Interview kit: {one_line(kit.title)}", ""]
    if kit.description:
        lines += [kit.description.strip(), ""]
    loop = any(round_.title for round_ in kit.rounds)
    header = "| # | Question | Skill | Difficulty | Time |"
    rule = "| ---: | --- | --- | --- | ---: |"
    if loop:
        header, rule = header + " Round |", rule + " --- |"
    lines += [header, rule]
    number = 0
    total = 0
    for round_number, round_ in enumerate(kit.rounds, 1):
        for question_id in round_.question_ids:
            number += 1
            question = bank.questions[question_id]
            total += question.time_seconds
            row = (
                f"| {number} | {cell(question.title)} (`{question_id}`) |"
                f" {bank.skill_of(question_id)} | {question.difficulty} |"
                f" {format_duration(question.time_seconds)} |"
            )
            if loop:
                row += f" {round_number} |"
            lines.append(row)
    lines += ["", f"{number} question(s); time budgets add up to **{format_duration(total)}**."]
    if loop:
        lines.append("")
        for round_number, round_ in enumerate(kit.rounds, 1):
            count = len(round_.question_ids)
            lines.append(f"- {_round_label(round_number, round_)}: {count} question(s)")
    lines += [
        "",
        "Score each rubric point from 0 to its weight in the blank column; give hints in order,"
        " and note each one given.",
        "",
    ]
    return "\n".join(lines)


def _question_parts(bank: Bank, kit: Kit) -> list[tuple[str, str]]:
    """(question id, Markdown) for each question of the kit, numbered in order."""
    parts = []
    number = 0
    for round_number, round_ in enumerate(kit.rounds, 1):
        for question_id in round_.question_ids:
            number += 1
            text = question_markdown(
                bank.questions[question_id], bank.skill_of(question_id), number=number
            )
            if round_.title:
                heading, rest = text.split("\n", 1)
                text = f"{heading}\n\n*{_round_label(round_number, round_)}*\n{rest}"
            parts.append((question_id, text))
    return parts


def kit_markdown(bank: Bank, kit: Kit) -> str:
    chunks = [overview_markdown(bank, kit)]
    for _, text in _question_parts(bank, kit):
        chunks += ["---", "", text]
    return "\n".join(chunks).rstrip("\n") + "\n"


CSS = """
:root { color-scheme: light; }
body {
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  line-height: 1.45; color: #1b1b1b; background: #fff; margin: 0;
}
main { max-width: 52rem; margin: 0 auto; padding: 1.5rem; }
h1 { font-size: 1.7rem; margin-top: 0; }
h2 { font-size: 1.35rem; border-bottom: 2px solid #333; padding-bottom: 0.2rem; }
h3 { font-size: 1.05rem; margin-bottom: 0.3rem; text-transform: uppercase; letter-spacing: 0.03em;
  color: #444; }
code { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; font-size: 0.9em;
  background: #f3f3f3; padding: 0 0.2em; border-radius: 3px; }
pre { background: #f6f6f6; border: 1px solid #ddd; padding: 0.6rem; overflow-x: auto;
  white-space: pre-wrap; word-break: break-word; }
pre code { background: none; padding: 0; }
blockquote { margin: 0.4rem 0 0.4rem 0; padding: 0.1rem 0.8rem; border-left: 3px solid #bbb;
  color: #333; }
table { border-collapse: collapse; width: 100%; margin: 0.5rem 0 1rem; }
th, td { border: 1px solid #999; padding: 0.3rem 0.5rem; vertical-align: top; text-align: left; }
th { background: #eee; }
section.question table td:last-child { min-width: 5rem; }
section.question { padding-top: 0.5rem; }
@media print {
  @page { margin: 14mm; }
  body { font-size: 10.5pt; }
  main { max-width: none; padding: 0; }
  section.question { break-before: page; page-break-before: always; }
  table, pre, blockquote, tr { break-inside: avoid; page-break-inside: avoid; }
  h2, h3 { break-after: avoid; page-break-after: avoid; }
  a { color: inherit; text-decoration: none; }
}
""".strip()


def kit_html(bank: Bank, kit: Kit) -> str:
    """A self-contained, printable page: overview first, then one section per question."""
    md = markdown_renderer()
    body = [f'<section class="overview">\n{md.render(overview_markdown(bank, kit))}</section>']
    for question_id, text in _question_parts(bank, kit):
        anchor = html.escape(f"q-{question_id}", quote=True)
        body.append(f'<section class="question" id="{anchor}">\n{md.render(text)}</section>')
    title = html.escape(f"Interview kit: {one_line(kit.title)}")
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta http-equiv="Content-Security-Policy"'
        " content=\"default-src 'none'; style-src 'unsafe-inline'\">\n"
        f'<meta name="generator" content="drillbit {html.escape(__version__)}">\n'
        f"<title>{title}</title>\n<style>\n{CSS}\n</style>\n</head>\n<body>\n<main>\n"
        + "\n".join(body)
        + "\n</main>\n</body>\n</html>\n"
    )
