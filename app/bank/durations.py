"""Time budgets written like ``90s``, ``8m``, ``1h`` or ``1h30m``. No dependencies."""

from __future__ import annotations

import re

DURATION_PATTERN = r"^(?:\d+h(?:\d+m)?(?:\d+s)?|\d+m(?:\d+s)?|\d+s)$"
_DURATION_RE = re.compile(r"^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$")


def parse_duration(text: str) -> int:
    """Seconds in a budget written like ``90s``, ``8m``, ``1h`` or ``1h30m``."""
    match = _DURATION_RE.match(text)
    if not match or not text:
        raise ValueError(f"'{text}' is not a duration: write it like 90s, 8m, 1h or 1h30m")
    hours, minutes, seconds = (int(group or 0) for group in match.groups())
    total = hours * 3600 + minutes * 60 + seconds
    if total <= 0:
        raise ValueError("a time budget must be longer than zero")
    return total


def format_duration(seconds: int) -> str:
    """The inverse of :func:`parse_duration`: ``5400`` gives ``1h30m``."""
    hours, rest = divmod(max(0, int(seconds)), 3600)
    minutes, secs = divmod(rest, 60)
    parts = [
        f"{hours}h" if hours else "",
        f"{minutes}m" if minutes else "",
        f"{secs}s" if secs else "",
    ]
    return "".join(parts) or "0s"
