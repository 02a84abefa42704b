"""The command line, run as a subprocess: exit codes and output formats."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import FIXTURE_BANK, environ_for_subprocess


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
    assert "no such file or directory; no bank files found" in result.stderr
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
    assert result.returncode == 1
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


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["--bank", "stats", "practice", "-n", "1", "--mode", "new"],
        ["--db=history.sqlite3", "list", "--skill", "x", "--format", "json"],
        ["kit", "--ids", "a,b", "--out", "-"],
        ["show", "practice"],
        ["bank", "--brief"],
    ],
)
def test_a_parser_built_for_its_arguments_parses_them_as_the_whole_parser_does(
    argv: list[str],
) -> None:
    from app.cli import build_parser

    assert build_parser(argv).parse_args(argv) == build_parser().parse_args(argv)


def test_a_mistyped_command_still_lists_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    from app.cli import COMMANDS, main

    with pytest.raises(SystemExit) as exited:
        main(["--bank", "practice", "practise"])
    assert exited.value.code == 2
    error = capsys.readouterr().err
    assert "invalid choice: 'practise'" in error
    assert all(f"'{name}'" in error for name, *_ in COMMANDS)
