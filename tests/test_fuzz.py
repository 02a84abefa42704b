"""Fuzzing: banks that parse as YAML but break the schema, and damaged history exports.

Strategies build Python structures shaped like a bank file (or an export) with every field
liable to be wrong: the wrong type, missing, huge, odd unicode, control characters, deep
nesting, shared objects (which ``yaml.safe_dump`` writes as anchors and aliases). The dumped text
is then mutated at the text level (duplicated lines give duplicate keys; anchors, aliases, tags,
tabs, truncation). The properties:

- the loader never raises and never hangs; every problem is located (line and column >= 1);
- it is exact: no problem means an independent ``yaml.safe_load`` + pydantic check accepts the
  file, and a file that check rejects always gets a problem;
- no text with a control character ever reaches the bank;
- ``import_json`` only ever raises StoreError, leaves the database untouched when it refuses,
  and the database stays usable either way.
"""

from __future__ import annotations

import json
import math
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.bank.loader import load_bank, load_text
from app.bank.models import LoopsFile, SkillFile, as_data
from app.bank.validation import ValidationError, validate
from app.bank.yamltree import forbidden_character
from app.practice.session import history_for
from app.stats.report import stats_report
from app.store.db import Store, StoreError
from app.store.exchange import export_csv, export_json, import_json
from tests.conftest import FIXED_NOW, FIXTURE_BANK
from tests.test_store import rate_one

FIXTURE, _ = load_bank([FIXTURE_BANK])
FUZZ = settings(
    max_examples=150,
    deadline=2000,  # ms per example: a hang or a quadratic blow-up fails the test
    derandomize=True,  # the same examples on every run: deterministic CI
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """An independent reading of YAML 1.2's core schema (what drillbit and the editors' YAML
    language server read): the spec's tag resolution regexes, not drillbit's code."""

    yaml_implicit_resolvers: dict = {}

    def construct_core_int(self, node: Any) -> int:
        value = self.construct_scalar(node)
        if value.startswith("0o"):
            return int(value[2:], 8)
        return int(value, 16) if value.startswith("0x") else int(value, 10)


for _tag, _regex, _first in (
    ("null", r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""]),
    ("bool", r"^(?:true|True|TRUE|false|False|FALSE)$", list("tTfF")),
    ("int", r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$", list("-+0123456789")),
    (
        "float",
        r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$",
        list("-+.0123456789"),
    ),
):
    _Loader.add_implicit_resolver(f"tag:yaml.org,2002:{_tag}", re.compile(_regex), _first)
_Loader.add_constructor("tag:yaml.org,2002:int", _Loader.construct_core_int)
_Dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)  # safe_dump, at libyaml's speed


def safe_dump(document: Any, **options: Any) -> str:
    return yaml.dump(document, Dumper=_Dumper, **options)


# -- values ----------------------------------------------------------------------------------

ODD_CHARACTERS = [
    "\x00",
    "\x07",
    "\x1b",
    "\x1b]0;PWNED\x07",
    "\x1b[2J",
    "\x7f",
    "\x85",
    "\r",
    "\u2028",
    "\u202e",
    "\u2066",
    "\ufeff",
    "\u200b",
    "e\u0301",
    "😀",
    "𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
    "ﷺ",
    "[b]x[/b]",
    "[@click=app.quit]q[/]",
    "%",
    "*",
    "&",
    "!",
    ": ",
    " #",
    "'",
    '"',
    "\\",
    "\t",
    "\n",
]

odd_text = st.lists(
    st.sampled_from(ODD_CHARACTERS) | st.text(alphabet=st.characters(codec="utf-8"), max_size=5),
    max_size=8,
).map("".join)
huge_text = st.builds(
    lambda unit, count: unit * count,
    st.sampled_from(["a", "é", "😀", "[b]", "\x1b", "line\n"]),
    st.integers(5_000, 40_000),
)
text = st.text(max_size=20) | odd_text | huge_text | st.sampled_from(["", " ", "yes", "no", "~"])
scalars = (
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | text
)
keys = st.text(max_size=12) | odd_text | st.integers(-5, 5) | st.booleans() | st.none()
anything = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(keys, inner, max_size=3),
    max_leaves=8,
)


def _nested(depth: int) -> Any:
    value: Any = "bottom"
    for level in range(depth):
        value = [value] if level % 2 else {"k": value}
    return value


deep = st.integers(10, 120).map(_nested)
wrong = anything | deep

# -- questions and bank files ----------------------------------------------------------------

