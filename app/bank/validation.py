"""Pydantic validators and JSON Schemas for the bank's models, built on first use.

Kept apart from ``app.bank.models`` so that reading questions never imports pydantic; only
loading YAML, ``validate`` and ``schema`` do.
"""

from __future__ import annotations

from functools import cache
from typing import Any, TypeVar

from pydantic import TypeAdapter, ValidationError

__all__ = ["ValidationError", "json_schema", "validate"]

_T = TypeVar("_T")


@cache
def _adapter(model: type[Any]) -> TypeAdapter[Any]:
    return TypeAdapter(model)


def validate(model: type[_T], data: Any) -> _T:
    """``data`` as an instance of ``model``; raises pydantic's ValidationError."""
    return _adapter(model).validate_python(data)


def json_schema(model: type[Any]) -> dict[str, Any]:
    return _adapter(model).json_schema()
