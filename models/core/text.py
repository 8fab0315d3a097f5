"""Text hygiene: control characters, lengths, and the folded form used for matching."""

from __future__ import annotations

import re
import unicodedata

# C0 and C1 control characters; ESC is among them, so no terminal escape survives.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_CONTROL_SINGLE_LINE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")  # U+2028/9 break lines too
_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "ẞ": "ss"})
_SPACES = re.compile(r"\s+")


def has_control(value: str) -> bool:
    """True if a single-line value holds any control character (newline and tab included)."""
    return bool(_CONTROL_SINGLE_LINE.search(value))


def strip_control(value: str) -> str:
    """Multi-line text keeps newlines and tabs; every other control character is removed."""
    return _CONTROL.sub("", value.replace("\r\n", "\n").replace("\r", "\n"))


def fold(value: str | None) -> str:
    """The matching key of a name: 'Müller', 'Mueller' and 'MÜLLER' all give 'mueller'."""
    if not value:
        return ""
    # Compose first: a decomposed "u" + U+0308 must become "ue" like "ü", not a plain "u".
    lowered = unicodedata.normalize("NFC", value).casefold().translate(_UMLAUTS)
    decomposed = unicodedata.normalize("NFKD", lowered)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SPACES.sub(" ", plain).strip()
