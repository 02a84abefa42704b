"""The JSON Schema of a bank file, generated from the models (``questions/schema.json``)."""

from __future__ import annotations

import json
from typing import Any

from app.bank.models import LoopsFile, SkillFile
from app.bank.validation import json_schema

SCHEMA_ID = "https://drillbit.dev/schema/bank.json"
MODELINE = "# yaml-language-server: $schema=schema.json"


def bank_schema() -> dict[str, Any]:
    schema = json_schema(SkillFile)
    loops = json_schema(LoopsFile)
    definitions = {**schema.pop("$defs", {}), **loops.pop("$defs", {})}
    definitions["LoopsFile"] = loops
    definitions["SkillFile"] = schema
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "drillbit bank file",
        "description": "A skill file of questions, or loops.yaml with mock-interview loops.",
        "anyOf": [{"$ref": "#/$defs/SkillFile"}, {"$ref": "#/$defs/LoopsFile"}],
        "$defs": definitions,
    }


def schema_text() -> str:
    return json.dumps(bank_schema(), indent=2, sort_keys=True) + "\n"
