"""An installed drillbit has every package of the checkout: pyproject lists them by hand."""

from __future__ import annotations

import tomllib

from tests.conftest import REPO


def test_every_package_is_listed_in_pyproject() -> None:
    listed = set(
        tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]
    )
    found = {
        ".".join(path.parent.relative_to(REPO).parts)
        for path in (REPO / "app").rglob("__init__.py")
    }
    assert found - listed == set()
