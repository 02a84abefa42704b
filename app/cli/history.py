"""The history database: stats, export and import."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from app.cli.common import (
    EXIT_OK,
    UserError,
    add_skill_filter,
    check_skills,
    err,
    load,
    open_store,
    out,
    read_regular_file,
    write_output,
)

MAX_IMPORT_BYTES = 512 * 2**20
"""The largest export import reads (100,000 attempts with long answers take about 200 MiB)."""


def add_stats(parser: argparse.ArgumentParser) -> None:
    from app.cli.team import add_team_options

    add_skill_filter(parser)
    parser.add_argument("--format", choices=("table", "json"), default="table")
    add_team_options(parser)


def cmd_stats(args: argparse.Namespace) -> int:
    from app.stats.report import stats_report

    bank, _ = load(args)
    check_skills(bank, args.skill or ())
    if args.team:
        from app.cli.team import stats_team

        return stats_team(args, bank)
    with open_store(args, verify=False) as store:
        out(stats_report(bank, store, skills=args.skill or (), as_json=args.format == "json"))
    return EXIT_OK


def add_export(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--format", choices=("json", "csv"), default="json")
    parser.add_argument("--out", metavar="FILE", help="write here instead of stdout")


def cmd_export(args: argparse.Namespace) -> int:
    from app.store.exchange import export_csv, export_json

    with open_store(args, verify=False) as store:
        text = export_json(store) if args.format == "json" else export_csv(store)
    if args.out in (None, "-"):
        from app.textfmt import printable, printable_json

        # The same JSON, escaped where a terminal would act on it; CSV as it is when piped.
        if args.format == "json":
            text = printable_json(text)
        elif sys.stdout.isatty():
            text = printable(text)
    write_output(args.out or "-", text)
    if args.out not in (None, "-"):
        err(f"drillbit: wrote {args.out}")
    return EXIT_OK


def add_import(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", metavar="FILE", help="a file written by drillbit export")


def cmd_import(args: argparse.Namespace) -> int:
    from app.store.db import StoreError
    from app.store.exchange import import_json

    if args.file == "-":
        data = sys.stdin.buffer.read(MAX_IMPORT_BYTES + 1)
        if len(data) > MAX_IMPORT_BYTES:
            raise UserError(f"-: larger than {MAX_IMPORT_BYTES // 2**20} MiB")
    else:
        data = read_regular_file(Path(args.file), MAX_IMPORT_BYTES)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise UserError(f"{args.file}: not a drillbit history export (not UTF-8)") from None
    with open_store(args) as store:
        try:
            sessions, attempts = import_json(store, text)
        except StoreError as error:
            raise UserError(f"{args.file}: {error}") from None
    out(f"imported {sessions} session(s) and {attempts} attempt(s)")
    return EXIT_OK
