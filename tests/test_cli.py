"""The command line, run as a subprocess: exit codes and output formats."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import FIXTURE_BANK, REPO, environ_for_subprocess


def run(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app", *args],
        capture_output=True,
        text=True,
        env=environ_for_subprocess(tmp_path, **env),
        cwd=tmp_path,
        timeout=60,
    )


def test_validate_clean_bank_exits_zero(tmp_path: Path) -> None:
    result = run(tmp_path, "validate", str(FIXTURE_BANK))
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip().endswith("0 error(s)")
    assert "3 questions in 2 skills" in result.stdout


def test_validate_bad_file_prints_located_errors(tmp_path: Path) -> None:
    bad = tmp_path / "apis.yaml"
    bad.write_text("skill: apis\ntitle: APIs\ndescription: x\nquestions:\n  - id: Bad Id\n")
    result = run(tmp_path, "validate", str(bad))
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert f"{bad}:5:9: error: id must be a slug" in lines[0]
    assert lines[-1].startswith("FAILED: ")
    assert "Traceback" not in result.stdout + result.stderr


def test_validate_missing_path_finds_no_bank_files(tmp_path: Path) -> None:
    result = run(tmp_path, "validate", str(tmp_path / "nope"))
    assert result.returncode == 1
    assert "no bank files found: no such directory or file" in result.stderr
    assert "Traceback" not in result.stderr


def test_unknown_option_is_a_usage_error(tmp_path: Path) -> None:
    assert run(tmp_path, "validate", "--nope").returncode == 2


def test_bank_env_variable_selects_the_bank(tmp_path: Path) -> None:
    result = run(tmp_path, "list", "--format", "json", DRILLBIT_BANK=str(FIXTURE_BANK))
    assert result.returncode == 0, result.stderr
    ids = {item["id"] for item in json.loads(result.stdout)}
    assert ids == {"net-tcp-handshake", "net-quick-port", "dbg-markup"}


def test_list_json_is_full_question_objects_with_skill(tmp_path: Path) -> None:
    result = run(
        tmp_path,
        "--bank",
        str(FIXTURE_BANK),
        "list",
        "--format",
        "json",
        "--skill",
        "network-protocols",
    )
    items = json.loads(result.stdout)
    assert [item["id"] for item in items] == ["net-tcp-handshake", "net-quick-port"]
    first = items[0]
    assert first["skill"] == "network-protocols"
    assert first["rubric"][0] == {"point": "Names SYN, SYN-ACK and ACK in order", "weight": 2}
    assert first["follow_ups"][1]["answer"].startswith("The server encodes")


def test_list_table_filters_by_difficulty_and_tag(tmp_path: Path) -> None:
    result = run(
        tmp_path, "list", "--bank", str(FIXTURE_BANK), "--difficulty", "easy", "--tag", "tcp"
    )
    assert result.returncode == 0
    assert "net-tcp-handshake" in result.stdout and "net-quick-port" not in result.stdout
    assert result.stdout.strip().endswith("1 question(s)")


def test_show_renders_markup_literally(tmp_path: Path) -> None:
    result = run(
        tmp_path, "--bank", str(FIXTURE_BANK), "show", "dbg-markup", "--with-answer", COLUMNS="120"
    )
    assert result.returncode == 0, result.stderr
    assert "[b]Not bold[/b] and list[int]" in result.stdout
    assert "[@click=app.quit]quit[/]" in result.stdout
    assert "Model answer" in result.stdout


def test_show_without_answer_hides_it(tmp_path: Path) -> None:
    result = run(tmp_path, "--bank", str(FIXTURE_BANK), "show", "net-tcp-handshake")
    assert "three-way handshake" in result.stdout
    assert "Model answer" not in result.stdout and "Easy warm-up" not in result.stdout


def test_show_unknown_id_suggests(tmp_path: Path) -> None:
    result = run(tmp_path, "--bank", str(FIXTURE_BANK), "show", "net-tcp-handshak")
    assert result.returncode == 2
    assert "did you mean 'net-tcp-handshake'?" in result.stderr


def test_schema_prints_json_schema(tmp_path: Path) -> None:
    schema = json.loads(run(tmp_path, "schema").stdout)
    assert "Question" in schema["$defs"]


def test_version_and_help(tmp_path: Path) -> None:
    from app import __version__

    assert run(tmp_path, "--version").stdout.strip() == f"drillbit {__version__}"
    help_text = run(tmp_path, "--help").stdout
    for command in ("validate", "schema", "list", "show"):
        assert command in help_text
        assert run(tmp_path, command, "--help").returncode == 0


def test_tui_commands_refuse_a_non_terminal(tmp_path: Path) -> None:
    for args in ([], ["practice", "-n", "1"]):
        result = run(
            tmp_path, "--bank", str(FIXTURE_BANK), "--db", str(tmp_path / "h.sqlite3"), *args
        )
        assert result.returncode == 1
        assert result.stderr.count("\n") == 1 and "needs a terminal" in result.stderr
        assert result.stdout == ""


def test_practice_rejects_a_bad_time(tmp_path: Path) -> None:
    result = run(tmp_path, "practice", "--time", "soon")
    assert result.returncode == 2 and "not a duration" in result.stderr


def _outcome(parser_argv: list[str] | None, argv: list[str]) -> tuple[object, ...]:
    """What parsing ``argv`` gives: the namespace, or the exit status and both outputs."""
    import contextlib
    import io

    from app.cli import build_parser

    stdout, stderr = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        try:
            return ("parsed", vars(build_parser(parser_argv).parse_args(argv)))
        except SystemExit as exited:
            return ("exit", exited.code, stdout.getvalue(), stderr.getvalue())


AGREEING_ARGV = [
    [],
    ["--bank", "stats", "practice", "-n", "1", "--mode", "new"],
    ["--db=history.sqlite3", "list", "--skill", "x", "--format", "json"],
    ["kit", "--ids", "a,b", "--out", "-"],
    ["show", "practice"],
    ["bank", "--brief"],
    ["--ba", "stats", "list"],
    ["--bank=x", "--d", "y", "list"],
    ["-1", "list"],
    ["--version", "list"],
    ["--", "list"],
    ["--bank", "-x", "list"],
    ["list", "--form", "json"],
    ["practice", "--mode", "wekest"],
]


@pytest.mark.parametrize("argv", AGREEING_ARGV)
def test_a_parser_built_for_its_arguments_parses_them_as_the_whole_parser_does(
    argv: list[str],
) -> None:
    assert _outcome(argv, argv) == _outcome(None, argv)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                *("--bank", "--ba", "--db", "--d", "--bank=b", "--db=d", "--version", "--"),
                *("-h", "-1", "-n", "3", "x", "list", "stats", "practice", "kit", "show"),
                *("--skill", "--format", "json", "--mode", "new", "--out", "-", "--ids"),
            ]
        ),
        max_size=6,
    )
)
def test_any_arguments_parse_the_same_with_the_parser_built_for_them(argv: list[str]) -> None:
    assert _outcome(argv, argv) == _outcome(None, argv)


def test_abbreviated_options_are_refused_in_one_line(tmp_path: Path) -> None:
    """``--ba`` once meant --bank to argparse and a different command to the fast path."""
    for argv in (["--ba", str(FIXTURE_BANK), "list"], ["list", "--form", "json"]):
        result = run(tmp_path, *argv)
        assert result.returncode == 2
        assert result.stderr.startswith("drillbit: ") and "--help)" in result.stderr
        assert result.stderr.count("\n") == 1 and result.stdout == ""


def test_usage_errors_are_one_line_with_a_suggestion(tmp_path: Path) -> None:
    result = run(tmp_path, "practice", "--mode", "wekest")
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith("drillbit: argument --mode: invalid choice: 'wekest'")
    assert "(did you mean 'weakest'?)" in result.stderr
    assert result.stderr.rstrip().endswith("(see drillbit practice --help)")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["list", "--skill", "debuging"], "no skill 'debuging' (did you mean 'debugging'?)"),
        (["stats", "--skill", "nope"], "no skill 'nope'; the bank has: debugging,"),
        (["show", "nope"], "no question with id 'nope'"),
        (["kit", "--loop", "maxi", "--out", "-"], "no loop 'maxi'"),
        (["calibrate", "--skill", "nope"], "no skill 'nope'"),
        (["export", "--out", "/nonexistent-dir/x.json"], "cannot write"),
        (["kit", "--ids", "dbg-markup", "--out", "/nonexistent-dir/kit.md"], "cannot write"),
    ],
)
def test_unknown_names_and_unwritable_outputs_are_usage_errors(
    tmp_path: Path, argv: list[str], message: str
) -> None:
    result = run(tmp_path, "--bank", str(FIXTURE_BANK), "--db", str(tmp_path / "h.db"), *argv)
    assert result.returncode == 2, result.stderr
    assert result.stderr.count("\n") == 1 and message in result.stderr
    assert "Traceback" not in result.stderr


def test_the_lists_of_choices_are_the_models(capsys: pytest.CaptureFixture[str]) -> None:
    from app.bank.models import DIFFICULTIES, KINDS
    from app.cli import build_parser
    from app.practice.planner import MODES

    parser = build_parser()
    choices = {
        (command, action.dest): tuple(action.choices)
        for command, child in parser._subparsers._group_actions[0].choices.items()  # type: ignore[union-attr]
        for action in child._actions
        if action.choices
    }
    assert choices[("practice", "mode")] == MODES
    assert choices[("list", "difficulty")] == choices[("practice", "difficulty")] == DIFFICULTIES
    assert choices[("new", "difficulty")] == DIFFICULTIES and choices[("new", "kind")] == KINDS


def test_only_the_cli_imports_the_cli() -> None:
    """The CLI is a leaf: no other module imports it (app.authoring once did, and was imported
    back), so it can change without touching the core."""
    import ast

    offenders = []
    for path in (REPO / "app").rglob("*.py"):
        if "cli" in path.relative_to(REPO / "app").parts[:1] or path.name == "__main__.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = (
                [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else [alias.name for alias in node.names]
                if isinstance(node, ast.Import)
                else []
            )
            offenders += [
                f"{path}: {name}" for name in names if name.split(".")[:2] == ["app", "cli"]
            ]
    assert offenders == []


def test_the_cli_package_runs_as_a_module(tmp_path: Path) -> None:
    from app import __version__

    result = subprocess.run(
        [sys.executable, "-m", "app.cli", "--version"],
        capture_output=True,
        text=True,
        cwd=REPO,
        env=environ_for_subprocess(tmp_path),
        timeout=60,
    )
    assert result.stdout.strip() == f"drillbit {__version__}"


def test_a_mistyped_command_still_lists_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    from app.cli import COMMANDS, main

    with pytest.raises(SystemExit) as exited:
        main(["--bank", "practice", "practise"])
    assert exited.value.code == 2
    error = capsys.readouterr().err
    assert "invalid choice: 'practise'" in error and "did you mean 'practice'?" in error
    assert all(f"'{name}'" in error for name, *_ in COMMANDS)


HOSTILE = "\x1b]0;pwned\x07\x1b[2J\x9b31m\u202e"


def test_validate_escapes_a_hostile_file_name_and_keeps_one_line_per_problem(
    tmp_path: Path,
) -> None:
    directory = tmp_path / "bank"
    directory.mkdir()
    bad = directory / f"x{HOSTILE}\nevil:1:1: error: forged.yaml"
    bad.write_text("skill: apis\ntitle: APIs\ndescription: x\nquestions:\n  - id: Bad Id\n")
    result = run(tmp_path, "validate", str(directory))
    assert result.returncode == 1
    for stream in (result.stdout, result.stderr):
        assert not set(stream) & set("\x1b\x07\x9b\u202e")
    *problems, summary = result.stdout.splitlines()
    assert summary.startswith("FAILED: ") and len(problems) > 1
    shown = (
        f"{directory}/x\\x1b]0;pwned\\x07\\x1b[2J\\x9b31m\\u202e\\nevil:1:1: error: forged.yaml:"
    )
    assert all(line.startswith(shown) for line in problems), problems


def test_imported_values_reach_the_terminal_escaped(tmp_path: Path) -> None:
    """A hostile question id in an import shows escaped in stats; JSON stays the same JSON."""
    from app.practice.scheduler import Grade
    from app.store.db import Store
    from tests.test_store import rate_one

    source = tmp_path / "source.sqlite3"
    with Store(source) as store:
        rate_one(store, "q1", Grade.GOOD)
    exported = run(tmp_path, "--db", str(source), "export").stdout
    document = json.loads(exported)
    document["attempts"][0]["question_id"] = f"q{HOSTILE}\nx"
    export = tmp_path / "hostile.json"
    export.write_text(json.dumps(document), encoding="utf-8")
    db = ["--bank", str(FIXTURE_BANK), "--db", str(tmp_path / "h.sqlite3")]
    assert run(tmp_path, *db, "import", str(export)).returncode == 0
    stats = run(tmp_path, *db, "stats")
    assert stats.returncode == 0, stats.stderr
    assert not set(stats.stdout) & set("\x1b\x07\x9b\u202e")
    assert "q\\x1b]0;pwned" in stats.stdout
    export_again = run(tmp_path, *db, "export")
    assert not set(export_again.stdout) & set("\x1b\x07\x9b\u202e")
    attempts = json.loads(export_again.stdout)["attempts"]
    assert attempts[0]["question_id"] == f"q{HOSTILE}\nx"


LONG_NAME = "a" * 256


# Each command with the options it reads paths from ("--bank", "--db", or its own arguments).
LONG_NAME_CASES = [
    (["list"], "--bank"),
    (["bank"], "--bank"),
    (["validate"], "--bank"),
    (["stats"], "--bank"),
    (["stats"], "--db"),
    (["export"], "--db"),
    (["import", "-"], "--db"),
    (["calibrate"], "--db"),
    (["practice", "-n", "1"], "--bank"),
    (["practice", "-n", "1"], "--db"),
    ([], "--bank"),
    ([], "--db"),
    (["kit", "--ids", "dbg-markup", "--out", f"{LONG_NAME}/kit.md"], None),
    (["export-anki", "--out", f"{LONG_NAME}.apkg"], None),
    (["export", "--out", f"{LONG_NAME}.json"], None),
    (["validate", LONG_NAME], None),
    (["import", LONG_NAME], None),
]


@pytest.mark.parametrize(("argv", "option"), LONG_NAME_CASES)
def test_a_name_over_255_bytes_is_one_line(
    tmp_path: Path, option: str | None, argv: list[str]
) -> None:
    paths = {"--bank": str(FIXTURE_BANK), "--db": str(tmp_path / "h.sqlite3")}
    if option is not None:
        paths[option] = str(tmp_path / LONG_NAME / "x")
    options = [part for pair in paths.items() for part in pair]
    result = subprocess.run(
        [sys.executable, "-m", "app", *options, *argv],
        capture_output=True,
        text=True,
        env=environ_for_subprocess(tmp_path),
        cwd=tmp_path,
        input="",
        timeout=60,
    )
    assert result.returncode == 2, result.stderr
    assert result.stderr.count("\n") == 1 and "is longer than 255 bytes" in result.stderr


@pytest.mark.parametrize("argv", [["stats"], ["export"], ["import", "-"], ["practice"], []])
def test_a_history_that_is_not_a_file_is_one_line(tmp_path: Path, argv: list[str]) -> None:
    """--db /dev/null once said 'the disk is full'; a FIFO hung."""
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    for db, kind in (
        ("/dev/null", "not a regular file"),
        (fifo, "not a regular file"),
        (tmp_path, "a directory"),
    ):
        result = run(tmp_path, "--bank", str(FIXTURE_BANK), "--db", str(db), *argv)
        assert result.returncode == 2, result.stderr
        assert result.stderr == f"drillbit: {db}: {kind}; the history must be a database file\n"


def test_import_of_a_device_or_a_fifo_is_one_line(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    db = ["--db", str(tmp_path / "h.sqlite3")]
    for source in ("/dev/zero", str(fifo), str(tmp_path)):
        result = run(tmp_path, *db, "import", source)
        assert result.returncode == 2, result.stderr
        assert result.stderr == f"drillbit: {source}: not a regular file\n"


def test_import_reads_a_bounded_amount(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A huge sparse file is refused after reading the limit, not read whole."""
    from app.cli import history

    monkeypatch.setattr(history, "MAX_IMPORT_BYTES", 2**20)
    sparse = tmp_path / "sparse.json"
    with sparse.open("wb") as handle:
        handle.truncate(3 * 2**30)
    from app.cli import main

    assert main(["--db", str(tmp_path / "h.sqlite3"), "import", str(sparse)]) == 1


