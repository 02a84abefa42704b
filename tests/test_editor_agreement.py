"""Editors agree with `drillbit validate` (issue 15, item 7).

The real yaml-language-server (what VS Code, Neovim and Helix run) is driven over stdio on the
bundled bank and on broken files: it must flag exactly the places `validate` flags, at the same
line and column, read YAML as drillbit does (1.2), and tell loops files from skill files.

The server is installed by `.ci/run` (npm, into .ci/lsp); without node or the server the test is
skipped with the reason, except under CI=true, where it fails.
"""

from __future__ import annotations

import json
import os
import queue
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REPO, environ_for_subprocess

SERVER_TIMEOUT_S = 60.0


def _server() -> Path:
    installed = REPO / ".ci" / "lsp" / "node_modules" / ".bin" / "yaml-language-server"
    found = installed if installed.exists() else shutil.which("yaml-language-server")
    reason = None
    if shutil.which("node") is None:
        reason = "node is not installed"
    elif found is None:
        reason = "yaml-language-server is not installed (run: npm ci --prefix .ci/lsp)"
    if reason is not None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason}; CI must run the editor-agreement test")
        pytest.skip(reason)
    return Path(str(found))


class LanguageServer:
    """A minimal LSP client: JSON-RPC over the server's stdin and stdout."""

    def __init__(self, command: Path) -> None:
        self.process = subprocess.Popen(
            [str(command), "--stdio"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        self.messages: queue.Queue[dict[str, Any]] = queue.Queue()
        self.diagnostics: dict[str, list[dict[str, Any]]] = {}
        self.responses: dict[int, Any] = {}
        self.next_id = 0
        threading.Thread(target=self._read, daemon=True).start()
        self.request("initialize", {"processId": os.getpid(), "rootUri": None, "capabilities": {}})
        self.notify("initialized", {})
        settings = {"yaml": {"validate": True, "hover": True, "completion": True}}
        settings["yaml"]["schemaStore"] = {"enable": False}
        self.notify("workspace/didChangeConfiguration", {"settings": settings})

    def _read(self) -> None:
        stream = self.process.stdout
        assert stream is not None
        while True:
            length = 0
            while True:
                line = stream.readline()
                if not line:
                    return
                if not line.strip():
                    break
                name, _, value = line.decode("ascii").partition(":")
                if name.lower() == "content-length":
                    length = int(value)
            self.messages.put(json.loads(stream.read(length)))

    def _send(self, message: dict[str, Any]) -> None:
        data = json.dumps({"jsonrpc": "2.0", **message}).encode()
        assert self.process.stdin is not None
        self.process.stdin.write(f"Content-Length: {len(data)}\r\n\r\n".encode() + data)
        self.process.stdin.flush()

    def notify(self, method: str, params: dict[str, Any]) -> None:
        self._send({"method": method, "params": params})

    def request(self, method: str, params: dict[str, Any]) -> Any:
        self.next_id += 1
        number = self.next_id
        self._send({"id": number, "method": method, "params": params})
        self.pump(lambda: number in self.responses)
        return self.responses.pop(number)

    def pump(self, done: Any, timeout: float = SERVER_TIMEOUT_S) -> None:
        """Handle messages until ``done()``; answers the server's own requests."""
        deadline = time.monotonic() + timeout
        while not done():
            if time.monotonic() > deadline:
                raise AssertionError("yaml-language-server did not answer in time")
            try:
                message = self.messages.get(timeout=0.2)
            except queue.Empty:
                continue
            method = message.get("method")
            if "id" in message and method is None:
                self.responses[message["id"]] = message.get("result")
            elif method == "textDocument/publishDiagnostics":
                self.diagnostics[message["params"]["uri"]] = message["params"]["diagnostics"]
            elif method == "workspace/configuration":
                items = message["params"]["items"]
                result = [{"validate": True, "schemaStore": {"enable": False}} for _ in items]
                self._send({"id": message["id"], "result": result})
            elif "id" in message:
                self._send({"id": message["id"], "result": None})

    def open(self, path: Path) -> str:
        uri = path.resolve().as_uri()
        self.diagnostics.pop(uri, None)
        document = {"uri": uri, "languageId": "yaml", "version": 1, "text": path.read_text()}
        self.notify("textDocument/didOpen", {"textDocument": document})
        return uri

    def positions(self, paths: list[Path]) -> dict[Path, set[tuple[int, int]]]:
        """Each file's diagnostics as 1-based (line, column), once the server has settled."""
        uris = {self.open(path): path for path in paths}
        self.pump(lambda: uris.keys() <= self.diagnostics.keys())
        quiet_until = time.monotonic() + 1.0  # later passes (schemas loaded) replace earlier
        self.pump(lambda: time.monotonic() > quiet_until)
        return {
            path: {
                (d["range"]["start"]["line"] + 1, d["range"]["start"]["character"] + 1)
                for d in self.diagnostics[uri]
            }
            for uri, path in uris.items()
        }

    def close(self) -> None:
        self.process.kill()
        self.process.wait()


@pytest.fixture(scope="module")
def server() -> Any:
    client = LanguageServer(_server())
    yield client
    client.close()


def validate_positions(tmp_path: Path, paths: list[Path]) -> dict[Path, set[tuple[int, int]]]:
    result = subprocess.run(
        [sys.executable, "-m", "app", "validate", *map(str, paths)],
        capture_output=True,
        text=True,
        env=environ_for_subprocess(tmp_path),
        timeout=120,
    )
    found: dict[Path, set[tuple[int, int]]] = {path: set() for path in paths}
    for line in result.stdout.splitlines():
        if ": error: " not in line:
            continue
        place = line.split(": error: ", 1)[0]
        name, line_number, column = place.rsplit(":", 2)
        found[Path(name)].add((int(line_number), int(column)))
    return found


def test_the_bundled_bank_is_clean_in_both(server: LanguageServer, tmp_path: Path) -> None:
    paths = sorted((REPO / "questions").glob("*.yaml")) + sorted(
        (REPO / "questions").glob("*/*.yaml")
    )
    from_editor = server.positions(paths)
    assert all(not found for found in from_editor.values()), from_editor
    assert validate_positions(tmp_path, paths) == {path: set() for path in paths}


BROKEN = {
    "network-protocols.yaml": """\
# yaml-language-server: $schema=schema.json
skill: network-protocols
title: Network protocols
description: D
questions:
  - id: Bad Id
    title: One
    difficulty: hardest
    time: soon
    prompt: P
    answer: A
    colour: red
    choices:
      - text: a
        correct: yes
      - text: No
        correct: true
  - id: net-two
    title: Two
    difficulty: easy
    time: 5m
    prompt: P
    rubric:
      - point: A point
        weight: 11
""",
    "network-protocols/more.yaml": """\
# yaml-language-server: $schema=../schema.json
skill: network-protocols
questions:
  - id: net-three
    title: Three
    difficulty: easy
    time: 5m
    kind: trivia
    tags: tcp
    prompt: P
    answer: A
""",
    "loops.yaml": """\
# yaml-language-server: $schema=loops.schema.json
loop:
  - name: x
""",
    "more/loops.yaml": """\
# yaml-language-server: $schema=../loops.schema.json
loops:
  - name: Onsite Day
    title: Onsite
    rounds:
      - title: Design
        time: 45 minutes
        kind: [design]
        count: 0
        break_after: 10m
""",
}


@pytest.fixture
def broken(tmp_path: Path) -> list[Path]:
    bank = tmp_path / "bank"
    paths = []
    for name, text in BROKEN.items():
        path = bank / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        paths.append(path)
    for name in ("schema.json", "loops.schema.json"):
        shutil.copy(REPO / "questions" / name, bank / name)
    return paths


def test_broken_files_are_flagged_at_the_same_places(
    server: LanguageServer, broken: list[Path], tmp_path: Path
) -> None:
    from_editor = server.positions(broken)
    from_validate = validate_positions(tmp_path, broken)
    for path in broken:
        assert from_validate[path], path  # every broken file has something to agree on
        assert from_editor[path] == from_validate[path], path
    # YAML 1.2 in both: `correct: yes` is an error (not a boolean), `- text: No` is text.
    skill_file = broken[0]
    assert (15, 18) in from_editor[skill_file] and (16, 15) not in from_editor[skill_file]


def test_completion_knows_loops_files_from_skill_files(
    server: LanguageServer, broken: list[Path]
) -> None:
    loops = broken[2]
    loops.write_text("# yaml-language-server: $schema=loops.schema.json\n\n")
    uri = server.open(loops)
    items = server.request(
        "textDocument/completion",
        {"textDocument": {"uri": uri}, "position": {"line": 1, "character": 0}},
    )
    labels = {item["label"] for item in (items["items"] if isinstance(items, dict) else items)}
    assert "loops" in labels
    assert not labels & {"skill", "title", "questions"}
