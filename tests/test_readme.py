"""The README's Quick start is exactly two commands that work on a Python marked externally
managed (PEP 668), and CI runs the test one verbatim."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sysconfig
from pathlib import Path

import pytest

from tests.conftest import REPO


def quick_start_commands() -> list[str]:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sh\n(.+?)\n```", section)


def test_quick_start_has_two_commands() -> None:
    commands = quick_start_commands()
    assert len(commands) == 2
    assert "drillbit" in commands[0] and "pytest" in commands[1]


def test_ci_runs_the_readme_test_command_verbatim() -> None:
    ci_lines = (REPO / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert quick_start_commands()[1] in ci_lines


def test_quick_start_installs_nothing_outside_the_project_directory() -> None:
    """pip into the system's Python stops at once under PEP 668: every install goes into a
    virtual environment in the project directory, created by the same command."""
    for command in quick_start_commands():
        steps = [step.strip() for step in command.split("&&")]
        assert steps[0] == "python3 -m venv .venv"
        installs = [step for step in steps if " install " in f" {step} "]
        assert installs and all(step.startswith(".venv/bin/pip install ") for step in installs)
        assert "--break-system-packages" not in command and "--user" not in command


def _externally_managed_python() -> Path | None:
    """A system python3 marked externally managed (Debian 12, Ubuntu 23.04+), if there is one."""
    for candidate in ("/usr/bin/python3", shutil.which("python3")):
        if not candidate or not Path(candidate).exists():
            continue
        stdlib = subprocess.run(
            [candidate, "-c", "import sysconfig; print(sysconfig.get_path('stdlib'))"],
            capture_output=True,
            text=True,
            check=False,
        ).stdout.strip()
        if stdlib and (Path(stdlib) / "EXTERNALLY-MANAGED").exists():
            return Path(candidate)
    return None


def _project_copy(target: Path) -> Path:
    """The project's tracked files, as a fresh clone has them (no .venv, no build output)."""
    listed = subprocess.run(
        ["git", "ls-files", "-z"], cwd=REPO, capture_output=True, check=True
    ).stdout.split(b"\0")
    for name in filter(None, listed):
        source = REPO / os.fsdecode(name)
        if source.is_file():
            destination = target / os.fsdecode(name)
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, destination)
    return target


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git to list the project's files")
def test_the_launch_command_installs_and_starts_drillbit_from_nothing(tmp_path: Path) -> None:
    """The first Quick start command, verbatim, in a copy of the project with no virtual
    environment, with python3 the system's own when it is marked externally managed (where a
    plain pip install fails): it creates .venv, installs drillbit into it and starts it. With no
    terminal, drillbit starts and says it needs one: the installed command ran, from nothing."""
    python = _externally_managed_python()
    python_dir = python.parent if python else Path(sysconfig.get_path("scripts"))
    if python is None and not (python_dir / "python3").exists():
        pytest.skip("no python3 to run the Quick start with")
    project = _project_copy(tmp_path / "drillbit")
    env = {
        "PATH": os.pathsep.join([str(python_dir), "/usr/bin", "/bin"]),
        "HOME": os.environ.get("HOME", str(tmp_path)),
        "LANG": "C.UTF-8",
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "XDG_STATE_HOME": str(tmp_path / "state"),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "DRILLBIT_CACHE_DIR": str(tmp_path / "cache"),
        **{key: value for key, value in os.environ.items() if key.startswith("PIP_")},
    }
    launch = quick_start_commands()[0]
    result = subprocess.run(
        ["sh", "-c", launch],
        cwd=project,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert "externally-managed-environment" not in result.stderr
    assert result.stderr.strip().splitlines()[-1] == (
        "drillbit: the practice screen needs a terminal (stdin and stdout must be a TTY);"
        " for scripts, use drillbit list, show, stats or export"
    ), result.stderr[-3000:]
    assert result.returncode == 1
    venv_python = project / ".venv" / "bin" / "python"
    version = subprocess.run(
        [str(project / ".venv" / "bin" / "drillbit"), "--version"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert version.stdout.startswith("drillbit ")
    # Installed into the project's own environment, which does not see the system's packages.
    where = subprocess.run(
        [str(venv_python), "-c", "import app, sys; print(app.__file__); print(sys.prefix)"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    assert where[0].startswith(str(project / ".venv")) and where[1] == str(project / ".venv")
    if python is not None:
        plain = subprocess.run(
            [str(python), "-m", "pip", "install", "--dry-run", "--no-deps", "."],
            cwd=project,
            env=env,
            capture_output=True,
            text=True,
        )
        # The case the Quick start is for: here a plain pip install is refused.
        assert "externally-managed-environment" in plain.stderr, plain.stderr[-2000:]
