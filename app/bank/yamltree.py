"""Parse YAML once into plain data plus the position of every node.

PyYAML's own constructors keep the last of two duplicate keys, accept anchors and aliases and know
nothing of where a value came from. This builder walks the parser's events instead: one parse
gives the data, a mark for each node and key, and a problem for everything a bank must not hold.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.nodes import ScalarNode

from app.bank.problems import Problem

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

Path = tuple[str | int, ...]
Position = tuple[int, int]
"""1-based (line, column)."""

STR_TAG = "tag:yaml.org,2002:str"
_KNOWN_TAGS = {
    STR_TAG,
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:timestamp",
    "tag:yaml.org,2002:map",
    "tag:yaml.org,2002:seq",
}
MAX_DEPTH = 64


@dataclass
class Tree:
    """What one parse of a document gives."""

    data: Any = None
    values: dict[Path, Position] = field(default_factory=dict)
    """Where each value starts, by its path from the root."""
    keys: dict[Path, Position] = field(default_factory=dict)
    """Where each mapping key starts, by the path of its value."""
    problems: list[Problem] = field(default_factory=list)
    poisoned: set[Path] = field(default_factory=set)
    """Paths already reported by the parse; validation stays quiet about them."""
    watched: list[Path] = field(default_factory=list)
    """Paths of the strings equal to one of the texts the parse was asked to watch for, in
    document order."""

    def is_poisoned(self, path: Path) -> bool:
        return any(path[: len(bad)] == bad for bad in self.poisoned)

    def position(self, path: Path) -> Position:
        """The closest known position to ``path``: the node itself or its nearest ancestor."""
        while path:
            if path in self.values:
                return self.values[path]
            path = path[:-1]
        return self.values.get((), (1, 1))


# C0 and C1 controls (Unicode category Cc) except tab and newline, and the bidi controls.
_FORBIDDEN = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def forbidden_character(text: str) -> str | None:
    """The first character a bank text must not contain, if any."""
    found = _FORBIDDEN.search(text)
    return found.group() if found else None


def describe_character(char: str) -> str:
    name = unicodedata.name(char, "control character")
    return f"U+{ord(char):04X} ({name})"


# Plain scalars are read by the YAML 1.2 core schema, as editors' YAML language server reads
# them, not by PyYAML's YAML 1.1 rules: `yes`, `no`, `on` and `off` are text, only true and
# false are booleans; `1:30` and `1_000` are text; `017` is seventeen; dates stay text. So a
# file means the same in the editor and in drillbit (docs/bank-format.md).
_NULL = re.compile(r"^(?:~|null|Null|NULL)$")
_BOOL = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")
_INT = re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$")
_FLOAT = re.compile(
    r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
    r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
)
_CORE_BY_FIRST: dict[str, list[tuple[str, re.Pattern[str]]]] = {}
for _tag, _pattern, _firsts in (
    ("tag:yaml.org,2002:null", _NULL, "~nN"),
    ("tag:yaml.org,2002:bool", _BOOL, "tTfF"),
    ("tag:yaml.org,2002:int", _INT, "-+0123456789"),
    ("tag:yaml.org,2002:float", _FLOAT, "-+.0123456789"),
):
    for _first in _firsts:
        _CORE_BY_FIRST.setdefault(_first, []).append((_tag, _pattern))


def _resolve_plain(value: str) -> str:
    """The YAML 1.2 core schema's tag of a plain scalar, without a node object."""
    if not value:
        return "tag:yaml.org,2002:null"
    for tag, pattern in _CORE_BY_FIRST.get(value[0], ()):
        if pattern.match(value):
            return tag
    return STR_TAG


def _construct_core(tag: str, value: str) -> Any:
    """A plain scalar's value under the YAML 1.2 core schema."""
    if tag == "tag:yaml.org,2002:null":
        return None
    if tag == "tag:yaml.org,2002:bool":
        return value.lower() == "true"
    if tag == "tag:yaml.org,2002:int":
        if value.startswith("0o"):
            return int(value[2:], 8)
        return int(value, 16) if value.startswith("0x") else int(value, 10)
    lowered = value.lower()
    if lowered.endswith(".inf"):
        return float("-inf") if value.startswith("-") else float("inf")
    return float("nan") if lowered == ".nan" else float(value)


