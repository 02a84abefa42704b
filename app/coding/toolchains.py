"""Which languages this machine can run, with which tools (for the runner and ``doctor``)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from functools import cache

from app.coding.languages import Name

LANGUAGE_NAMES: tuple[Name, ...] = ("python", "go", "rust")
_OVERRIDES = {"go": "DRILLBIT_GO", "rust": "DRILLBIT_RUSTC"}
_COMMANDS = {"go": "go", "rust": "rustc"}


@dataclass(frozen=True)
class Toolchain:
    language: Name
    path: str | None
    """The interpreter or compiler; None when it is not installed."""
    version: str

    @property
    def available(self) -> bool:
        return self.path is not None


def _version(argv: list[str]) -> str:
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=20, check=False)
    except (OSError, subprocess.SubprocessError) as error:
        return f"unknown ({error})"
    return (done.stdout or done.stderr).strip().splitlines()[0] if done.returncode == 0 else ""


def tool_path(language: Name) -> str | None:
    """The tool the runner uses: drillbit's own Python; go and rustc from $DRILLBIT_GO or
    $DRILLBIT_RUSTC, else from PATH."""
    if language == "python":
        return sys.executable
    override = os.environ.get(_OVERRIDES[language], "").strip()
    if override:
        return shutil.which(override)
    return shutil.which(_COMMANDS[language])


@cache
def _probe(language: Name, path: str | None) -> Toolchain:
    if path is None:
        return Toolchain(language, None, "")
    if language == "python":
        version = "Python " + sys.version.split()[0]
    elif language == "go":
        version = _version([path, "version"])
    else:
        version = _version([path, "--version"])
    return Toolchain(language, path, version)


def toolchain(language: Name) -> Toolchain:
    """The language's toolchain (versions are asked once per process and path)."""
    return _probe(language, tool_path(language))


def toolchains() -> list[Toolchain]:
    return [toolchain(language) for language in LANGUAGE_NAMES]
