"""An Anki deck of the bank, written with genanki: one note per question.

Note GUIDs derive from question ids, and the model and deck ids are fixed, so importing a newer
export updates the notes an earlier one created instead of adding duplicates.
"""

from __future__ import annotations

import html
import os
from collections.abc import Sequence
from pathlib import Path

import genanki

from app.authoring.markdown import fenced, one_line, to_html
from app.bank.durations import format_duration
from app.bank.loader import Bank
from app.bank.models import Question

MODEL_ID = 1_734_205_731
DECK_ID = 2_059_400_118
DECK_NAME = "drillbit"

FIELDS = ("Title", "Meta", "Prompt", "Answer", "Rubric", "Id")

FRONT = """
<div class="meta">{{Meta}}</div>
<h2 class="title">{{Title}}</h2>
<div class="prompt">{{Prompt}}</div>
""".strip()

BACK = """
{{FrontSide}}
<hr id="answer">
<div class="answer">{{Answer}}</div>
{{#Rubric}}<h3>Rubric</h3><div class="rubric">{{Rubric}}</div>{{/Rubric}}
<div class="id">{{Id}}</div>
""".strip()

CSS = """
.card { font-family: system-ui, sans-serif; font-size: 18px; text-align: left; color: #1b1b1b;
  background: #fff; line-height: 1.4; }
.meta, .id { color: #777; font-size: 14px; }
pre { text-align: left; white-space: pre-wrap; background: #f4f4f4; padding: 6px; }
code { font-family: ui-monospace, Menlo, Consolas, monospace; }
table { border-collapse: collapse; }
th, td { border: 1px solid #aaa; padding: 2px 6px; }
.nightMode .card, .night_mode .card { color: #eee; background: #222; }
.nightMode pre, .night_mode pre { background: #333; }
""".strip()


def model() -> genanki.Model:
    return genanki.Model(
        MODEL_ID,
        "drillbit question",
        fields=[{"name": name} for name in FIELDS],
        templates=[{"name": "Question", "qfmt": FRONT, "afmt": BACK}],
        css=CSS,
    )


def _tag(text: str) -> str:
    return "_".join(text.split()) or "_"


def note_fields(question: Question, skill: str) -> list[str]:
    """The HTML of each field. Plain text is escaped; Markdown goes through markdown-it-py
    with raw HTML disabled, so nothing in the bank becomes markup."""
    meta = " · ".join(
        [skill, question.difficulty, question.kind, format_duration(question.time_seconds)]
    )
    prompt = to_html(question.prompt)
    answer = ""
    if question.choices:
        letters = [chr(ord("a") + i) for i in range(len(question.choices))]
        options = "\n".join(
            f"- {letter}. {one_line(choice.text)}"
            for letter, choice in zip(letters, question.choices, strict=True)
        )
        prompt += to_html(options)
        right = [
            f"{letter}. {one_line(choice.text)}"
            for letter, choice in zip(letters, question.choices, strict=True)
            if choice.correct
        ]
        answer += to_html("**Correct:** " + "; ".join(right))
    if question.code is not None:
        solutions = [
            f"**{name}**\n\n{fenced(version.solution, name)}"
            for name, version in question.code.languages.items()
        ]
        answer += to_html("\n\n".join(solutions))
    answer += to_html(question.answer)
    rubric = ""
    if question.rubric:
        rubric = to_html(
            "\n".join(f"- ({point.weight}) {one_line(point.point)}" for point in question.rubric)
        )
    return [
        html.escape(one_line(question.title)),
        html.escape(meta),
        prompt,
        answer,
        rubric,
        html.escape(question.id),
    ]


def build_deck(bank: Bank, question_ids: Sequence[str]) -> genanki.Deck:
    deck = genanki.Deck(DECK_ID, DECK_NAME, description="Questions from a drillbit bank.")
    note_model = model()
    for question_id in question_ids:
        question = bank.questions[question_id]
        skill = bank.skill_of(question_id)
        tags = ["drillbit", _tag(skill), question.difficulty, _tag(question.kind)]
        tags += [_tag(tag) for tag in question.tags]
        deck.add_note(
            genanki.Note(
                model=note_model,
                fields=note_fields(question, skill),
                guid=genanki.guid_for(question_id),
                tags=list(dict.fromkeys(tags)),
            )
        )
    return deck


def write_deck(
    bank: Bank, question_ids: Sequence[str], out: Path, *, timestamp: float | None = None
) -> int:
    """Write ``out`` (an .apkg) and return the number of notes. The file is replaced in one
    rename, so a failed export never leaves half a deck behind. ``timestamp`` (default: now) is
    the notes' modification time; Anki updates a note on import only when it is newer."""
    deck = build_deck(bank, question_ids)
    out = out.expanduser()
    partial = out.with_name(f".{out.name}.partial")
    try:
        genanki.Package(deck).write_to_file(str(partial), timestamp=timestamp)
        os.replace(partial, out)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return len(deck.notes)
