"""``drillbit run`` and ``drillbit doctor``: exit codes, per-test output and the trust question."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest

from app.cli import main
from app.coding import trust
from app.paths import bundled_bank
from tests.coding_support import shared_go_cache  # noqa: F401 (an autouse fixture)
from tests.conftest import FIXTURE_BANK

CODING_BANK = Path(__file__).parent / "fixtures" / "coding"
EXERCISE = "ps-code-parse-port"


class Terminal(io.StringIO):
    """Standard input as a terminal with ``answer`` typed."""

    def isatty(self) -> bool:
        return True


@pytest.fixture
def bank(tmp_path: Path) -> Path:
    """A copy of the coding fixture bank: a bank that is not the bundled one."""
    copy = tmp_path / "coding-bank"
    shutil.copytree(CODING_BANK, copy, ignore=shutil.ignore_patterns("hostile"))
    return copy


def drillbit(bank: Path, *args: str) -> int:
    return main(["--bank", str(bank), *args])


def test_solution_passes_and_exits_zero(bank: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert drillbit(bank, "run", EXERCISE, "--solution", "--trust") == 0
    lines = capsys.readouterr().out.splitlines()
    assert "  PASS  test_rejects_zero" in lines
    assert lines[-1].startswith(f"{EXERCISE} (python): all 5 tests passed")


def test_starter_fails_and_exits_one(bank: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert drillbit(bank, "run", EXERCISE, "--starter", "--trust") == 1
    output = capsys.readouterr().out
    assert "  ERROR test_parses_a_plain_port\n      NotImplementedError" in output
    assert "0 of 5 tests passed" in output


def test_a_file_of_code_is_run_in_the_language_of_its_suffix(
    bank: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    attempt = tmp_path / "attempt.py"
    attempt.write_text("def parse_port(text):\n    return int(text)\n", encoding="utf-8")
    assert drillbit(bank, "run", EXERCISE, str(attempt), "--trust") == 1
    output = capsys.readouterr().out
    assert "  PASS  test_parses_a_plain_port" in output
    assert "  FAIL  test_rejects_zero\n      AssertionError: ValueError not raised" in output
    assert "3 of 5 tests passed" in output
    go_attempt = tmp_path / "attempt.go"
    go_attempt.write_text("package solution\n", encoding="utf-8")
    assert drillbit(bank, "run", EXERCISE, str(go_attempt), "--lang", "python", "--trust") == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["run", "ps-code-parse-prot", "--solution"], "did you mean 'ps-code-parse-port'"),
        (["run", EXERCISE], "give the code to run"),
        (["run", EXERCISE, "missing.py"], "missing.py: cannot read"),
        (["run", EXERCISE, "x.py", "--solution"], "not both"),
    ],
)
def test_usage_errors_exit_two(
    bank: Path, args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert drillbit(bank, *args, "--trust") == 2
    assert message in capsys.readouterr().err


def test_a_question_that_is_not_an_exercise_is_a_usage_error(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert drillbit(FIXTURE_BANK, "run", "net-tcp-handshake", "--solution") == 2
    assert "not a coding exercise" in capsys.readouterr().err


def test_an_untrusted_bank_is_not_run_without_a_terminal(
    bank: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    assert drillbit(bank, "run", EXERCISE, "--solution") == 2
    assert f"the bank at {bank} is not trusted" in capsys.readouterr().err


def test_the_trust_answer_is_asked_once_per_bank_contents(
    bank: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("sys.stdin", Terminal("y\n"))
    assert drillbit(bank, "run", EXERCISE, "--solution") == 0
    assert str(bank) in capsys.readouterr().err
    monkeypatch.setattr("sys.stdin", io.StringIO(""))  # no terminal: the answer is remembered
    assert drillbit(bank, "run", EXERCISE, "--solution") == 0
    path = bank / "problem-solving.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    assert trust.decision(bank) is None  # changed contents: ask again
    assert drillbit(bank, "run", EXERCISE, "--solution") == 2


def test_a_no_is_remembered_too(
    bank: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("sys.stdin", Terminal("n\n"))
    assert drillbit(bank, "run", EXERCISE, "--solution") == 1
    assert "not run" in capsys.readouterr().err
    assert trust.decision(bank) is False
    assert drillbit(bank, "run", EXERCISE, "--solution") == 1
    assert "chose not to run code" in capsys.readouterr().err
    assert drillbit(bank, "run", EXERCISE, "--solution", "--trust") == 0


def test_the_bundled_bank_is_trusted() -> None:
    assert trust.decision(bundled_bank()) is True


def test_doctor_lists_the_toolchains(bank: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert drillbit(bank, "doctor") == 0
    output = capsys.readouterr().out
    assert "python    Python 3." in output
    assert "1 coding exercise(s) in python" in output
    assert "go" in output and "rust" in output
    assert "sandbox:" in output


def test_show_gives_the_starter_and_with_the_answer_the_solution(
    bank: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert drillbit(bank, "show", EXERCISE) == 0
    shown = capsys.readouterr().out
    assert "raise NotImplementedError" in shown and "unimplemented!()" in shown
    assert "drillbit run ps-code-parse-port FILE" in shown
    assert drillbit(bank, "show", EXERCISE, "--with-answer") == 0
    shown = capsys.readouterr().out
    assert "s.parse::<u16>()" in shown and "raise NotImplementedError" not in shown