def _short_tag(tag: str) -> str:
    return tag.replace("tag:yaml.org,2002:", "!!", 1)


def _position(mark: Any) -> Position:
    return (mark.line + 1, mark.column + 1)


class _Builder:
    def __init__(self, source: str, watch: frozenset[str] = frozenset()) -> None:
        self.source = source
        self.tree = Tree()
        self.constructor = SafeConstructor()
        self.watch = watch
        self.watch_length = max(map(len, watch), default=-1)

    def problem(self, position: Position, message: str, path: Path | None = None) -> None:
        line, column = position
        self.tree.problems.append(Problem(self.source, line, column, message))
        if path is not None:
            self.tree.poisoned.add(path)

    def scalar(self, event: Any, path: Path, watch: bool = True) -> Any:
        value = event.value
        tag = event.tag
        if tag == "!":
            tag = STR_TAG
        elif tag is None:
            tag = _resolve_plain(value) if event.implicit[0] else STR_TAG
            if tag != STR_TAG:
                return _construct_core(tag, value)
        if tag == STR_TAG:
            if _FORBIDDEN.search(value):
                char = forbidden_character(value)
                self.problem(
                    _position(event.start_mark),
                    f"text contains the control character {describe_character(char or '?')};"
                    " only tab and newline are allowed",
                    path,
                )
            # Not a key, nor a value dropped with its duplicate or unusable key.
            if (
                watch
                and len(value) <= self.watch_length
                and value in self.watch
                and not any(isinstance(part, _Duplicate | _Unhashable) for part in path)
            ):
                self.tree.watched.append(path)
            return value
        if tag not in _KNOWN_TAGS:
            self.problem(
                _position(event.start_mark), f"the tag {_short_tag(tag)} is not allowed here", path
            )
            return None
        node = ScalarNode(tag, value, event.start_mark, event.end_mark)
        try:
            return self.constructor.construct_object(node)
        except (ConstructorError, ValueError) as error:
            self.problem(_position(event.start_mark), f"cannot read '{value}': {error}", path)
            return None

    def _key(
        self,
        event: Any,
        frame: list[Any],
        position: Position,
        container: dict[str, Any],
        base: Path,
    ) -> None:
        """A scalar key that is a duplicate or holds a forbidden character (the slow path)."""
        value = self.scalar(event, base, watch=False)
        self._place_key(
            value if isinstance(value, str) else event.value, frame, position, container, base
        )

    def _place_key(
        self, key: str, frame: list[Any], position: Position, container: dict[str, Any], base: Path
    ) -> None:
        """Make ``key`` the mapping's pending key, or report it as a duplicate."""
        if key in container:
            first_line, first_column = self.tree.keys[(*base, key)]
            self.problem(
                position,
                f"duplicate key '{key}' (first at line {first_line}, column"
                f" {first_column}); YAML would silently keep only the last one",
            )
            frame[2] = _Duplicate(key)
        else:
            frame[2] = key
            self.tree.keys[(*base, key)] = position

    def build(self, events: Any) -> None:
        """Turn a document's events into data, recording marks and problems on the way."""
        root: list[Any] = []
        # Each frame: (container, path, pending key or None, key position)
        stack: list[list[Any]] = [[root, (), None, None]]
        values, keys = self.tree.values, self.tree.keys
        scalar_event, alias_event = yaml.ScalarEvent, yaml.AliasEvent
        for event in events:
            kind = type(event)
            if kind is scalar_event and event.anchor is None and event.tag is None:
                # The fast path, for nearly every node of a bank: an untagged scalar.
                frame = stack[-1]
                container = frame[0]
                mark = event.start_mark
                position = (mark.line + 1, mark.column + 1)
                pending = frame[2]
                if pending is None and type(container) is dict:
                    path = frame[1]
                    value = event.value
                    if not isinstance(value, str):
                        value = str(value)
                    if value in container or _FORBIDDEN.search(value):
                        self._key(event, frame, position, container, path)
                        continue
                    frame[2] = value
                    keys[(*path, value)] = position
                    continue
                if type(container) is dict:
                    path = (*frame[1], pending)
                elif container is root:
                    path = ()
                else:
                    path = (*frame[1], len(container))
                value = self.scalar(event, path)
                values[path] = position
                if type(container) is dict:
                    if not isinstance(pending, _Duplicate | _Unhashable):
                        container[pending] = value
                    frame[2] = None
                else:
                    container.append(value)
                continue
            if kind in (yaml.StreamStartEvent, yaml.DocumentStartEvent):
                if kind is yaml.DocumentStartEvent and root:
                    self.problem(
                        _position(event.start_mark),
                        "a bank file holds one YAML document; remove the second '---'",
                    )
                    return
                continue
            if kind in (yaml.DocumentEndEvent, yaml.StreamEndEvent):
                continue
            frame = stack[-1]
            container, base = frame[0], frame[1]
            if kind in (yaml.MappingEndEvent, yaml.SequenceEndEvent):
                stack.pop()
                continue
            # Where does this node go, and is it a key?
            if isinstance(container, dict) and frame[2] is None:
                is_key = True
                path = base
            else:
                is_key = False
                if isinstance(container, dict):
                    path = (*base, frame[2])
                elif container is root:
                    path = ()
                else:
                    path = (*base, len(container))
            position = _position(event.start_mark)
            anchor = getattr(event, "anchor", None)
            if kind is alias_event:
                self.problem(
                    position,
                    f"aliases (*{event.anchor}) are not allowed in a bank; write the value out",
                    None if is_key else path,
                )
                value: Any = None
            else:
                if anchor is not None:
                    self.problem(
                        position,
                        f"anchors (&{anchor}) are not allowed in a bank; write the value out",
                    )
                if kind is yaml.ScalarEvent:
                    value = self.scalar(event, path)
                else:
                    tag = event.tag
                    if tag is not None and tag not in _KNOWN_TAGS and tag != "!":
                        self.problem(
                            position, f"the tag {_short_tag(tag)} is not allowed here", path
                        )
                    if len(stack) > MAX_DEPTH:
                        self.problem(position, f"nesting deeper than {MAX_DEPTH} levels")
                        return
                    value = {} if kind is yaml.MappingStartEvent else []
            if is_key:
                if isinstance(value, dict | list):
                    self.problem(position, "a key must be plain text, not a mapping or list")
                    stack.append([value, path, None, None])
                    frame[2] = _Unhashable()
                    continue
                if kind is yaml.AliasEvent:
                    frame[2] = _Unhashable()
                    continue
                key = value if isinstance(value, str) else event.value
                self._place_key(key, frame, position, container, base)
                continue
            values.setdefault(path, position)
            if isinstance(container, dict):
                pending = frame[2]
                if not isinstance(pending, _Duplicate | _Unhashable):
                    container[pending] = value
                frame[2] = None
            else:
                container.append(value)
            if isinstance(value, dict | list) and kind is not yaml.AliasEvent:
                stack.append([value, path, None, None])
        self.tree.data = root[0] if root else None


