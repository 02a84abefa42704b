"""questions/schema.json is generated from the models and must not drift from them."""

from __future__ import annotations

import json

from app.bank.schema import LOOPS_MODELINE, MODELINE, loops_schema_text, schema_text
from app.paths import bundled_bank
from tests.conftest import FIXTURE_BANK, REPO


def test_committed_schemas_match_models() -> None:
    committed = (REPO / "questions" / "schema.json").read_text(encoding="utf-8")
    assert committed == schema_text(), "regenerate with: drillbit schema > questions/schema.json"
    committed = (REPO / "questions" / "loops.schema.json").read_text(encoding="utf-8")
    assert committed == loops_schema_text(), (
        "regenerate with: drillbit schema --loops > questions/loops.schema.json"
    )


def test_every_bank_file_starts_with_its_modeline() -> None:
    for directory in (bundled_bank(), FIXTURE_BANK):
        for path in directory.glob("*.yaml"):
            first_line = path.read_text(encoding="utf-8").splitlines()[0]
            assert first_line == (LOOPS_MODELINE if path.name == "loops.yaml" else MODELINE), path
        for path in directory.glob("*/*.yaml"):
            first_line = path.read_text(encoding="utf-8").splitlines()[0]
            assert first_line == MODELINE.replace("=", "=../"), path


def test_schema_describes_question_fields() -> None:
    schema = json.loads(schema_text())
    question = schema["$defs"]["Question"]
    assert set(question["required"]) == {"id", "title", "difficulty", "time", "prompt", "answer"}
    assert question["additionalProperties"] is False
