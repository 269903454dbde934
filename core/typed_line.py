"""The command line a terminal holds: what was typed since the last Enter, per window.

A model can type a blocked command in pieces -- ``r``, then ``m -rf ~/Documents`` and a
newline, or key by key -- and each piece alone is harmless text; the shell runs the whole
line when Enter arrives.  So each task keeps, for every focused window, the line as it
stands after each keyboard action that ran (text, printable keys, and the editing keys the
shells share: BackSpace, Delete, cursor moves, Ctrl+U/K/W/Y, ...), and the policy judges
the whole line that Enter -- or a newline inside typed text -- is about to send
(``deskhand.core.policy``).

What cannot be followed -- a line recalled from history, a pasted clipboard, a chord whose
effect is unknown -- makes the line ``unsure``: the policy asks before Enter sends it to
a terminal.  Keys that clear a line do so only where they do: Ctrl+C in a terminal (in
other applications it copies), Escape outside terminals (in a shell it is only a prefix).

Pure data and functions; the task keeps a ``TypedLines`` in its shared state.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from deskhand.core.actions import Action, Click, Hotkey, TypeText
from deskhand.core.element_info import ElementInfo
from deskhand.core.gui_rules import Reach, typing_reaches
from deskhand.core.key_names import MODIFIER_KEYS

__all__ = ["NEWLINE", "Line", "TypedLines", "sends_line"]

NEWLINE = re.compile(r"\r\n|\r|\n")  # each one is an Enter press (see actions.text_entry)
_SHIFTED = dict(zip("`1234567890-=[]\\;',./", '~!@#$%^&*()_+{}|:"<>?', strict=True))  # US layout
_SUBMIT_CTRL = frozenset({"j", "m", "o"})  # readline: accept-line, accept-line, operate-and-get-next
_HISTORY_KEYS = frozenset({"up", "down", "pageup", "pagedown"})
_HISTORY_CTRL = frozenset({"p", "n", "r", "s"})
_INERT_KEYS = frozenset(
    {"tab", "insert", "capslock", "printscreen", "menu", *(f"f{n}" for n in range(1, 25))}
)
_WORD = re.compile(r"\w")


def sends_line(keys: tuple[str, ...]) -> bool:
    """Whether pressing ``keys`` sends the line to the shell (Enter in any chord, Ctrl+J/M/O)."""
    if "enter" in keys:
        return True
    main = [k for k in keys if k not in MODIFIER_KEYS]
    return set(keys) - set(main) == {"ctrl"} and len(main) == 1 and main[0] in _SUBMIT_CTRL


@dataclass(frozen=True, slots=True)
class Line:
    """One window's unsent line: its text, the cursor in it, and what cannot be known."""

    text: str = ""
    cursor: int = 0
    unsure: bool = False  # the line may hold text Deskhand did not see typed
    sent: int = 0  # lines this window has sent with Enter: evidence it is a command line
    killed: str = ""  # what the last Ctrl+U/K/W cut (Ctrl+Y puts it back)

    def typed(self, text: str) -> tuple[tuple[Line, ...], Line]:
        """The lines ``text`` sends (one per newline in it) and the line left after it."""
        parts = NEWLINE.split(text)
        line, sent = self, []
        for number, part in enumerate(parts):
            line = line._insert(part)
            if number < len(parts) - 1:
                sent.append(line)
                line = line._cleared()
        return tuple(sent), line

    def pressed(self, keys: tuple[str, ...], reach: Reach) -> tuple[Line | None, Line]:
        """The line ``keys`` send (or ``None``) and the line left after them."""
        if sends_line(keys):
            return self, self._cleared()
        mods = frozenset(k for k in keys if k in MODIFIER_KEYS)
        main = [k for k in keys if k not in MODIFIER_KEYS]
        if not main or "super" in mods:
            return None, self  # modifiers alone type nothing; super+... is the desktop's
        if len(main) > 1:
            return None, self._unsure()
        key = main[0]
        if mods <= {"shift"}:
            return None, self._plain(key, shifted=bool(mods), reach=reach)
        if mods == {"ctrl"} or mods == {"ctrl", "shift"}:
            return None, self._ctrl(key, shifted="shift" in mods, reach=reach)
        if mods == {"alt"}:
            return None, self._alt(key)
        return None, self._unsure()

    # ---------------------------------------------------------------- editing

    def _insert(self, text: str) -> Line:
        if not text:
            return self
        head, tail = self.text[: self.cursor], self.text[self.cursor :]
        return replace(self, text=head + text + tail, cursor=self.cursor + len(text))

    def _cleared(self) -> Line:
        return Line(sent=self.sent + 1, killed=self.killed)

    def _reset(self) -> Line:
        return Line(sent=self.sent, killed=self.killed)

    def _unsure(self) -> Line:
        return replace(self, unsure=True)

    def _recalled(self) -> Line:
        """History replaced the line with one Deskhand cannot see."""
        return replace(self, text="", cursor=0, unsure=True)

    def _move(self, to: int) -> Line:
        return replace(self, cursor=max(0, min(len(self.text), to)))

    def _cut(self, start: int, end: int) -> Line:
        start, end = max(0, start), min(len(self.text), end)
        if start >= end:
            return self
        return replace(
            self, text=self.text[:start] + self.text[end:], cursor=start, killed=self.text[start:end]
        )

    def _word_start(self, *, spaces_only: bool) -> int:
        """Where the word before the cursor starts: words end at spaces (Ctrl+W) or at
        anything but letters and digits (Alt+BackSpace, Alt+B)."""

        def inside(c: str) -> bool:
            return not c.isspace() if spaces_only else bool(_WORD.match(c))

        i = self.cursor
        while i > 0 and not inside(self.text[i - 1]):
            i -= 1
        while i > 0 and inside(self.text[i - 1]):
            i -= 1
        return i

    def _word_end(self) -> int:
        i = self.cursor
        while i < len(self.text) and not _WORD.match(self.text[i]):
            i += 1
        while i < len(self.text) and _WORD.match(self.text[i]):
            i += 1
        return i

    def _plain(self, key: str, *, shifted: bool, reach: Reach) -> Line:
        if len(key) == 1:
            return self._insert(_SHIFTED.get(key, key.upper()) if shifted else key)
        match key:
            case "space":
                return self._insert(" ")
            case "backspace":
                return self._cut(self.cursor - 1, self.cursor)
            case "delete":
                return self._cut(self.cursor, self.cursor + 1)
            case "left" | "right":
                return self._move(self.cursor + (1 if key == "right" else -1))
            case "home" | "end":
                return self._move(0 if key == "home" else len(self.text))
            case "escape":
                return self._reset() if reach is Reach.FIELD else self
            case "insert" if shifted:
                return self._unsure()  # Shift+Insert pastes
            case _ if key in _HISTORY_KEYS:
                return self._recalled()
            case _ if key in _INERT_KEYS:
                return self
        return self._unsure()

    def _ctrl(self, key: str, *, shifted: bool, reach: Reach) -> Line:
        if shifted:  # Ctrl+Shift+C copies in terminals; Ctrl+Shift+V pastes; others are the app's
            return self if key == "c" else self._unsure()
        match key:
            case "a" | "e":
                return self._move(0 if key == "a" else len(self.text))
            case "b" | "f":
                return self._move(self.cursor + (1 if key == "f" else -1))
            case "h" | "backspace":
                return self._cut(self.cursor - 1, self.cursor) if key == "h" else self._word_back()
            case "d":
                return self._cut(self.cursor, self.cursor + 1)
            case "k":
                return self._cut(self.cursor, len(self.text))
            case "u":
                return self._cut(0, self.cursor)
            case "w":
                return self._cut(self._word_start(spaces_only=True), self.cursor)
            case "y":
                return self._insert(self.killed)
            case "c":
                return self._reset() if reach is Reach.TERMINAL else self
            case "l":
                return self  # clears the screen, keeps the line
            case "left" | "right":
                return self._move(self._word_start(spaces_only=False) if key == "left" else self._word_end())
            case _ if key in _HISTORY_CTRL:
                return self._recalled()
        return self._unsure()

    def _word_back(self) -> Line:
        return self._cut(self._word_start(spaces_only=False), self.cursor)

    def _alt(self, key: str) -> Line:
        match key:
            case "b":
                return self._move(self._word_start(spaces_only=False))
            case "f":
                return self._move(self._word_end())
            case "d":
                return self._cut(self.cursor, self._word_end())
            case "backspace":
                return self._word_back()
        return self._unsure()


