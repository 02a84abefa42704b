"""Team mode: sync with a PostgreSQL server, set one up, and add its users.

The logic lives in ``app.team``; these functions read the options, report and exit.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from typing import TYPE_CHECKING

from app.cli.common import (
    EXIT_OK,
    EXIT_USAGE,
    UserError,
    err,
    open_store,
    out,
    print_flags,
    print_table,
)
from app.team.server import ServerError

if TYPE_CHECKING:
    from app.authoring.calibrate import QuestionFacts
    from app.bank.index import Bank


def add_server_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--server",
        metavar="URL",
        help="a PostgreSQL URL (default: $DRILLBIT_SERVER, else server in the config file)",
    )


def add_team_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--team", action="store_true", help="over the whole team, from the team server"
    )
    add_server_option(parser)


def team_url(args: argparse.Namespace) -> str:
    from app.team.server import ServerError
    from app.team.sync import server_url

    try:
        url = server_url(getattr(args, "server", None))
    except ServerError as error:
        raise UserError(str(error)) from None
    if not url:
        raise UserError(
            "no server configured: pass --server URL, set DRILLBIT_SERVER, or put"
            ' server = "postgresql://..." in the config file',
            EXIT_USAGE,
        )
    return url


# -- drillbit sync ---------------------------------------------------------------------------


def add_sync(parser: argparse.ArgumentParser) -> None:
    add_server_option(parser)


def cmd_sync(args: argparse.Namespace) -> int:
    from app.store.db import StoreError
    from app.team.server import ServerError
    from app.team.sync import sync

    url = team_url(args)
    with open_store(args) as store:
        try:
            report = sync(store, url)
        except (ServerError, StoreError) as error:
            raise UserError(f"sync failed: {error}") from None
    if report.skew_warning:
        err(f"drillbit: {report.skew_warning}")
    out(report.summary())
    return EXIT_OK


# -- drillbit server init | add-user ---------------------------------------------------------


def add_server(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    init = sub.add_parser("init", help="create or migrate the schema and the roles")
    init.add_argument("url", metavar="URL", help="the team's database, as an administrator")
    user = sub.add_parser("add-user", help="create a login role for a candidate or interviewer")
    user.add_argument("name", metavar="NAME")
    user.add_argument("--role", choices=("candidate", "interviewer"), required=True)
    user.add_argument("--server", metavar="URL", help="the team's database, as an administrator")
    user.add_argument(
        "--password",
        action="store_true",
        help="ask for a password (sent to the server, which keeps only its hash)",
    )


def cmd_server(args: argparse.Namespace) -> int:
    from app.team import server

    try:
        if args.action == "init":
            before, after = server.init(args.url)
            if before == after:
                out(f"server schema {after} is up to date; roles and privileges checked")
            else:
                out(
                    f"server schema {before} -> {after}; roles {server.CANDIDATE}"
                    f" and {server.INTERVIEWER} ready"
                )
            return EXIT_OK
        password = None
        if args.password:
            import getpass

            password = getpass.getpass(f"password for {args.name}: ")
        server.add_user(team_url(args), args.name, args.role, password)
    except server.ServerError as error:
        raise UserError(str(error)) from None
    out(f"added {args.name} as {args.role}")
    return EXIT_OK


# -- drillbit calibrate --team, drillbit stats --team ----------------------------------------


def calibrate_team(args: argparse.Namespace, facts: Sequence[QuestionFacts]) -> int:
    from app.team import report

    url = team_url(args)
    try:
        results = report.calibrate_team(url, facts)
    except ServerError as error:
        raise UserError(str(error)) from None
    if args.format == "json":
        document = {
            "thresholds": {
                "pass": report.PASS,
                "min_people": report.MIN_PEOPLE,
                "low_discrimination": report.LOW_DISCRIMINATION,
            },
            "questions": [item.as_dict() for item in results],
            "without_attempts": len(facts) - len(results),
        }
        out(json.dumps(document, indent=2, ensure_ascii=False))
        return EXIT_OK
    if not results:
        out(f"No rated attempts on the server yet for {len(facts)} question(s).")
        return EXIT_OK
    print_table(report.TABLE_HEADER, report.table_rows(results))
    flagged = [item for item in results if item.flags]
    out(
        f"{len(results)} question(s) attempted by the team, {len(facts) - len(results)} not;"
        f" {sum(len(item.flags) for item in flagged)} flag(s) on {len(flagged)} question(s)"
    )
    print_flags(flagged)
    return EXIT_OK


def stats_team(args: argparse.Namespace, bank: Bank) -> int:
    from app.authoring.calibrate import question_facts
    from app.team import report

    url = team_url(args)
    wanted = set(args.skill or ())
    try:
        skills = [s for s in report.skills_team(url) if not wanted or s.skill in wanted]
        questions = report.calibrate_team(url, question_facts(bank, sorted(wanted)))
    except ServerError as error:
        raise UserError(str(error)) from None
    if args.format == "json":
        document = {
            "skills": [item.as_dict() for item in skills],
            "questions": [item.as_dict() for item in questions],
        }
        out(json.dumps(document, indent=2, ensure_ascii=False))
        return EXIT_OK
    if not skills:
        out("No rated attempts on the server yet.")
        return EXIT_OK
    out("Per skill (readiness: mean score per person; ready: people at the pass mark)")
    print_table(report.SKILLS_HEADER, report.skills_table(skills))
    out("")
    out("Per question")
    print_table(report.TABLE_HEADER, report.table_rows(questions))
    return EXIT_OK
