"""The help screen: every key, in the Anki conventions drillbit follows."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Markdown

KEYS = """\
# Keys

| key | on the question screen |
| --- | --- |
| `space` | reveal the model answer, rubric, follow-ups and notes |
| `1` `2` `3` `4` | rate Again / Hard / Good / Easy (saved at once) |
| `h` | show the next hint (each one is recorded) |
| `i` | write in the answer editor; `escape` leaves it |
| `a`-`e` | pick an option of a multiple-choice question |
| `tab` | move between the answer, the rubric and the rating buttons |
| `s` | skip this question |
| `u` | undo the last rating |
| `p` | pause and resume the clocks |
| `n` | mock-interview loops: next question of the round |
| `ctrl+e` | open this question's YAML in `$EDITOR`; the bank reloads afterwards |
| `q` | end the session (asks first) |
| `ctrl+r` | coding exercise: run the tests (in the editor too); again or `escape` cancels |
| `ctrl+l` | coding exercise: the next language it offers and this machine has |

| key | everywhere |
| --- | --- |
| `?` | this help |
| `ctrl+p` | command palette: sessions, stats, themes, keys |
| `ctrl+t` | light / dark theme |
| `enter` | home: a quick session (due first, then new) |
| `n` / `s` | home: choose a session / statistics |
| `q` | home: quit |

Ratings follow FSRS, the scheduler Anki uses: each button shows when the question would come
back. The suggested rating comes from the rubric points you ticked, capped by hints used and
overtime; the one you choose is what counts.
"""


class HelpScreen(ModalScreen[None]):
    BINDINGS = [
        Binding("escape,q,question_mark", "close", "Close"),
    ]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help"):
            yield Markdown(KEYS, open_links=False)

    def action_close(self) -> None:
        self.dismiss(None)