@dataclass
class TypedLines:
    """Every window's unsent line in one task, and which window was typed into last.

    A window is named by the inspector (``ElementInfo.window``); when it cannot say, the
    keys are taken to go where the last ones went -- a click does not move a shell's
    line, and guessing "somewhere new" would forget text that is still there.  Only where
    the focus was a known non-terminal field does a click start a new line.
    """

    by_window: dict[str, Line] = field(default_factory=dict)
    reach: dict[str, Reach] = field(default_factory=dict)  # what each window's focus was, last seen
    last: str = ""

    def line(self, element: ElementInfo | None) -> Line:
        """The unsent line of the window ``element`` is in (the last one typed into if unknown)."""
        return self.by_window.get(self._key(element), Line())

    def ran(self, action: Action, element: ElementInfo | None, *, completely: bool = True) -> None:
        """Follow ``action``, which ran on ``element`` (``completely`` false: it may have
        stopped partway, so the line is no longer known)."""
        line, key, reach = self.line(element), self._key(element), typing_reaches(element)
        match action:
            case TypeText(text=text):
                _, line = line.typed(text)
            case Hotkey(keys=keys):
                _, line = line.pressed(keys, reach)
            case Click() if self.reach.get(self.last) is Reach.FIELD:
                # A click in a form moves the caret or the focus to another field; in a
                # terminal it leaves the shell's line as it is.
                self.by_window[self.last] = self.line(None)._reset()
                return
            case _:
                return
        self.by_window[key] = line if completely else line._unsure()
        self.reach[key] = reach
        self.last = key

    def _key(self, element: ElementInfo | None) -> str:
        return element.window if element is not None and element.window else self.last
