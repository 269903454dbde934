"""A hand-written reader for UI-TARS's ``Thought: ...`` / ``Action: name(key='value')`` text.

UI-TARS writes Python-looking calls, and its reference parser feeds them to ``ast``.  We
never evaluate model text, so this is a small scanner instead: it splits off the thought,
then reads calls of the form ``name(key='value', ...)`` one per line.

Quoting is where real outputs go wrong, so the scanner is deliberately forgiving there and
strict everywhere else:

* single or double quotes, with the escapes the prompt asks for (``\\'``, ``\\"``, ``\\n``,
  ``\\t``, ``\\\\``); an unknown escape keeps its backslash, as Python would;
* an *unescaped* quote inside a value (``type(content='it's')``) counts as text unless it is
  followed by ``, key=`` or by ``)`` at the end of the line -- the only places a value ends;
* several actions must be on separate lines; two calls glued on one line, text after the
  last call, or a value that is never closed (a cut-off answer) are rejected.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from deskhand.vision.dialects.common import Reject

__all__ = ["Call", "read_calls", "reply_end", "split_reply"]

_ESCAPES = {"n": "\n", "t": "\t", "'": "'", '"': '"', "\\": "\\"}
_NOISE = re.compile(r"\[EOS\]|<\|im_end\|>|<\|endoftext\|>")
_FENCE_LINE = re.compile(r"^[ \t]*```[\w-]*[ \t]*$", re.M)
# "Action：" with a full-width colon is an Action line, as ByteDance's own parser reads it.
_ACTION_LINE = re.compile(r"^[ \t]*Action[ \t]*[:\uff1a][ \t]*", re.M)
_ACTION_INLINE = re.compile(r"(?<=\s)Action[ \t]*[:\uff1a][ \t]*")
_THOUGHT_LABEL = re.compile(r"^\s*(?:Thought|Reflection|Action_Summary)\s*:\s*")
_CALL_NAME = re.compile(r"([A-Za-z_]\w*)[ \t]*\(")
_ARG_NAME = re.compile(r"([A-Za-z_]\w*)\s*=\s*")
_BARE_VALUE = re.compile(r"[^,()\s]+")
# A quote ends a value only where a value can end: before ", key=" or before the closing
# parenthesis that ends the line (or is glued to the next call, which is then refused).
_VALUE_END = re.compile(r"[ \t]*(?:,\s*[A-Za-z_]\w*\s*=|\)[ \t]*(?:\r?\n|$|[A-Za-z_]\w*[ \t]*\())")


@dataclass(frozen=True, slots=True)
class Call:
    """One action as written: its name and its keyword arguments as strings."""

    name: str
    args: dict[str, str]


def split_reply(raw: str) -> tuple[str, str]:
    """Split an answer into (thought, action section); reject one without ``Action:``."""
    text = _FENCE_LINE.sub("", _NOISE.sub("", raw)).strip()
    if not text:
        raise Reject("the answer is empty")
    match = _ACTION_LINE.search(text) or _ACTION_INLINE.search(text)
    if match is None:
        raise Reject("there is no 'Action:' line")
    thought = _THOUGHT_LABEL.sub("", text[: match.start()].strip(), count=1).strip()
    return thought, text[match.end() :]


def read_calls(section: str) -> list[Call]:
    """Read the calls of an action section, one per line."""
    scanner = _Scanner(section)
    calls: list[Call] = []
    while True:
        crossed_line = scanner.skip_space()
        if scanner.done():
            break
        if calls and not crossed_line:
            raise Reject("two actions are glued together on one line; write each action on its own line")
        calls.append(scanner.call())
    if not calls:
        raise Reject("the 'Action:' line is empty")
    return calls


_ENDS_TASK = frozenset({"finished", "finish", "call_user"})
_NAME_SO_FAR = re.compile(r"[A-Za-z_]\w*[ \t]*")


def reply_end(partial: str) -> int | None:
    """Where a complete answer ends in a partial one, or None while more may belong to it.

    Complete means: an ``Action:`` section with at least one whole call, and then either
    a call that ends the task, or text on a new line that cannot become another call (the
    model starting a new ``Thought:``, say) -- which the parser would refuse, so cutting
    there also saves a repair.  A call still being written, or a blank line after one
    (another action may follow), is not complete yet.
    """
    match = _ACTION_LINE.search(partial) or _ACTION_INLINE.search(partial)
    if match is None:
        return None
    scanner = _Scanner(partial)
    scanner.pos = match.end()
    end: int | None = None
    while True:
        scanner.skip_space()
        if scanner.done():
            return None
        if _CALL_NAME.match(partial, scanner.pos) is None:
            if end is not None and _NAME_SO_FAR.fullmatch(partial, scanner.pos):
                return None  # the start of a name: it may still become a call
            return end
        try:
            call = scanner.call()
        except Reject:
            return None  # cut off inside the call
        end = scanner.pos
        if call.name in _ENDS_TASK:
            return end


class _Scanner:
    def __init__(self, text: str) -> None:
        self.text, self.pos = text, 0

    def done(self) -> bool:
        return self.pos >= len(self.text)

    def skip_space(self) -> bool:
        """Skip whitespace; say whether a line break was among it."""
        start = self.pos
        while not self.done() and self.text[self.pos].isspace():
            self.pos += 1
        return "\n" in self.text[start : self.pos]

    def call(self) -> Call:
        match = _CALL_NAME.match(self.text, self.pos)
        if match is None:
            snippet = self.text[self.pos : self.pos + 40].splitlines()[0]
            raise Reject(f"expected an action such as click(...) but found {snippet!r}")
        self.pos = match.end()
        name = match.group(1)
        args: dict[str, str] = {}
        while True:
            self.skip_space()
            if self.done():
                raise Reject(f"the action {name}(...) is cut off before its closing parenthesis")
            if self.text[self.pos] == ")":
                self.pos += 1
                return Call(name, args)
            if args:
                if self.text[self.pos] != ",":
                    raise Reject(f"expected ',' or ')' in {name}(...)")
                self.pos += 1
                self.skip_space()
                if not self.done() and self.text[self.pos] == ")":
                    continue
            key, value = self.argument(name)
            args[key] = value

    def argument(self, name: str) -> tuple[str, str]:
        match = _ARG_NAME.match(self.text, self.pos)
        if match is None:
            raise Reject(f"expected key='value' arguments in {name}(...)")
        self.pos = match.end()
        if self.done():
            raise Reject(f"the action {name}(...) is cut off")
        if self.text[self.pos] in "'\"":
            return match.group(1), self.quoted()
        bare = _BARE_VALUE.match(self.text, self.pos)
        if bare is None:
            raise Reject(f"the argument {match.group(1)} of {name}(...) has no value")
        self.pos = bare.end()
        return match.group(1), bare.group(0)

    def quoted(self) -> str:
        quote = self.text[self.pos]
        self.pos += 1
        out: list[str] = []
        while not self.done():
            char = self.text[self.pos]
            if char == "\\" and self.pos + 1 < len(self.text):
                following = self.text[self.pos + 1]
                out.append(_ESCAPES.get(following, "\\" + following))
                self.pos += 2
                continue
            self.pos += 1
            if char == quote and _VALUE_END.match(self.text, self.pos):
                return "".join(out)
            out.append(char)
        raise Reject("the action is cut off: a quoted value is never closed")