SLUG = st.from_regex(r"[a-z0-9]{1,8}(-[a-z0-9]{1,8}){0,2}", fullmatch=True)
words = st.text(alphabet="abcdefghij .,?`*_", min_size=1, max_size=30).filter(str.strip)
VALID: dict[str, st.SearchStrategy[Any]] = {
    "id": SLUG,
    "title": words,
    "difficulty": st.sampled_from(["easy", "medium", "hard"]),
    "time": st.sampled_from(["90s", "5m", "1h", "1h30m"]),
    "kind": st.sampled_from(["concept", "scenario", "design", "debugging", "quick-fire"]),
    "tags": st.lists(words, max_size=3),
    "prompt": words,
    "hints": st.lists(words, max_size=3),
    "answer": words,
    "rubric": st.lists(
        st.fixed_dictionaries({"point": words}, optional={"weight": st.integers(1, 10)}),
        max_size=3,
    ),
    "follow_ups": st.lists(words | st.fixed_dictionaries({"question": words}), max_size=2),
    "references": st.lists(words, max_size=2),
    "interviewer_notes": words,
    "red_flags": st.lists(words, max_size=2),
    # A fresh list each time: one object shared by two questions would dump as an alias.
    "choices": st.builds(lambda: [{"text": "a", "correct": True}, {"text": "b"}]),
}
REQUIRED = ("id", "title", "difficulty", "time", "prompt", "answer")


def _broken(draw: st.DrawFn) -> Any:
    """A value for a field chosen to be wrong: wrong type, odd or huge text, or deep."""
    return draw(st.sampled_from([anything, odd_text, huge_text, deep]).flatmap(lambda s: s))


MISSING = object()


@st.composite
def questions(draw: st.DrawFn) -> dict[Any, Any]:
    """A question with up to two fields broken (wrong, odd, huge or missing), else valid."""
    broken = draw(st.sets(st.sampled_from(sorted(VALID)), max_size=2))
    question: dict[Any, Any] = {}
    for name, valid in VALID.items():
        if name in broken:
            value = MISSING if draw(st.integers(0, 4)) == 0 else _broken(draw)
        elif name not in REQUIRED and draw(st.booleans()):
            value = MISSING  # optional fields are often left out
        else:
            value = draw(valid)
        if value is not MISSING:
            question[name] = value
    if draw(st.integers(0, 11)) == 0:
        question[draw(keys)] = draw(anything)  # an unknown key
    if draw(st.integers(0, 11)) == 0:
        # One object in two places: safe_dump writes an anchor and an alias.
        shared = draw(st.lists(words, min_size=1, max_size=2))
        question["tags"] = shared
        question["hints"] = shared
    return question


@st.composite
def bank_documents(draw: st.DrawFn) -> Any:
    if draw(st.integers(0, 11)) == 0:
        return draw(wrong)  # the top level itself is wrong
    header = ["skill", "title", "description", "questions"]
    broken = draw(st.sets(st.sampled_from(header), max_size=1))
    document: dict[Any, Any] = {}
    for name, valid in (
        ("skill", st.just("fuzz-skill")),
        ("title", words),
        ("description", words),
        ("questions", st.lists(questions(), max_size=4)),
    ):
        if name not in broken:
            document[name] = draw(valid)
        elif draw(st.integers(0, 3)):
            document[name] = _broken(draw)
    if draw(st.integers(0, 7)) == 0:
        document[draw(keys)] = draw(anything)
    return document


MUTATIONS = [
    "duplicate-line",
    "anchor",
    "alias",
    "tag",
    "tab",
    "truncate",
    "second-document",
    "bom",
    "raw-control",
    "deep-flow",
]


def _mutate(text: str, mutation: str, where: int) -> str:
    lines = text.split("\n")
    index = where % max(1, len(lines))
    line = lines[index]
    if mutation == "duplicate-line":
        lines.insert(index, line)
    elif mutation == "anchor":
        lines[index] = line.replace(": ", ": &anchor ", 1)
    elif mutation == "alias":
        lines[index] = line.replace(": ", ": *anchor ", 1) if ": " in line else line + " *anchor"
    elif mutation == "tag":
        lines[index] = line.replace(": ", ": !!python/object:os.system ", 1)
    elif mutation == "tab":
        lines[index] = "\t" + line
    elif mutation == "truncate":
        return text[: where % (len(text) + 1)]
    elif mutation == "second-document":
        lines.insert(index, "---")
    elif mutation == "bom":
        return "\ufeff" + text
    elif mutation == "raw-control":
        lines[index] = line[: where % (len(line) + 1)] + "\x1b" + line[where % (len(line) + 1) :]
    elif mutation == "deep-flow":
        depth = 50 + where % 5000
        lines.insert(index, "deep: " + "[" * depth + "]" * depth)
    return "\n".join(lines)


