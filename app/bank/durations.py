"""Time budgets written like ``90s``, ``8m``, ``1h`` or ``1h30m``. No dependencies."""

from __future__ import annotations

import functools
import re

DURATION_PATTERN = r"^(?:\d+h(?:\d+m)?(?:\d+s)?|\d+m(?:\d+s)?|\d+s)$"
_DURATION_RE = re.compile(r"^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$")

# One set of bounds for every time budget: a question's, a loop round's, a session's, and what
# the store records and import accepts. Beyond a day a budget means nothing, and huge values
# overflow the dates and widths the TUI computes from them.
MIN_BUDGET_S = 1
MAX_BUDGET_S = 24 * 3600


@functools.lru_cache(maxsize=256)  # a bank repeats a handful of budgets thousands of times
def parse_duration(text: str) -> int:
    """Seconds in a budget written like ``90s``, ``8m``, ``1h`` or ``1h30m``."""
    match = _DURATION_RE.match(text) if len(text) <= 20 else None
    if not match or not text:
        raise ValueError(f"'{text[:20]}' is not a duration: write it like 90s, 8m, 1h or 1h30m")
    hours, minutes, seconds = (int(group or 0) for group in match.groups())
    total = hours * 3600 + minutes * 60 + seconds
    if not MIN_BUDGET_S <= total <= MAX_BUDGET_S:
        raise ValueError("a time budget must be between 1s and 24h")
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
