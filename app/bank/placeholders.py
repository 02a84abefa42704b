"""What ``drillbit new`` writes into a question (and a new skill) for the curator to replace.

Each placeholder passes the schema, so that a fresh scaffold can be edited with the editor's
help; ``validate`` then reports every one still there as an error at its place, and a question
holding one is never served.
"""

from __future__ import annotations

import re
from typing import Any

PLACEHOLDER_TITLE = "TODO: a short title"
SKILL_TITLE = "TODO: the skill's name, as the home screen shows it"
SKILL_DESCRIPTION = "TODO: what the skill covers, in a sentence or two"
PLACEHOLDERS: dict[str, Any] = {
    "time": "10m",
    "tags": ["todo"],
    "prompt": (
        "TODO: the question as the candidate sees it (Markdown).\n"
        "Embed artefacts such as logs, traces or code in fenced blocks.\n"
    ),
    "hints": ["TODO: a gentle hint", "TODO: a stronger hint"],
    "answer": "TODO: the model answer (Markdown).\n",
    "rubric": [
        {"point": "TODO: a key point a good answer makes", "weight": 2},
        {"point": "TODO: another key point", "weight": 1},
    ],
    "follow_ups": [
        {"question": "TODO: a question to ask next", "answer": "TODO: the answer to expect"},
    ],
    "references": ["TODO: an RFC section, a documentation URL or a paper"],
    "code": {
        "timeout": "10s",
        "python": {
            "starter": "def solve(data):\n    raise NotImplementedError  # TODO: the starter\n",
            "solution": "def solve(data):\n    return data  # TODO: the reference solution\n",
            "tests": (
                "import unittest\n\nfrom solution import solve\n\n\n"
                "class SolveTest(unittest.TestCase):\n"
                "    def test_todo_name_each_test_after_a_behaviour(self):\n"
                "        self.assertEqual(solve(1), 1)\n"
            ),
        },
    },
    "interviewer_notes": "TODO: what to listen for; hidden until the answer is revealed",
    "red_flags": ["TODO: an answer that should worry an interviewer"],
    "choices": [
        {"text": "TODO: a wrong option", "correct": False},
        {"text": "TODO: the right option", "correct": True},
    ],
}
"""Placeholder values of a question: each one passes the schema and is easy to find again."""

_NEW_ID = re.compile(r"-new-\d+$")


def _texts(value: Any) -> set[str]:
    if isinstance(value, str):
        return {value} if "TODO" in value or "test_todo" in value else set()
    if isinstance(value, dict):
        return set().union(*map(_texts, value.values()))
    if isinstance(value, list):
        return set().union(*map(_texts, value))
    return set()


PLACEHOLDER_TEXTS = frozenset(
    {PLACEHOLDER_TITLE, SKILL_TITLE, SKILL_DESCRIPTION, "todo", *_texts(PLACEHOLDERS)}
)


def is_placeholder_id(question_id: str) -> bool:
    """Whether the id is one ``drillbit new`` made up (``<prefix>-new-<n>``)."""
    return bool(_NEW_ID.search(question_id))