@st.composite
def bank_texts(draw: st.DrawFn) -> str:
    document = draw(bank_documents())
    text = safe_dump(
        document,
        allow_unicode=draw(st.booleans()),
        sort_keys=False,
        width=draw(st.sampled_from([40, 80, 10_000])),
        default_flow_style=draw(st.sampled_from([False, None])),
    )
    mutations = (
        draw(st.lists(st.sampled_from(MUTATIONS), max_size=2)) if draw(st.booleans()) else []
    )
    for mutation in mutations:
        text = _mutate(text, mutation, draw(st.integers(0, 10_000)))
    return text


# -- an independent check of a bank file -----------------------------------------------------


def _strings(value: Any) -> Iterator[str]:
    """Every string in a structure, keys included (iteratively: the structure may be deep)."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            yield item
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def independently_valid(text: str, model: type, stem: str | None) -> bool:
    """What PyYAML and pydantic alone say of the file (blind to aliases and duplicate keys)."""
    try:
        data = yaml.load(text.removeprefix("\ufeff"), Loader=_Loader)
    except (yaml.YAMLError, RecursionError):
        return False
    if any(forbidden_character(string) for string in _strings(data)):
        return False
    try:
        parsed = validate(model, data)
    except ValidationError:
        return False
    return stem is None or parsed.skill == stem


def check_located(loaded: Any, text: str, source: str) -> None:
    # A problem at the very end of a file without a final newline sits on the line after it.
    last_line = text.count("\n") + 2
    for problem in loaded.problems:
        assert problem.path == source
        assert isinstance(problem.line, int) and isinstance(problem.column, int)
        assert 1 <= problem.line <= last_line, (problem, last_line)
        assert problem.column >= 1, problem
        assert isinstance(problem.message, str) and problem.message.strip()


def check_nothing_dirty_loaded(loaded: Any) -> None:
    for question, (line, column) in loaded.questions:
        assert line >= 1 and column >= 1
        for string in _strings(as_data(question)):
            assert forbidden_character(string) is None, (question.id, string)


@FUZZ
@given(bank_texts())
def test_schema_breaking_banks_get_located_problems_never_a_traceback(text: str) -> None:
    source = "bank/fuzz-skill.yaml"
    loaded = load_text(text, Path(source))
    check_located(loaded, text, source)
    check_nothing_dirty_loaded(loaded)
    valid = independently_valid(text, SkillFile, "fuzz-skill")
    if not loaded.problems:
        # Clean means clean: an independent reading accepts it, and every question loaded.
        assert valid, text[:2000]
        data = yaml.load(text.removeprefix("\ufeff"), Loader=_Loader)
        assert loaded.header is not None
        assert len(loaded.questions) == len(data.get("questions") or [])
    if not valid:
        assert loaded.problems, text[:2000]


def test_a_question_with_an_escape_sequence_is_reported_and_left_out() -> None:
    """The example behind the property above: an OSC title sequence spelled with YAML escapes."""
    text = (
        "skill: fuzz-skill\ntitle: T\ndescription: D\nquestions:\n"
        '  - {id: bad, title: "x \\e]0;PWNED\\a", difficulty: easy, time: 1m, prompt: p, answer: a}\n'
        "  - {id: good, title: fine, difficulty: easy, time: 1m, prompt: p, answer: a}\n"
    )
    loaded = load_text(text, Path("bank/fuzz-skill.yaml"))
    assert [str(p) for p in loaded.problems] == [
        "bank/fuzz-skill.yaml:5:22: error: text contains the control character U+001B"
        " (control character); only tab and newline are allowed"
    ]
    assert [question.id for question, _ in loaded.questions] == ["good"]


loop_rounds = st.fixed_dictionaries(
    {"title": words | wrong, "time": st.sampled_from(["5m", "1h"]) | wrong},
    optional={
        "skills": st.lists(SLUG, max_size=2) | wrong,
        "count": st.integers(-3, 30) | wrong,
        "difficulty": st.sampled_from(["easy", "hard"]) | wrong,
    },
)
loops_documents = (
    st.fixed_dictionaries(
        {},
        optional={
            "loops": st.lists(
                st.fixed_dictionaries(
                    {"name": SLUG | wrong, "title": words | odd_text},
                    optional={"rounds": st.lists(loop_rounds, max_size=2) | wrong, "x": anything},
                ),
                max_size=3,
            )
            | wrong
        },
    )
    | wrong
)


@FUZZ
@given(loops_documents, st.lists(st.sampled_from(MUTATIONS), max_size=2), st.integers(0, 9999))
def test_schema_breaking_loops_files_get_located_problems(
    document: Any, mutations: list[str], where: int
) -> None:
    text = safe_dump(document, allow_unicode=True, sort_keys=False)
    for mutation in mutations:
        text = _mutate(text, mutation, where)
    source = "bank/loops.yaml"
    loaded = load_text(text, Path(source))
    check_located(loaded, text, source)
    valid = independently_valid(text, LoopsFile, None)
    if not loaded.problems:
        assert valid, text[:2000]
    if not valid:
        assert loaded.problems, text[:2000]
    for loop in loaded.loops:
        assert all(forbidden_character(s) is None for s in _strings(as_data(loop)))


@FUZZ
@given(st.binary(max_size=2000) | st.builds(str.encode, bank_texts()))
def test_any_bytes_on_disk_get_located_problems(tmp_path_factory, data: bytes) -> None:
    from app.bank.loader import load_file

    path = tmp_path_factory.getbasetemp() / "fuzz-skill.yaml"
    path.write_bytes(data)
    loaded = load_file(path)
    check_located(loaded, data.decode("utf-8", "replace"), str(path))
    check_nothing_dirty_loaded(loaded)


# -- drillbit import -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def valid_export(tmp_path_factory) -> dict[str, Any]:
    with Store(tmp_path_factory.mktemp("export") / "h.sqlite3") as store:
        rate_one(store, "q1")
        rate_one(store, "q2")
        session = store.start_session("mock", {"skills": ["x"]}, reschedule=False, now=FIXED_NOW)
        store.start_attempt(session, "q3", "s", "h", 60, now=FIXED_NOW)
        return json.loads(export_json(store, now=FIXED_NOW))


@pytest.fixture(scope="module")
def import_target(tmp_path_factory) -> Path:
    """A history with one rating: each example imports into a fresh copy of it."""
    path = tmp_path_factory.mktemp("import") / "template.sqlite3"
    with Store(path) as store:
        rate_one(store, "already-here")
    return path


@contextmanager
def fresh_store(template: Path) -> Iterator[Store]:
    copy = template.with_name("h.sqlite3")
    for stale in (copy, copy.with_name("h.sqlite3-wal"), copy.with_name("h.sqlite3-shm")):
        stale.unlink(missing_ok=True)
    shutil.copyfile(template, copy)
    with Store(copy) as store:
        yield store


JSON_ODD = st.sampled_from(
    [
        "\ud800",
        "\udfff",
        "\x00",
        "\x1b]0;x\x07",
        "2026-13-45T99:99:99.999999Z",
        "0000-00-00T00:00:00.000000Z",
        "9999-12-31T23:59:59.999999Z",
        "{}",
        "[]",
        "5",
        '"text"',
        "null",
        '{"due": "never"}',
        "[1, 2, 99999999999999999999999]",
        "x" * 1_000_001,
    ]
)
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**80), 2**80)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=10)
    | JSON_ODD,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=6,
)


ODD_INTS = st.sampled_from([-1, 0, 2**63 - 1, 2**63, -(2**63) - 1, 2**70, 10**30])
ODD_STRINGS = (
    JSON_ODD
    | st.text(max_size=10)
    | st.from_regex(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z", fullmatch=True)
)
field_values = json_values | ODD_INTS | ODD_STRINGS
CARD = {
    "card_id": 1,
    "state": 2,
    "step": None,
    "stability": 3.2,
    "difficulty": 5.1,
    "due": "2026-03-04T09:30:00+00:00",
    "last_review": "2026-03-02T09:30:00+00:00",
}
JSON_SHAPED = st.sampled_from(
    ["5", "{}", "[]", '"x"', "null", "[-1]", "[1.5]", "[true]", '{"a": [1]}', "[[]]"]
) | st.builds(
    lambda key, value: json.dumps({**CARD, key: value}),
    st.sampled_from(sorted(CARD)),
    st.sampled_from([None, "x", -1, 0, 1e308, "2026-03-04T09:30:00", [], 9]),
)
ODD_FLOATS = st.sampled_from([math.nan, math.inf, -math.inf, -0.0, 1.0000001, -1e-300, 2.0])


@st.composite
def one_field_damaged(draw: st.DrawFn, valid: dict[str, Any]) -> str:
    """Exactly one field of one row (or of the top level) holds a wrong value of its own type."""
    document = json.loads(json.dumps(valid))
    fields = [(None, key) for key in document] + [
        (table, key) for table in ("sessions", "attempts", "cards") for key in document[table][0]
    ]
    table, key = draw(st.sampled_from(fields))
    target = document if table is None else draw(st.sampled_from(document[table]))
    pools = {int: ODD_INTS, str: ODD_STRINGS | JSON_SHAPED, float: ODD_FLOATS}
    typed = pools.get(type(target[key]))
    if typed is not None and draw(st.integers(0, 3)):
        target[key] = draw(typed)
    else:
        target[key] = draw(field_values)
    return json.dumps(document, allow_nan=True, ensure_ascii=draw(st.booleans()))


@st.composite
def damaged_exports(draw: st.DrawFn, valid: dict[str, Any]) -> str:
    """A valid export with 1-3 fields, rows or tables damaged, then perhaps the text itself."""
    document = json.loads(json.dumps(valid))
    for _ in range(draw(st.integers(1, 3))):
        table = draw(st.sampled_from(["sessions", "attempts", "attempts", "cards", None]))
        rows = document.get(table) if table else None
        action = draw(st.sampled_from(["replace", "replace", "replace", "delete", "extra", "copy"]))
        if isinstance(rows, list) and rows and action == "copy":
            rows.append(json.loads(json.dumps(draw(st.sampled_from(rows)))))
            continue
        target = document
        if isinstance(rows, list) and rows:
            row = draw(st.sampled_from(rows))
            target = row if isinstance(row, dict) else document
        if action == "extra" or not target:
            target[draw(st.text(max_size=8))] = draw(field_values)
        elif action == "delete":
            del target[draw(st.sampled_from(sorted(target, key=str)))]
        else:
            key = draw(st.sampled_from(sorted(target, key=str)))
            # Half the time a value of the field's own type, but out of range or ill-formed.
            same_type = {int: ODD_INTS, str: ODD_STRINGS}.get(type(target[key]))
            use_it = same_type is not None and draw(st.booleans())
            target[key] = draw(same_type if use_it else field_values)
    text = json.dumps(document, allow_nan=True, ensure_ascii=draw(st.booleans()))
    damage = draw(st.sampled_from(["none"] * 12 + ["truncate", "deep", "1e400"]))
    if damage == "truncate":
        text = text[: draw(st.integers(1, len(text) - 1))]
    elif damage == "deep":
        text = "[" * 100_000 + "]" * 100_000
    elif damage == "1e400":
        text = text.replace('"id": ', '"id": 1e400, "x": ', 1)
    return text


def _snapshot(store: Store) -> tuple[Any, ...]:
    rows = store.export_rows()
    return (json.dumps(rows, sort_keys=True, default=str),)


def _check_usable(store: Store) -> None:
    """What drillbit reads back from the history: lists, the planner's view, stats, exports."""
    store.attempts(rated_only=False)
    store.cards()
    store.coverage_by_question()
    store.seen_ids()
    history_for(store, FIXED_NOW)
    store.current_streak(FIXED_NOW.date())
    stats_report(FIXTURE, store)
    json.loads(stats_report(FIXTURE, store, as_json=True))
    export_csv(store)
    json.loads(export_json(store, now=FIXED_NOW))
    assert store.connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def _import_and_check(template: Path, text: str) -> None:
    with fresh_store(template) as store:
        before = _snapshot(store)
        try:
            sessions, attempts = import_json(store, text)
        except StoreError as error:
            assert str(error).strip()
            assert _snapshot(store) == before  # a refused import changes nothing
        else:
            assert sessions >= 0 and attempts >= 0
            # Importing the same file again adds nothing (merge by uuid).
            assert import_json(store, text) == (0, 0)
        _check_usable(store)


@pytest.mark.usefixtures("time_zone")
def test_import_fuzz(valid_export, import_target) -> None:
    """``drillbit import`` of a damaged export: a StoreError or a clean merge, nothing else."""

    @FUZZ
    @given(damaged_exports(valid_export))
    def run(text: str) -> None:
        _import_and_check(import_target, text)

    run()


@pytest.mark.usefixtures("time_zone")
def test_import_fuzz_one_field_at_a_time(valid_export, import_target) -> None:
    """Each field of each table, alone, out of range or ill-formed for its type."""

    @FUZZ
    @given(one_field_damaged(valid_export))
    def run(text: str) -> None:
        _import_and_check(import_target, text)

    run()


@pytest.mark.usefixtures("time_zone")
def test_import_fuzz_round_trips_the_valid_export(valid_export, tmp_path) -> None:
    with Store(tmp_path / "h.sqlite3") as store:
        assert import_json(store, json.dumps(valid_export)) == (3, 3)
        _check_usable(store)
        assert [a.question_id for a in store.attempts()] == ["q1", "q2"]
