"""The JSON Schemas of bank files, generated from the models: ``questions/schema.json`` for
skill files and ``questions/loops.schema.json`` for ``loops.yaml``.

Two schemas rather than one ``anyOf``: with one, an editor reports a typo in loops.yaml as a
skill file missing ``skill`` and ``title``, and completes keys of both kinds of file. The
schemas are written for the YAML language server (VS Code, Neovim, Helix): properties in the
order curators write them, a description on every field, a plain-English
``patternErrorMessage`` beside each pattern, and no ``default: null`` to be inserted by
completion.
"""

from __future__ import annotations

import json
from typing import Any

from app.bank.models import SLUG_PATTERN, LoopsFile, SkillFile
from app.bank.validation import json_schema

SCHEMA_ID = "https://drillbit.dev/schema/bank.json"
LOOPS_SCHEMA_ID = "https://drillbit.dev/schema/loops.json"
SKILL_SCHEMA_FILE = "schema.json"
LOOPS_SCHEMA_FILE = "loops.schema.json"
MODELINE = f"# yaml-language-server: $schema={SKILL_SCHEMA_FILE}"
LOOPS_MODELINE = f"# yaml-language-server: $schema={LOOPS_SCHEMA_FILE}"

PATTERN_MESSAGES = {
    "slug": "a slug: lowercase letters, digits and single hyphens, such as net-tcp-handshake",
    "duration": "a duration such as 90s, 8m, 1h or 1h30m",
}


def _for_editors(node: Any) -> Any:
    """Editor-friendly: a message for each pattern, no null defaults, no generated titles."""
    if isinstance(node, list):
        return [_for_editors(item) for item in node]
    if not isinstance(node, dict):
        return node
    result = {}
    for key, value in node.items():
        if key == "default" and value is None:
            continue
        if key == "title" and isinstance(value, str) and "properties" not in node:
            continue  # pydantic's "Title Case" of the field name says nothing
        result[key] = _for_editors(value)
    pattern = result.get("pattern")
    if isinstance(pattern, str):
        kind = "slug" if pattern == SLUG_PATTERN else "duration"
        result["patternErrorMessage"] = f"Must be {PATTERN_MESSAGES[kind]}."
    return result


def _document(model: type[Any], schema_id: str, title: str, description: str) -> dict[str, Any]:
    schema = _for_editors(json_schema(model))
    definitions = schema.pop("$defs", {})
    document: dict[str, Any] = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": schema_id,
        "title": title,
        "description": description,
    }
    document.update({key: value for key, value in schema.items() if key not in document})
    document["$defs"] = definitions
    return document


def bank_schema() -> dict[str, Any]:
    return _document(
        SkillFile,
        SCHEMA_ID,
        "drillbit skill file",
        "A skill file of interview questions: questions/<skill>.yaml, or any file in"
        " questions/<skill>/.",
    )


def loops_schema() -> dict[str, Any]:
    return _document(
        LoopsFile,
        LOOPS_SCHEMA_ID,
        "drillbit loops file",
        "loops.yaml: named mock-interview loops, each a list of timed rounds.",
    )


def schema_text() -> str:
    return json.dumps(bank_schema(), indent=2, ensure_ascii=False) + "\n"


def loops_schema_text() -> str:
    return json.dumps(loops_schema(), indent=2, ensure_ascii=False) + "\n"
