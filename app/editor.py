"""The one launcher of the user's editor (``$VISUAL`` or ``$EDITOR``), for ``drillbit new`` and
the question screen's ``e``.

The command is resolved before anything runs: the TUI suspends itself around the editor, and a
failure raised inside the suspension would leave the terminal blank. Every failure is an
``EditorError`` with a one-line message, never a traceback.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
from collections.abc import Mapping
from pathlib import Path


class EditorError(Exception):
    """The editor cannot be run; the message is one line for the user."""


def editor_command(path: Path, line: int, environ: Mapping[str, str] | None = None) -> list[str]:
    """The command that opens ``path`` at ``line``, checked to name a program that exists."""
    environ = os.environ if environ is None else environ
    editor = environ.get("VISUAL", "").strip() or environ.get("EDITOR", "").strip()
    if not editor:
        raise EditorError("neither $VISUAL nor $EDITOR is set")
    try:
        words = shlex.split(editor)
    except ValueError as error:
        raise EditorError(f"cannot read the editor command {editor!r}: {error}") from None
    if not words:
        raise EditorError(f"the editor command {editor!r} is empty")
    program = shutil.which(words[0], path=environ.get("PATH"))
    if program is None:
        raise EditorError(
            f"cannot run the editor {words[0]!r}: no such program"
            " (quote a path that contains spaces)"
        )
    return [program, *words[1:], f"+{line}", str(path)]


def run_editor(command: list[str]) -> int:
    """Run a command from ``editor_command``; its exit status."""
    try:
        return subprocess.run(command, check=False).returncode
    except OSError as error:
        raise EditorError(
            f"cannot run the editor {command[0]!r}: {error.strerror or error}"
        ) from None
