"""The bank from the command line (issue 15): empty banks, loops checked in context, unknown
names as usage errors with the valid ones, --loop with filters, the config file of banks."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import FIXTURE_BANK, REPO
from tests.test_cli import run


def test_validate_an_empty_directory_finds_no_bank_files(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "notes.txt").write_text("not a bank file")
    result = run(tmp_path, "validate", str(empty))
    assert result.returncode == 1
    assert result.stderr.startswith(f"drillbit: no bank files found in {empty}")
    assert result.stdout == ""


def test_validate_a_loops_file_alone_checks_it_against_the_banks(tmp_path: Path) -> None:
    result = run(tmp_path, "validate", str(REPO / "questions" / "loops.yaml"))
    assert "names the skill" not in result.stdout, result.stdout
    assert result.returncode == 0, result.stdout + result.stderr
    # A skill no bank defines is still an error, at its place.
    loops = tmp_path / "loops.yaml"
    loops.write_text(
        "loops:\n  - name: x\n    title: X\n    rounds:\n"
        "      - title: R\n        time: 30m\n        skills: [debuging]\n"
    )
    result = run(tmp_path, "validate", str(loops), "--bank", str(FIXTURE_BANK))
    assert result.returncode == 1
    assert f"{loops}:7:18: error: loop 'x' names the skill 'debuging'" in result.stdout


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["list", "--skill", "debuging"], "no skill 'debuging' (did you mean 'debugging'?)"),
        (["list", "--tag", "tcpp"], "no tag 'tcpp' (did you mean 'tcp'?)"),
        (["stats", "--skill", "nope"], "no skill 'nope'; the bank has: debugging, network"),
        (["practice", "--skill", "nope"], "no skill 'nope'; the bank has: debugging, network"),
        (["practice", "--tag", "nope"], "no tag 'nope'; the bank has: "),
        (["practice", "--loop", "mnii"], "no loop 'mnii' (did you mean 'mini'?); the bank has"),
        (["kit", "--loop", "nope", "--out", "-"], "no loop 'nope'; the bank has: mini"),
    ],
)
def test_unknown_names_are_usage_errors_with_the_valid_ones(
    tmp_path: Path, argv: list[str], message: str
) -> None:
    result = run(tmp_path, "--bank", str(FIXTURE_BANK), *argv)
    assert result.returncode == 2, result.stdout + result.stderr
    assert message in result.stderr
    assert len(result.stderr.splitlines()) == 1


def test_loop_with_filters_it_cannot_honour_is_a_usage_error(tmp_path: Path) -> None:
    for extra in (["--skill", "debugging"], ["--count", "3"], ["--difficulty", "hard"]):
        result = run(tmp_path, "--bank", str(FIXTURE_BANK), "practice", "--loop", "mini", *extra)
        assert result.returncode == 2
        assert "--loop plans its own rounds" in result.stderr
        assert extra[0] in result.stderr


def test_the_config_file_names_default_banks(tmp_path: Path) -> None:
    bank = tmp_path / "my-bank"
    shutil.copytree(FIXTURE_BANK, bank)
    config = tmp_path / "xdg-config" / "drillbit" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text('banks = ["../../my-bank"]\n')
    env = {"XDG_CONFIG_HOME": str(tmp_path / "xdg-config")}
    result = run(tmp_path, "validate", **env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "3 questions in 2 skills" in result.stdout
    config.write_text('banks = ["../../my-bank"]\nbundled = true\n')
    result = run(tmp_path, "list", "--skill", "apis", **env)
    assert result.returncode == 0, result.stderr
    config.write_text("banks = [\n")
    result = run(tmp_path, "list", **env)
    assert result.returncode == 1
    assert result.stderr.startswith(f"drillbit: {config}: not a valid TOML config file")
    assert "Traceback" not in result.stderr
