"""Questions as Markdown for interviewers, and Markdown as safe HTML. No Textual.

Bank text is Markdown (prompts, answers, notes) or plain text (titles, hints, rubric points).
Plain text is flattened to one line where Markdown needs it (headings, table cells), and
``|`` is escaped in table cells. HTML is rendered by markdown-it-py with raw HTML disabled and
images disabled, so bank text can neither inject markup nor pull in external assets.
"""

from __future__ import annotations

import re

from markdown_it import MarkdownIt

from app.bank.durations import format_duration
from app.bank.models import Question


def markdown_renderer() -> MarkdownIt:
    """CommonMark plus tables; raw HTML is shown as text, images as their alt text link."""
    md = MarkdownIt("commonmark", {"html": False}).enable("table")
    md.disable("image")
    return md


def to_html(text: str) -> str:
    return markdown_renderer().render(text)


def one_line(text: str) -> str:
    """Text on one line: newlines and runs of spaces become single spaces."""
    return " ".join(text.split())


def cell(text: str) -> str:
    """Plain text for a Markdown table cell."""
    return one_line(text).replace("\\", "\\\\").replace("|", "\\|")


def fenced(code: str, language: str = "") -> str:
    """``code`` in a fenced block whose fence is longer than any backtick run inside it."""
    longest = max((len(run) for run in re.findall(r"`+", code)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{language}\n{code.rstrip(chr(10))}\n{fence}"


def code_sections(question: Question, sub: str, *, with_solution: bool) -> list[str]:
    """A coding exercise's languages and visible tests, and for the interviewer its solutions."""
    if question.code is None:
        return []
    languages = question.code.languages
    lines = [
        f"Languages: {', '.join(languages)}; the tests run with a"
        f" {format_duration(question.code.timeout_seconds)} limit.",
        "",
        f"{sub} Tests the candidate runs",
        "",
    ]
    for name, version in languages.items():
        lines += [f"**{name}**", "", fenced(version.tests, name), ""]
    if with_solution:
        lines += [f"{sub} Reference solution", ""]
        for name, version in languages.items():
            lines += [f"**{name}**", "", fenced(version.solution, name), ""]
    return lines


def _quote(text: str) -> str:
    return "\n".join(f"> {line}" if line else ">" for line in text.strip("\n").split("\n"))


def meta_line(question: Question, skill: str) -> str:
    parts = [
        f"`{question.id}`",
        skill,
        question.difficulty,
        question.kind,
        f"time budget **{format_duration(question.time_seconds)}**",
    ]
    if question.tags:
        parts.append("tags: " + ", ".join(one_line(tag) for tag in question.tags))
    return " · ".join(parts)


def scoring_sheet(question: Question) -> list[str]:
    """The rubric as a table: point, weight and a blank score column, then the total."""
    if not question.rubric:
        return ["No rubric: score the answer as a whole against the model answer.", ""]
    lines = ["| # | Rubric point | Weight | Score |", "| ---: | --- | ---: | --- |"]
    for number, point in enumerate(question.rubric, 1):
        lines.append(f"| {number} | {cell(point.point)} | {point.weight} |   |")
    lines.append(f"|  | **Total** | **{question.rubric_weight}** |   / {question.rubric_weight} |")
    lines.append("")
    return lines


def question_markdown(
    question: Question,
    skill: str,
    *,
    heading: str = "##",
    number: int | None = None,
    with_answer: bool = True,
) -> str:
    """One question as an interviewer needs it: prompt, budget, hints, answer, scoring sheet,
    follow-ups, red flags, notes and references."""
    sub = heading + "#"
    title = one_line(question.title)
    lines = [f"{heading} {number}. {title}" if number is not None else f"{heading} {title}", ""]
    lines += [meta_line(question, skill), ""]
    lines += [f"{sub} Prompt", "", question.prompt.strip("\n"), ""]
    if question.choices:
        for index, choice in enumerate(question.choices):
            mark = " **(correct)**" if with_answer and choice.correct else ""
            lines.append(f"- {chr(ord('a') + index)}. {one_line(choice.text)}{mark}")
        lines.append("")
    lines += code_sections(question, sub, with_solution=with_answer)
    if question.hints:
        lines += [f"{sub} Hints to give", "", "In this order, gentle to strong:", ""]
        lines += [f"{i}. {one_line(hint)}" for i, hint in enumerate(question.hints, 1)]
        lines.append("")
    if with_answer:
        lines += [f"{sub} Model answer", "", question.answer.strip("\n"), ""]
        lines += [f"{sub} Scoring sheet", "", *scoring_sheet(question)]
        if question.follow_ups:
            lines += [f"{sub} Follow-ups", ""]
            for i, follow_up in enumerate(question.follow_ups, 1):
                item = f"{i}. "
                lines.append(item + one_line(follow_up.question))
                if follow_up.answer:
                    lines += ["", _indent(_quote(follow_up.answer), " " * len(item))]
                lines.append("")
        if question.red_flags:
            lines += [f"{sub} Red flags", ""]
            lines += [f"- {one_line(flag)}" for flag in question.red_flags]
            lines.append("")
        if question.interviewer_notes:
            lines += [f"{sub} Interviewer notes", "", question.interviewer_notes.strip("\n"), ""]
        if question.references:
            lines += [f"{sub} References", ""]
            lines += [f"- {one_line(reference)}" for reference in question.references]
            lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"


def _indent(text: str, prefix: str) -> str:
    return "\n".join(prefix + line if line else line for line in text.split("\n"))
