"""Arbitrary input never makes the loader raise: it always answers with located problems."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.bank.loader import load_text

SKILL_TEXT = st.text(alphabet=st.characters(codec="utf-8"), max_size=400) | st.lists(
    st.sampled_from(
        [
            "skill: x",
            "questions:",
            "  - id: a",
            "    time: 1.10",
            "  ",
            "- ",
            ": ",
            "&a",
            "*a",
            "[",
            "]",
            "{",
            "}",
            "!!python/object:os.system",
            "'",
            '"',
            "\\e",
            "|",
            ">",
            "#",
            "\t",
            "difficulty: no",
            "title: [b]x[/]",
            "---",
            "...",
            "%YAML 1.1",
        ]
    ),
    max_size=30,
).map("\n".join)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(SKILL_TEXT)
def test_loader_never_raises(text: str) -> None:
    loaded = load_text(text, Path("network-protocols.yaml"))
    for problem in loaded.problems:
        assert problem.line >= 1 and problem.column >= 1
        assert problem.path == "network-protocols.yaml"
        assert problem.message
