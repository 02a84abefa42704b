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


def _nodes(node: object):
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _nodes(value)
    elif isinstance(node, list):
        for value in node:
            yield from _nodes(value)


def test_schemas_are_written_for_editors() -> None:
    """What the YAML language server shows curators (issue 15, item 7)."""
    for text in (schema_text(), loops_schema_text()):
        schema = json.loads(text)
        for node in _nodes(schema):
            for name, field in node.get("properties", {}).items():
                assert field.get("description"), name  # hover says what every field is
            if "pattern" in node:
                assert node["patternErrorMessage"].startswith("Must be a ")
            assert node.get("default", "not null") is not None  # no `null` in snippets
    question = json.loads(schema_text())["$defs"]["Question"]["properties"]
    assert list(question)[:5] == ["id", "title", "difficulty", "time", "kind"]  # curator order
    loops = json.loads(loops_schema_text())
    assert set(loops["properties"]) == {"loops"}  # its own schema: no skill-file keys
    assert "skill" not in json.loads(schema_text()).get("anyOf", [{}])[0]
