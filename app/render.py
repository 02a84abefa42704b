"""Print a question to a plain terminal (``drillbit show``), as a candidate would see it."""

from __future__ import annotations

from rich.console import Console, Group
from rich.markdown import Markdown
from rich.panel import Panel
from rich.rule import Rule
from rich.text import Text

from app.bank.loader import Bank
from app.bank.models import format_duration


def print_question(bank: Bank, question_id: str, *, with_answer: bool = False) -> None:
    question = bank.questions[question_id]
    skill = bank.skill_of(question_id)
    # Bank text goes through Text and Markdown only, never through console markup.
    meta = Text.assemble(
        (skill, "bold cyan"),
        "  ·  ",
        (question.difficulty, "bold"),
        "  ·  ",
        format_duration(question.time_seconds),
        "  ·  ",
        question.kind,
    )
    if question.tags:
        meta.append("  ·  " + ", ".join(question.tags), style="dim")
    parts: list[object] = [meta, Text(""), Markdown(question.prompt)]
    if question.choices:
        parts.append(Text(""))
        for index, choice in enumerate(question.choices):
            mark = "✓" if with_answer and choice.correct else " "
            parts.append(Text(f" {mark} {chr(ord('a') + index)}) {choice.text}"))
    if question.code is not None:
        from app.authoring.markdown import fenced

        which = "solution" if with_answer else "starter"
        how = f"Code ({which}; run the tests with: drillbit run {question.id} FILE)"
        parts.append(Rule(Text(how)))
        for name, version in question.code.languages.items():
            parts += [Text(name, style="bold"), Markdown(fenced(getattr(version, which), name))]
    if with_answer:
        parts += [
            Rule("Hints"),
            *(Text(f"{i}. {hint}") for i, hint in enumerate(question.hints, 1)),
        ]
        parts += [Rule("Model answer"), Markdown(question.answer)]
        if question.rubric:
            parts.append(Rule("Rubric"))
            parts += [Text(f"[ ] ({point.weight}) {point.point}") for point in question.rubric]
        if question.follow_ups:
            parts.append(Rule("Follow-ups"))
            for follow_up in question.follow_ups:
                parts.append(Markdown(f"- {follow_up.question}"))
                if follow_up.answer:
                    parts.append(Markdown(follow_up.answer))
        if question.red_flags:
            parts += [Rule("Red flags"), *(Text(f"- {flag}") for flag in question.red_flags)]
        if question.interviewer_notes:
            parts += [Rule("Interviewer notes"), Markdown(question.interviewer_notes)]
        if question.references:
            parts += [Rule("References"), *(Text(f"- {ref}") for ref in question.references)]
    title = Text(question.title, style="bold")
    Console().print(Panel(Group(*parts), title=title, title_align="left", subtitle=question.id))
