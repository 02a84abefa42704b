"""A GitHub-style calendar heatmap of practice, one cell per day, weeks as columns."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta

from rich.text import Text
from textual.widgets import Static

LEVELS = ("·", "░", "▒", "▓", "█")
WEEKS = 26


def heatmap_text(counts: Mapping[date, int], today: date, weeks: int = WEEKS) -> Text:
    start = today - timedelta(days=today.weekday() + 7 * (weeks - 1))
    top = max(counts.values(), default=0)
    text = Text()
    for weekday, name in enumerate(("Mon", "", "Wed", "", "Fri", "", "Sun")):
        text.append(f"{name:<4}", style="dim")
        for week in range(weeks):
            day = start + timedelta(days=7 * week + weekday)
            if day > today:
                text.append("  ")
                continue
            count = counts.get(day, 0)
            level = 0 if not count else 1 + min(3, (count * 4 - 1) // max(top, 1))
            text.append(LEVELS[level] + " ", style="green" if count else "dim")
        text.append("\n")
    text.append(f"    less {' '.join(LEVELS)} more", style="dim")
    return text


class Heatmap(Static):
    def show(self, counts: Mapping[date, int], today: date) -> None:
        self.update(heatmap_text(counts, today))
