"""Authoring tools: new, watch, kit, export-anki and calibrate (issue 8)."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import zipfile
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import genanki
import pytest

from app.authoring import calibrate as cal
from app.authoring.scaffold import (
    append_question,
    fresh_id,
    id_prefix,
    new_question,
    scaffold,
)
from app.bank.loader import load_bank
from app.store.db import Attempt, Store
from tests.conftest import FIXED_NOW, FIXTURE_BANK, REPO

Run = Callable[..., tuple[int, str, str]]


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str]) -> Run:
    """Run one command through ``app.cli.main``, in this process."""
    from app.cli import main

    def run_command(name: str, *argv: str) -> tuple[int, str, str]:
        code = main([name, *argv])
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return run_command


@pytest.fixture
def bank_copy(tmp_path: Path) -> Path:
    target = tmp_path / "bank"
    shutil.copytree(FIXTURE_BANK, target)
    return target


def hostile_bank(tmp_path: Path) -> Path:
    """The fixture bank plus a question whose text tries to inject HTML and markup."""
    directory = tmp_path / "hostile"
    shutil.copytree(FIXTURE_BANK, directory)
    path = directory / "network-protocols.yaml"
    path.write_text(
        path.read_text()
        + """  - id: net-inject
    title: "<b>Bold?</b> | pipes | [b]x[/b]"
    difficulty: hard
    time: 10m
    prompt: |
      Explain this: <script>alert("prompt")</script> and <img src=x onerror=alert(1)>

      ![tracker](https://example.com/pixel.png)
    hints:
      - "<i>hint</i>"
    answer: |
      <script>alert("answer")</script>
    rubric:
      - point: "a | b <em>c</em>"
        weight: 4
    red_flags:
      - "<script>flag</script>"
""",
        encoding="utf-8",
    )
    return directory


# -- drillbit new ----------------------------------------------------------------------------


def only_placeholders(problems: list) -> bool:
    """Every problem is a placeholder ``drillbit new`` wrote (and there is at least one)."""
    return bool(problems) and all("drillbit new wrote" in p.message for p in problems)


CUSTOM = """\
# yaml-language-server: $schema=schema.json
# A hand-kept file: comments, odd spacing and quoting must survive.
skill: network-protocols    # the slug
title:   "Network protocols"
description: >-
  Folded text
  over two lines.
questions:
  # The first question.
  - id: net-one
    title: 'One'
    difficulty: easy
    time: 5m
    tags: [tcp,   udp]   # spaced out on purpose
    prompt: |
      First prompt.
    answer: "An answer."
    rubric:
      - point: A point
        weight: 2

  - id: net-two   # trailing comment
    title: Two
    difficulty: medium
    time: 90s
    prompt: Second prompt.
    answer: Second answer.
# a comment at the very end
"""


def test_new_keeps_every_byte_of_a_hand_formatted_file(write_bank) -> None:
    path = write_bank(CUSTOM)
    added = scaffold(path, "network-protocols", [])
    text = path.read_text(encoding="utf-8")
    assert added.question_id == "net-new-1"
    assert text.startswith(CUSTOM)
    chunk = text[len(CUSTOM) :]
    assert chunk.startswith("  - id: net-new-1\n")
    assert text.splitlines()[added.line - 1] == "  - id: net-new-1"
    bank, problems = load_bank([path])
    # The scaffold is valid but for its placeholders, and is not served until filled in.
    assert only_placeholders(problems)
    assert list(bank.questions) == ["net-one", "net-two"]


def test_new_round_trip_keeps_a_clean_file_and_validates(bank_copy: Path) -> None:
    path = bank_copy / "network-protocols.yaml"
    original = path.read_bytes()
    added = scaffold(path, "network-protocols", ["net-new-1"], title="Anycast and BGP")
    data = path.read_bytes()
    assert data.startswith(original)
    assert added.question_id == "net-new-2"
    bank, problems = load_bank([bank_copy])
    assert only_placeholders(problems)
    assert "net-new-2" not in bank.questions
    filled = path.read_text().replace("net-new-2", "net-anycast-bgp").replace("[todo]", "[bgp]")
    path.write_text(re.sub(r"'?TODO[^\n']*'?", "Real text", filled))
    bank, problems = load_bank([bank_copy])
    assert problems == []
    question = bank.questions["net-anycast-bgp"]
    assert question.title == "Anycast and BGP"
    assert question.difficulty == "medium"
    assert question.rubric and question.hints and question.follow_ups and question.red_flags
    assert question.references and question.interviewer_notes
    assert question.choices is None
    assert bank.placements["net-anycast-bgp"].line == added.line


def test_new_inserts_before_later_top_level_keys(write_bank) -> None:
    text = (
        "skill: network-protocols\ntitle: N\ndescription: D\nquestions:\n"
        "- id: net-a\n  title: A\n  difficulty: easy\n  time: 1m\n  prompt: P\n  answer: A\n"
        "\n# about the extra key\nextra:   1\n"
    )
    path = write_bank(text)
    scaffold(path, "network-protocols", [])
    result = path.read_text()
    before, after = text.split("\n# about")
    assert result.startswith(before)
    assert result.endswith("\n# about" + after)
    chunk = result[len(before) : -len("\n# about" + after)]
    # The file writes its items without offset: the new one follows suit.
    assert chunk.startswith("- id: net-new-1\n  title: 'TODO: a short title'\n")
    # Unknown key 'extra' is the only problem besides the placeholders.
    _, problems = load_bank([path])
    assert [p.message for p in problems if "drillbit new wrote" not in p.message] == [
        "unknown key 'extra'"
    ]


def test_new_keeps_crlf_line_endings_and_a_bom(write_bank) -> None:
    original = ("\ufeff" + CUSTOM.replace("\n", "\r\n")).encode("utf-8")
    path = write_bank(original)
    scaffold(path, "network-protocols", [])
    data = path.read_bytes()
    assert data.startswith(original)
    assert b"\n" not in data.replace(b"\r\n", b"")
    _, problems = load_bank([path])
    assert only_placeholders(problems)


def test_new_keeps_the_file_mode(write_bank) -> None:
    path = write_bank(CUSTOM)
    path.chmod(0o640)
    scaffold(path, "network-protocols", [])
    assert path.stat().st_mode & 0o777 == 0o640
    assert [p.name for p in path.parent.iterdir()] == [path.name]


def test_new_into_an_empty_question_list(write_bank) -> None:
    path = write_bank(
        "# keep me\nskill: network-protocols\ntitle: N\ndescription: D\nquestions: []\n"
    )
    added = scaffold(path, "network-protocols", [], kind="quick-fire")
    text = path.read_text()
    assert text.startswith("# keep me\nskill: network-protocols\n")
    assert added.question_id == "network-protocols-new-1"
    _bank, problems = load_bank([path])
    assert only_placeholders(problems)
    assert "choices" in path.read_text()


def test_id_prefix_and_fresh_id() -> None:
    assert id_prefix("network-protocols", ["net-a", "net-b", "dns-c"]) == "net"
    assert id_prefix("debugging", []) == "debugging"
    assert fresh_id("net", ["net-new-1", "net-new-2", "net-new-4"]) == "net-new-3"


def test_placeholder_question_is_valid_but_for_its_placeholders_in_every_kind(write_bank) -> None:
    from app.bank.models import KINDS

    for kind in KINDS:
        path = write_bank("skill: network-protocols\ntitle: N\ndescription: D\nquestions:\n")
        scaffold(path, "network-protocols", [], kind=kind, difficulty="hard")
        bank, problems = load_bank([path])
        assert only_placeholders(problems), kind
        assert len(bank) == 0


def test_append_question_refuses_a_broken_file() -> None:
    from app.authoring.scaffold import ScaffoldError

    with pytest.raises(ScaffoldError, match=r"x.yaml:3:3: the file is not valid YAML"):
        append_question("skill: a\nquestions: [\n  - : :\n", new_question("a-new-1"), "x.yaml")


def test_cmd_new_no_edit_prints_location_and_placeholders_to_fill(run: Run, bank_copy) -> None:
    code, out, err = run("new", "--bank", str(bank_copy), "--skill", "debugging", "--no-edit")
    path = bank_copy / "debugging.yaml"
    assert code == 0, out + err
    lines = out.splitlines()
    match = re.fullmatch(rf"{re.escape(str(path))}:(\d+): added question 'dbg-new-1'", lines[0])
    assert match
    line = int(match.group(1))
    assert path.read_text().splitlines()[line - 1] == "  - id: dbg-new-1"
    assert f"{path}:{line}:9: error: 'dbg-new-1' is the placeholder id drillbit new wrote" in out
    assert "error: 'prompt' still holds the placeholder text drillbit new wrote" in out
    assert lines[-1].startswith(f"{path}: 0 error(s), 11 placeholder(s) to fill in")


def write_editor(tmp_path: Path, body: str) -> str:
    """A fake $EDITOR: a Python script that records its arguments and runs ``body``."""
    script = tmp_path / "fake_editor.py"
    script.write_text(
        "import json, pathlib, sys\n"
        f"pathlib.Path({str(tmp_path / 'editor-args.json')!r}).write_text(json.dumps(sys.argv[1:]))\n"
        "path = pathlib.Path(sys.argv[-1])\n"
        "text = path.read_text()\n" + body + "path.write_text(text)\n"
    )
    return f"{sys.executable} {script}"


def test_cmd_new_opens_the_editor_at_the_line_then_validates(
    run: Run, bank_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The "author" breaks the question: difficulty becomes the YAML boolean false.
    editor = write_editor(
        tmp_path, "text = text.replace('difficulty: medium', 'difficulty: false')\n"
    )
    monkeypatch.setenv("EDITOR", editor)
    code, out, _ = run("new", "--bank", str(bank_copy), "--skill", "network-protocols")
    path = bank_copy / "network-protocols.yaml"
    argv = json.loads((tmp_path / "editor-args.json").read_text())
    assert argv[1] == str(path)
    line = int(argv[0].removeprefix("+"))
    assert path.read_text().splitlines()[line - 1] == "  - id: net-new-1"
    assert code == 1
    error_line = line + 2
    assert f"{path}:{error_line}:17: error: difficulty must be one of" in out
    assert out.splitlines()[-1].startswith("FAILED: ")


def test_cmd_new_after_a_clean_edit_exits_zero_without_warnings(
    run: Run, bank_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    editor = write_editor(
        tmp_path,
        "import re\n"
        "text = text.replace('net-new-1', 'net-mtu-black-hole')\n"
        "text = text.replace('[todo]', '[mtu]')\n"
        "text = re.sub(r'TODO[^\\n]*', 'Real text', text)\n"
        "text = text.replace(\"'Real text\", 'Real text')\n",
    )
    monkeypatch.setenv("VISUAL", editor)
    monkeypatch.setenv("EDITOR", "false")
    code, out, _ = run("new", "--bank", str(bank_copy), "--skill", "network-protocols")
    assert code == 0, out
    assert "error" not in out.replace("0 error(s)", "")
    bank, problems = load_bank([bank_copy])
    assert problems == []
    assert bank.questions["net-mtu-black-hole"].prompt.startswith("Real text")


def test_cmd_new_ids_are_unique_across_the_bank(run: Run, bank_copy: Path) -> None:
    for _ in range(2):
        assert run("new", "--bank", str(bank_copy), "--skill", "debugging", "--no-edit")[0] == 0
    text = (bank_copy / "debugging.yaml").read_text()
    assert "id: dbg-new-1\n" in text and "id: dbg-new-2\n" in text
    _, problems = load_bank([bank_copy])
    assert only_placeholders(problems)


def test_cmd_new_user_errors(run: Run, bank_copy: Path, tmp_path: Path) -> None:
    code, _, err = run("new", "--bank", str(bank_copy), "--skill", "debuging", "--no-edit")
    assert code == 2
    assert "did you mean 'debugging'?" in err
    code, _, err = run("new", "--bank", str(bank_copy), "--skill", "Not A Slug", "--no-edit")
    assert code == 2
    (bank_copy / "debugging.yaml").write_text("skill: debugging\nquestions: [\n")
    code, _, err = run("new", "--bank", str(bank_copy), "--skill", "debugging", "--no-edit")
    assert code == 1
    assert "not valid YAML" in err
    assert "Traceback" not in err


def test_cmd_new_starts_a_bank_and_a_skill(run: Run, tmp_path: Path) -> None:
    bank = tmp_path / "my-bank"
    code, out, err = run("new", "--bank", str(bank), "--skill", "kernel", "--no-edit")
    assert code == 0, out + err
    path = bank / "kernel.yaml"
    assert f"{path}:1: started skill 'kernel'; fill in its title and description" in out
    assert (bank / "schema.json").is_file() and (bank / "loops.schema.json").is_file()
    assert f"--bank {bank}" in out and f"DRILLBIT_BANK={bank}" in out
    _, problems = load_bank([bank])
    messages = [p.message for p in problems]
    assert (
        "'title' still holds the placeholder drillbit new wrote; write the skill's title"
        in messages
    )
    assert any(m.startswith("'kernel-new-1' is the placeholder id") for m in messages)
    # A second question goes into the same file; a name close to a skill needs --new-skill.
    assert run("new", "--bank", str(bank), "--skill", "kernel", "--no-edit")[0] == 0
    assert "id: kernel-new-2" in path.read_text()
    code, _, err = run("new", "--bank", str(bank), "--skill", "kernels", "--no-edit")
    assert code == 2 and "did you mean 'kernel'?" in err and "--new-skill" in err
    code, *_ = run("new", "--bank", str(bank), "--skill", "kernels", "--new-skill", "--no-edit")
    assert code == 0 and (bank / "kernels.yaml").is_file()


def test_cmd_new_adds_to_a_skill_directory(run: Run, tmp_path: Path) -> None:
    bank = tmp_path / "bank"
    (bank / "kernel").mkdir(parents=True)
    (bank / "kernel" / "_skill.yaml").write_text("skill: kernel\ntitle: K\ndescription: D\n")
    (bank / "kernel" / "scheduling.yaml").write_text("skill: kernel\nquestions: []\n")
    code, out, err = run("new", "--bank", str(bank), "--skill", "kernel", "--no-edit")
    assert code == 0, out + err
    assert "kernel-new-1" in (bank / "kernel" / "scheduling.yaml").read_text()
    assert not (bank / "kernel.yaml").exists()


def test_cmd_new_starts_a_part_file_when_the_skill_file_is_nearly_full(
    run: Run, bank_copy: Path
) -> None:
    path = bank_copy / "debugging.yaml"
    path.write_text(path.read_text() + "#" * (1024 * 1024 - path.stat().st_size - 1000) + "\n")
    code, out, err = run("new", "--bank", str(bank_copy), "--skill", "debugging", "--no-edit")
    assert code == 0, out + err
    part = bank_copy / "debugging" / "more-1.yaml"
    assert f"the question goes into {part}" in out
    assert "dbg-new-1" in part.read_text()
    _, problems = load_bank([bank_copy])
    assert only_placeholders(problems)


def test_cmd_new_never_writes_into_an_installed_bank(run: Run, tmp_path: Path) -> None:
    installed = tmp_path / "lib" / "python3.11" / "site-packages" / "app" / "questions"
    shutil.copytree(FIXTURE_BANK, installed)
    before = {p.name: p.read_bytes() for p in installed.iterdir()}
    code, _, err = run("new", "--bank", str(installed), "--skill", "debugging", "--no-edit")
    assert code == 1
    assert "the bank installed with drillbit" in err
    assert "drillbit new --bank ~/drillbit-bank --skill SKILL" in err
    assert "DRILLBIT_BANK=" in err and "config.toml" in err
    assert {p.name: p.read_bytes() for p in installed.iterdir()} == before


def test_cmd_new_missing_editor_is_a_user_error(
    run: Run, bank_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EDITOR", "/nonexistent/editor --wait")
    code, _, err = run("new", "--bank", str(bank_copy), "--skill", "debugging")
    assert code == 1
    assert "cannot run the editor '/nonexistent/editor'" in err
    assert "the question was added at" in err


def test_placeholders_are_errors_at_their_place(write_bank) -> None:
    path = write_bank("skill: network-protocols\ntitle: N\ndescription: D\nquestions:\n")
    scaffold(path, "network-protocols", [])
    _, problems = load_bank([path])
    assert str(problems[0]) == (
        f"{path}:5:9: error: 'network-protocols-new-1' is the placeholder id drillbit new wrote;"
        " name the question (ids are stable: rename it before anyone practises it)"
    )
    lines = path.read_text().splitlines()
    rubric = next(p for p in problems if "'rubric'" in p.message)
    assert lines[rubric.line - 1][rubric.column - 1 :] == "'TODO: a key point a good answer makes'"


# -- drillbit kit ----------------------------------------------------------------------------


def test_kit_markdown_has_everything_an_interviewer_needs(run: Run, tmp_path: Path) -> None:
    out_file = tmp_path / "kit.md"
    code, _, err = run(
        "kit", "--bank", str(FIXTURE_BANK), "--skill", "network-protocols", "--out", str(out_file)
    )
    assert code == 0, err
    text = out_file.read_text()
    assert text.startswith("# Interview kit: Network protocols\n")
    for heading in (
        "## 1. The TCP three-way handshake",
        "### Prompt",
        "### Hints to give",
        "### Model answer",
        "### Scoring sheet",
        "### Follow-ups",
        "### Interviewer notes",
        "### References",
        "## 2. HTTPS port",
    ):
        assert heading in text
    assert "time budget **5m**" in text
    assert "| 1 | Names SYN, SYN-ACK and ACK in order | 2 |   |" in text
    assert "|  | **Total** | **4** |   / 4 |" in text
    assert "> The server encodes its state in the ISN" in text
    assert "- a. 80\n- b. 443 **(correct)**\n" in text


def test_kit_html_is_self_contained_printable_and_escapes_bank_html(
    run: Run, tmp_path: Path
) -> None:
    bank = hostile_bank(tmp_path)
    out_file = tmp_path / "kit.html"
    code, _, err = run(
        "kit", "--bank", str(bank), "--ids", "net-inject,dbg-markup", "--out", str(out_file)
    )
    assert code == 0, err
    page = out_file.read_text()
    assert page.startswith("<!DOCTYPE html>")
    assert "<script" not in page.lower()
    assert "&lt;script&gt;alert(&quot;prompt&quot;)&lt;/script&gt;" in page
    assert "<img" not in page
    assert "<b>Bold?</b>" not in page and "&lt;b&gt;Bold?&lt;/b&gt;" in page
    assert "<em>c</em>" not in page
    # Self-contained: no external stylesheet, script or image; inline CSS with a print rule.
    assert not re.search(r"<(link|script|img|iframe)\b", page)
    assert "<style>" in page and "@media print" in page
    assert "page-break-before: always" in page
    assert page.count('<section class="question"') == 2
    assert "default-src 'none'" in page
    # The pipe in the rubric point stays inside its cell.
    assert "<td>a | b &lt;em&gt;c&lt;/em&gt;</td>" in page
    assert "[@click=app.quit]notes[/]" in page


def test_kit_for_a_loop_lists_its_rounds(run: Run, tmp_path: Path) -> None:
    code, out, err = run("kit", "--bank", str(FIXTURE_BANK), "--loop", "mini", "--out", "-")
    assert code == 0, err
    assert out.startswith("# Interview kit: Mini loop\n")
    assert "- Round 1: Round one (10m): 2 question(s)" in out
    assert out.count("*Round 1: Round one (10m)*") == 2
    again = run("kit", "--bank", str(FIXTURE_BANK), "--loop", "mini", "--out", "-")[1]
    assert again == out


def test_kit_user_errors(run: Run) -> None:
    code, _, err = run(
        "kit", "--bank", str(FIXTURE_BANK), "--ids", "net-tcp-handshak", "--out", "-"
    )
    assert code == 2 and "did you mean 'net-tcp-handshake'?" in err
    code, _, err = run("kit", "--bank", str(FIXTURE_BANK), "--loop", "maxi", "--out", "-")
    assert code == 2 and "no loop 'maxi'" in err
    code, _, err = run("kit", "--bank", str(FIXTURE_BANK), "--skill", "nope", "--out", "-")
    assert code == 2 and "no skill 'nope'" in err
    with pytest.raises(SystemExit):
        run("kit", "--bank", str(FIXTURE_BANK), "--skill", "debugging", "--ids", "x", "--out", "-")


def _chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome", "chrome", "headless_shell"):
        found = shutil.which(name)
        if found:
            return found
    return None


@pytest.mark.skipif(_chromium() is None, reason="no Chromium installed (apt-get install chromium)")
def test_kit_html_renders_in_headless_chromium(run: Run, tmp_path: Path) -> None:
    page = tmp_path / "kit.html"
    bank = hostile_bank(tmp_path)
    assert (
        run("kit", "--bank", str(bank), "--skill", "network-protocols", "--out", str(page))[0] == 0
    )
    shot = tmp_path / "kit.png"
    result = subprocess.run(
        [
            str(_chromium()),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-extensions",
            f"--user-data-dir={tmp_path / 'chrome-profile'}",
            "--enable-logging=stderr",
            "--v=0",
            "--window-size=1000,1400",
            f"--screenshot={shot}",
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert shot.exists(), result.stderr
    data = shot.read_bytes()
    assert data.startswith(b"\x89PNG") and len(data) > 10_000
    console = [line for line in result.stderr.splitlines() if "CONSOLE" in line]
    assert console == [], console


# -- drillbit export-anki --------------------------------------------------------------------


def _notes(apkg: Path) -> list[tuple[str, str, str]]:
    with zipfile.ZipFile(apkg) as archive:
        assert "collection.anki2" in archive.namelist()
        data = archive.read("collection.anki2")
    database = apkg.with_suffix(".anki2")
    database.write_bytes(data)
    with sqlite3.connect(database) as connection:
        rows = connection.execute("SELECT guid, flds, tags FROM notes ORDER BY guid").fetchall()
    connection.close()
    return rows


def test_export_anki_one_note_per_question_with_stable_guids(run: Run, tmp_path: Path) -> None:
    bank = hostile_bank(tmp_path)
    first, second = tmp_path / "one.apkg", tmp_path / "two.apkg"
    assert run("export-anki", "--bank", str(bank), "--out", str(first))[0] == 0
    assert run("export-anki", "--bank", str(bank), "--out", str(second))[0] == 0
    notes = _notes(first)
    assert len(notes) == 4
    assert [guid for guid, _, _ in notes] == [guid for guid, _, _ in _notes(second)]
    ids = ["dbg-markup", "net-inject", "net-quick-port", "net-tcp-handshake"]
    assert sorted(guid for guid, _, _ in notes) == sorted(genanki.guid_for(i) for i in ids)
    fields = {guid: flds.split("\x1f") for guid, flds, _ in notes}
    inject = fields[genanki.guid_for("net-inject")]
    title, meta, prompt, answer, rubric, question_id = inject
    assert title == "&lt;b&gt;Bold?&lt;/b&gt; | pipes | [b]x[/b]"
    assert meta.startswith("network-protocols · hard")
    assert "<script" not in "".join(inject)
    assert "&lt;script&gt;" in prompt and "&lt;script&gt;" in answer
    assert "(4) a | b &lt;em&gt;c&lt;/em&gt;" in rubric
    assert question_id == "net-inject"


def test_export_anki_filters_by_skill(run: Run, tmp_path: Path) -> None:
    out = tmp_path / "debugging.apkg"
    code, _, err = run(
        "export-anki", "--bank", str(FIXTURE_BANK), "--skill", "debugging", "--out", str(out)
    )
    assert code == 0, err
    assert "1 note(s)" in err
    assert [guid for guid, _, _ in _notes(out)] == [genanki.guid_for("dbg-markup")]
    code, _, err = run("export-anki", "--bank", str(FIXTURE_BANK), "--out", "-")
    assert code == 2


@pytest.mark.skipif(
    importlib.util.find_spec("anki") is None,
    reason="the optional 'anki' package is not installed (pip install anki)",
)
def test_anki_imports_the_deck_twice_without_duplicates(run: Run, tmp_path: Path) -> None:
    import time

    from anki.collection import Collection, ImportAnkiPackageOptions, ImportAnkiPackageRequest

    from app.authoring.anki import write_deck

    apkg = tmp_path / "bank.apkg"
    assert run("export-anki", "--bank", str(FIXTURE_BANK), "--out", str(apkg))[0] == 0
    (tmp_path / "anki").mkdir()
    collection = Collection(str(tmp_path / "anki" / "collection.anki2"))

    def import_package() -> None:
        request = ImportAnkiPackageRequest(
            package_path=str(apkg),
            options=ImportAnkiPackageOptions(with_scheduling=False, with_deck_configs=False),
        )
        collection.import_anki_package(request)

    try:
        for _ in range(2):
            import_package()
            assert collection.note_count() == 3
        notes = [collection.get_note(nid) for nid in collection.find_notes("")]
        assert {note.guid for note in notes} == {genanki.guid_for(i) for i in FIXTURE_IDS}
        # A later export of an edited question updates its note in place.
        bank_dir = tmp_path / "edited"
        shutil.copytree(FIXTURE_BANK, bank_dir)
        path = bank_dir / "network-protocols.yaml"
        path.write_text(path.read_text().replace("Walk through", "Now walk through"))
        bank, _ = load_bank([bank_dir])
        write_deck(bank, list(bank.questions), apkg, timestamp=time.time() + 60)
        import_package()
        assert collection.note_count() == 3
        [nid] = collection.find_notes("Now walk through")
        assert collection.get_note(nid).guid == genanki.guid_for("net-tcp-handshake")
    finally:
        collection.close()


FIXTURE_IDS = ("net-tcp-handshake", "net-quick-port", "dbg-markup")


# -- drillbit calibrate ----------------------------------------------------------------------


def attempt(
    question_id: str = "q",
    *,
    seconds: float = 300,
    budget: int = 60,
    ticked: tuple[int, ...] = (),
    coverage: float | None = 0.5,
    rating: int = 3,
    content_hash: str = "v1",
    number: int = 1,
) -> Attempt:
    return Attempt(
        id=number,
        uuid=f"u{number}",
        session_id=1,
        question_id=question_id,
        skill="s",
        content_hash=content_hash,
        started_at=FIXED_NOW,
        time_spent_ms=int(seconds * 1000),
        time_budget_s=budget,
        hints_used=0,
        answer="",
        rubric_ticked=ticked,
        rubric_coverage=coverage,
        rating=rating,
        auto_grade=None,
        rated_at=FIXED_NOW,
        status="rated",
    )


FACTS = cal.QuestionFacts("q", "s", "Q", 600, ("easy point", "hard point"), "v1")


def test_calibrate_flags_a_budget_that_is_too_short_from_three_attempts() -> None:
    slow = [attempt(seconds=960, number=n) for n in range(3)]
    [result] = cal.calibrate([FACTS], slow)
    assert result.attempts == 3
    assert result.time_ratio == pytest.approx(1.6)
    assert [flag.kind for flag in result.flags] == ["time-too-short"]
    assert result.suggested_budget == 960
    assert "consider 16m" in result.flags[0].message
    [two] = cal.calibrate([FACTS], slow[:2])
    assert two.flags == ()


def test_calibrate_flags_a_budget_that_is_too_long_and_keeps_the_boundaries() -> None:
    fast = [attempt(seconds=180, number=n) for n in range(3)]
    [result] = cal.calibrate([FACTS], fast)
    assert [flag.kind for flag in result.flags] == ["time-too-long"]
    assert result.suggested_budget == 180
    at_limits = [attempt(seconds=s, number=n) for n, s in enumerate((240, 240, 240))]
    assert cal.calibrate([FACTS], at_limits)[0].flags == ()
    at_upper = [attempt(seconds=900, number=n) for n in range(3)]
    assert cal.calibrate([FACTS], at_upper)[0].flags == ()


def test_calibrate_compares_time_with_the_current_budget() -> None:
    # Attempts were timed against an old 5m budget; the question now allows 10m.
    history = [attempt(seconds=480, budget=300, number=n) for n in range(4)]
    [result] = cal.calibrate([FACTS], history)
    assert result.time_ratio == pytest.approx(0.8)
    assert result.flags == ()


def test_calibrate_flags_rubric_points_almost_nobody_meets() -> None:
    history = [attempt(ticked=(0,), number=n) for n in range(5)]
    [result] = cal.calibrate([FACTS], history)
    assert result.point_shares == (1.0, 0.0)
    assert [(flag.kind, flag.point) for flag in result.flags] == [("rubric-point-rare", 1)]
    assert "ticked in 0 of 5 attempts (0%): hard point" in result.flags[0].message
    # Four attempts are not enough to judge.
    assert cal.calibrate([FACTS], history[:4])[0].flags == ()
    # One tick in six is 17%: met often enough.
    six = [*history, attempt(ticked=(0, 1), number=9)]
    assert cal.calibrate([FACTS], six)[0].flags == ()


def test_calibrate_counts_rubric_ticks_only_on_the_current_version() -> None:
    old = [attempt(ticked=(0,), content_hash="v0", number=n) for n in range(5)]
    quick_fire = [attempt(coverage=None, number=10 + n) for n in range(5)]
    [result] = cal.calibrate([FACTS], old + quick_fire)
    assert result.attempts == 10
    assert result.rubric_attempts == 0
    assert result.flags == ()


def test_calibrate_counts_ratings_and_skips_other_questions() -> None:
    history = [
        attempt(rating=1, number=1),
        attempt(rating=1, number=2, coverage=0.0),
        attempt(rating=4, number=3, coverage=1.0),
        attempt("retired", number=4),
        attempt(number=5)._replace(status="open"),
    ]
    [result] = cal.calibrate([FACTS, replace(FACTS, id="unseen")], history)
    assert result.ratings == {"again": 2, "hard": 0, "good": 0, "easy": 1}
    assert result.mean_coverage == pytest.approx(0.5)
    assert result.as_dict()["ratings"] == {"again": 2, "hard": 0, "good": 0, "easy": 1}


def _record(store: Store, question_id: str, seconds: int, ticked: list[int], rating: int) -> None:
    bank, _ = load_bank([FIXTURE_BANK])
    question = bank.questions[question_id]
    session = store.start_session("random", now=FIXED_NOW)
    attempt_id = store.start_attempt(
        session,
        question_id,
        bank.skill_of(question_id),
        question.content_hash,
        question.time_seconds,
        now=FIXED_NOW,
    )
    coverage = sum(question.rubric[i].weight for i in ticked) / question.rubric_weight
    store.rate(
        attempt_id,
        rating=rating,
        answer="x",
        time_spent_ms=seconds * 1000,
        hints_used=0,
        rubric_ticked=ticked,
        rubric_coverage=coverage,
        auto_grade=None,
        review=None,
        now=FIXED_NOW + timedelta(minutes=5),
    )


def test_cmd_calibrate_table_and_json(run: Run, tmp_path: Path) -> None:
    database = tmp_path / "history.sqlite3"
    with Store(database) as store:
        for rating in (1, 2, 3, 3, 4):
            # 5m budget, 8m spent: 1.6x; point 3 never ticked.
            _record(store, "net-tcp-handshake", 480, [0, 1], rating)
    base = ("--bank", str(FIXTURE_BANK), "--db", str(database))
    code, out, err = run("calibrate", *base)
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].split() == [
        "id",
        "skill",
        "attempts",
        "mean",
        "time",
        "budget",
        "time/budget",
        "coverage",
        "again",
        "hard",
        "good",
        "easy",
        "flags",
    ]
    row = next(line for line in lines if line.startswith("net-tcp-handshake"))
    expected = "net-tcp-handshake network-protocols 5 8m 5m 1.60 75% 1 1 2 1 2"
    assert row.split() == expected.split()
    assert "1 question(s) with attempts, 2 without; 2 flag(s) on 1 question(s)" in out
    assert "net-tcp-handshake: time budget 5m looks too short" in out
    assert "rubric point 3 is almost never met: ticked in 0 of 5 attempts (0%)" in out
    code, out, _ = run("calibrate", *base, "--format", "json", "--skill", "network-protocols")
    document = json.loads(out)
    [item] = document["questions"]
    assert item["id"] == "net-tcp-handshake"
    assert item["ratings"] == {"again": 1, "hard": 1, "good": 2, "easy": 1}
    assert [flag["kind"] for flag in item["flags"]] == ["time-too-short", "rubric-point-rare"]
    assert document["without_attempts"] == 1
    code, out, _ = run("calibrate", *base, "--skill", "debugging")
    assert code == 0 and "No rated attempts yet" in out
    assert run("calibrate", *base, "--skill", "nope")[0] == 2


# -- drillbit watch --------------------------------------------------------------------------


def _bump_mtime(path: Path) -> None:
    """Make a change visible to an mtime check even on coarse-grained file systems."""
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 2_000_000_000))


async def test_watch_shows_located_problems_then_the_edited_question(bank_copy: Path) -> None:
    from textual.widgets import Markdown, Static

    from app.authoring.watch import WatchApp

    path = bank_copy / "network-protocols.yaml"
    app = WatchApp([path])
    async with app.run_test(size=(110, 40)) as pilot:
        await pilot.pause()
        assert app.problems == []
        assert app.previewed == "net-quick-port"
        status = str(app.query_one("#status", Static).render())
        assert "clean, 2 question(s)" in status

        # Break the first question: YAML reads `false` as a boolean.
        original = path.read_text()
        path.write_text(original.replace("difficulty: easy", "difficulty: false", 1))
        _bump_mtime(path)
        await app.file_monitor()  # what the interval timer runs
        await pilot.pause()
        shown = str(app.query_one("#problems", Static).render())
        assert f"{path}:8:17: error: difficulty must be one of easy, medium, hard" in shown
        assert app.query_one("#preview-scroll").has_class("hidden")

        # Fix it and change the first question: the preview follows the edit.
        path.write_text(original.replace("Easy warm-up.", "A warm-up [b]not bold[/b]."))
        _bump_mtime(path)
        await app.file_monitor()
        await pilot.pause()
        assert app.problems == []
        assert app.previewed == "net-tcp-handshake"
        preview = app.query_one("#preview", Markdown)
        assert "A warm-up [b]not bold[/b]." in preview.source
        title = str(app.query_one("#preview-title", Static).render())
        assert f"Preview of net-tcp-handshake  ({path}:6)" in title

        # No change since: the monitor does nothing.
        checks = app.checks
        await app.file_monitor()
        assert app.checks == checks


async def test_watch_a_directory_notices_new_files_and_shows_markup_literally(
    bank_copy: Path,
) -> None:
    from textual.widgets import Static

    from app.authoring.watch import WatchApp

    app = WatchApp([bank_copy])
    async with app.run_test(size=(110, 40)) as pilot:
        await pilot.pause()
        assert app.problems == []
        extra = bank_copy / "apis.yaml"
        extra.write_text("skill: apis\ntitle: '[b]APIs'\ndescription: x\nquestions:\n  - id: [x\n")
        _bump_mtime(bank_copy)
        await app.file_monitor()
        await pilot.pause()
        shown = str(app.query_one("#problems", Static).render())
        assert f"{extra}:" in shown and "error: YAML syntax error" in shown
        await pilot.press("r")
        await pilot.pause()
        assert app.checks >= 3


# -- hygiene ---------------------------------------------------------------------------------


def test_authoring_core_does_not_import_textual() -> None:
    code = (
        "import importlib, json, sys\n"
        "for name in ('app.cli.authoring', 'app.authoring.calibrate', 'app.authoring.kit',"
        " 'app.authoring.anki', 'app.authoring.scaffold'):\n"
        "    importlib.import_module(name)\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] == 'textual')))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=True
    )
    assert json.loads(result.stdout) == []


KIT_ARGS = ("--ids", "net-tcp-handshake", "--out", "-")


def test_commands_are_wired_into_the_cli(tmp_path: Path) -> None:
    """The authoring commands run through ``drillbit``."""
    from tests.conftest import environ_for_subprocess

    result = subprocess.run(
        [sys.executable, "-m", "app", "kit", "--bank", str(FIXTURE_BANK), *KIT_ARGS],
        capture_output=True,
        text=True,
        env=environ_for_subprocess(tmp_path),
        cwd=tmp_path,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("# Interview kit: Selected questions")


PLACEHOLDER_BASE = """skill: debugging
questions:
  - id: dbg-a
    title: A title
    difficulty: medium
    time: 90s
    kind: debugging
    prompt: A real prompt
    answer: A real answer
"""


@pytest.mark.parametrize(
    ("tail", "expected"),
    [
        # A placeholder deep in a list is found at its own line and column.
        (
            "    rubric:\n      - point: A real point\n      - point: todo\n",
            ["12:16: error: 'rubric' still holds the placeholder text"],
        ),
        # A duplicate key's value is dropped: only the duplicate is reported, not its text.
        ("    answer: todo\n", ["10:5: error: duplicate key 'answer'"]),
        # A key is not a value: a key spelled like a placeholder is only an unknown key.
        (
            "    rubric:\n      - point: A real point\n        todo: 1\n",
            ["12:9: error: unknown key 'todo'"],
        ),
    ],
)
def test_placeholders_are_values_the_question_keeps(tail: str, expected: list[str]) -> None:
    from app.bank.loader import load_text

    loaded = load_text(PLACEHOLDER_BASE + tail, Path("debugging.yaml"))
    messages = [str(problem).removeprefix("debugging.yaml:") for problem in loaded.problems]
    assert len(messages) == len(expected)
    for message, start in zip(messages, expected, strict=True):
        assert message.startswith(start), message