def test_a_bank_that_is_a_fifo_or_a_device_is_one_line(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    for argv in (
        ["--bank", str(fifo), "list"],
        ["validate", str(fifo)],
        ["--bank", "/dev/zero", "practice"],
    ):
        result = run(tmp_path, "--db", str(tmp_path / "h.sqlite3"), *argv)
        assert result.returncode == 1, result.stderr
        assert result.stderr.endswith(": not a bank directory or file\n")


def test_ctrl_c_ends_a_command_waiting_for_input(tmp_path: Path) -> None:
    """SIGINT (Ctrl+C) while import waits on a pipe that never ends: one line, status 130."""
    import signal

    process = subprocess.Popen(
        [sys.executable, "-m", "app", "--db", str(tmp_path / "h.sqlite3"), "import", "-"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=environ_for_subprocess(tmp_path),
        # A shell's background jobs ignore SIGINT; a terminal's foreground job does not.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    assert process.stdin is not None
    # Four times a pipe's buffer: once written, drillbit is reading, its handlers installed.
    process.stdin.write("[" * 2**18)
    process.stdin.flush()
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=10)
    assert process.returncode == 130
    assert stderr == "drillbit: interrupted\n"


def _damaged_copies(tmp_path: Path) -> list[Path]:
    """A history of 400 rated attempts, then copies with one page scribbled over at a time."""
    import random
    import sqlite3

    from app.store.db import Store
    from tests.conftest import FIXED_NOW

    path = tmp_path / "history.sqlite3"
    with Store(path) as store:
        session = store.start_session("auto", now=FIXED_NOW)
        for number in range(400):
            attempt = store.start_attempt(session, f"q{number % 50}", "debugging", "h", 60)
            store.rate(
                attempt,
                rating=3,
                answer="x" * 300,
                time_spent_ms=1000,
                hints_used=0,
                rubric_ticked=[],
                rubric_coverage=0.5,
                auto_grade=None,
                review=None,
                now=FIXED_NOW,
            )
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        pages = db.execute("PRAGMA page_count").fetchone()[0]
    copies = []
    for page in range(2, pages, 3):
        for offset in (0, 8, 1000):
            copy = tmp_path / f"damaged-{page}-{offset}.sqlite3"
            data = bytearray(path.read_bytes())
            start = (page - 1) * 4096 + offset
            data[start : start + 64] = random.Random(page * 7 + offset).randbytes(64)
            copy.write_bytes(bytes(data))
            copies.append(copy)
    return copies


def test_stats_and_export_on_a_damaged_history_are_one_line(tmp_path: Path, capsys) -> None:
    """Issue 17 item 9: a damaged page under stats or export is one line and status 1."""
    from app.cli import main

    failures = 0
    for copy in _damaged_copies(tmp_path):
        for command in (["stats"], ["export", "--out", str(tmp_path / "out.json")]):
            code = main(["--bank", str(FIXTURE_BANK), "--db", str(copy), *command])
            captured = capsys.readouterr()
            assert code in (0, 1), (copy.name, command)
            if code == 1:
                failures += 1
                assert captured.err.count("\n") == 1, captured.err
                assert captured.err.startswith("drillbit: ")
    assert failures  # the damage was found, at least somewhere


def test_tables_line_up_by_display_width() -> None:
    """Issue 17 item 19: CJK and emoji titles take two columns a character in a terminal."""
    from app.textfmt import display_width, table

    lines = table(("skill", "n"), [("網路協定", 3), ("dns", 4), ("🔐 keys", 5)])
    assert display_width("網路協定") == 8 and display_width("🔐") == 2
    assert {display_width(line[: line.rindex(" ") + 1]) for line in (lines[2], lines[3])} == {10}
    assert lines[2].endswith("3") and lines[4].endswith("5")