class _Duplicate(str):
    """A key already seen in the same mapping: its value is parsed, then dropped."""


class _Unhashable:
    """A key that is a collection: its value is parsed, then dropped."""


def parse(text: str, source: str, watch: frozenset[str] = frozenset()) -> Tree:
    """Parse ``text`` (named ``source`` in problems) into a :class:`Tree`, noting where a
    string value equals one of ``watch``."""
    builder = _Builder(source, watch)
    try:
        builder.build(yaml.parse(text, Loader=_Loader))
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        position = _position(mark) if mark else (1, 1)
        message = error.problem or "invalid YAML"
        if error.context:
            message = f"{message} ({error.context})"
        builder.problem(position, f"YAML syntax error: {message}")
        builder.tree.data = None
    except yaml.reader.ReaderError as error:
        before = text[: error.position]
        position = (before.count("\n") + 1, error.position - (before.rfind("\n") + 1) + 1)
        char = chr(error.character) if isinstance(error.character, int) else "?"
        builder.problem(
            position,
            f"text contains the control character {describe_character(char)};"
            " only tab and newline are allowed",
        )
        builder.tree.data = None
    except yaml.YAMLError as error:
        builder.problem((1, 1), f"YAML syntax error: {error}")
        builder.tree.data = None
    except RecursionError:
        builder.problem((1, 1), "the document is nested too deeply")
        builder.tree.data = None
    return builder.tree
