"""calibrate --team and stats --team: the server's aggregates over a team of candidates."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

from app.authoring.calibrate import QuestionFacts
from app.cli import main
from app.store.db import Store
from app.team import report, server
from app.team.sync import sync
from tests.conftest import FIXTURE_BANK
from tests.pgserver import Database, pg_cluster, pg_database, unique_role
from tests.test_team import T0, practise

__all__ = ["pg_cluster", "pg_database"]

ABILITIES = (0.1, 0.3, 0.5, 0.7, 0.9, 0.95)


def facts(question_id: str) -> QuestionFacts:
    return QuestionFacts(question_id, "networking", question_id, 300, ("a", "b"), "hash")


@pytest.fixture
def team_server(pg_database: Database, tmp_path: Path) -> str:
    """Six candidates of known ability; returns an interviewer's URL."""
    server.init(pg_database.url())
    interviewer = unique_role("ines")
    server.add_user(pg_database.url(), interviewer, "interviewer")
    for n, ability in enumerate(ABILITIES):
        name = unique_role(f"c{n}")
        server.add_user(pg_database.url(), name, "candidate")
        with Store(tmp_path / f"{name}.sqlite3") as store:
            at = T0 + timedelta(days=n)
            scores = {
                "q-easy": 1.0,  # everyone passes
                "q-hard": 0.0,  # everyone fails
                "q-good": ability,  # follows ability: separates
                "q-x1": ability,
                "q-x2": ability,
                "q-flat": 1.0 - ability,  # against ability: does not separate
            }
            for k, (question_id, score) in enumerate(scores.items()):
                ticked = (0,) if score >= 0.5 else ()
                practise(
                    store,
                    question_id,
                    3 if score >= 0.6 else 1,
                    at + timedelta(hours=k),
                    coverage=score,
                    ticked=ticked,
                )
            sync(store, pg_database.url(name))
    return pg_database.url(interviewer)


def test_flags_questions_that_everyone_passes_fails_or_that_do_not_separate(
    team_server: str,
) -> None:
    ids = ("q-easy", "q-hard", "q-good", "q-flat", "q-unseen")
    results = {
        item.question_id: item
        for item in report.calibrate_team(team_server, [facts(q) for q in ids])
    }
    assert set(results) == {"q-easy", "q-hard", "q-good", "q-flat"}
    kinds = {qid: {flag.kind for flag in item.flags} for qid, item in results.items()}
    assert "everyone-passes" in kinds["q-easy"]
    assert "everyone-fails" in kinds["q-hard"]
    assert "no-separation" in kinds["q-flat"]
    assert not kinds["q-good"] & {"everyone-passes", "everyone-fails", "no-separation"}
    good = results["q-good"]
    assert good.people == good.attempts == len(ABILITIES)
    assert good.discrimination is not None and good.discrimination > 0.9
    assert results["q-flat"].discrimination is not None and results["q-flat"].discrimination < 0
    assert good.mean_score == pytest.approx(sum(ABILITIES) / len(ABILITIES))
    assert good.time_ratio == pytest.approx(60 / 300)
    assert good.ratings == {"again": 3, "hard": 0, "good": 3, "easy": 0}
    # Point 1 ticked by those scoring 0.5 and more: 4 of 6.
    assert good.point_shares == pytest.approx((4 / 6, 0.0))


def test_a_candidate_sees_only_their_own_rows_in_team_reports(
    pg_database: Database, team_server: str
) -> None:
    name = unique_role("solo")
    server.add_user(pg_database.url(), name, "candidate")
    assert report.calibrate_team(pg_database.url(name), [facts("q-good")]) == []


def test_skills_readiness_and_the_cli(team_server: str, capsys: pytest.CaptureFixture[str]) -> None:
    (skill,) = report.skills_team(team_server)
    assert skill.skill == "networking" and skill.people == len(ABILITIES)
    assert skill.attempts == 6 * len(ABILITIES)
    assert (
        main(
            [
                "--bank",
                str(FIXTURE_BANK),
                "stats",
                "--team",
                "--server",
                team_server,
                "--format",
                "json",
            ]
        )
        == 0
    )
    document = json.loads(capsys.readouterr().out)
    assert document["skills"][0]["people"] == len(ABILITIES)
    code = main(["--bank", str(FIXTURE_BANK), "calibrate", "--team", "--server", team_server])
    assert code == 0
    assert "No rated attempts on the server yet for 3 question(s)" in capsys.readouterr().out


def test_team_commands_without_a_server_are_usage_errors(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["--bank", str(FIXTURE_BANK), "calibrate", "--team"]) == 2
    assert "no server configured" in capsys.readouterr().err
