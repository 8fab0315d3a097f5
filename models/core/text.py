"""Text hygiene: control characters, lengths, and the folded form used for matching."""

from __future__ import annotations

import re
import unicodedata

# C0 and C1 control characters; ESC is among them, so no terminal escape survives.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_CONTROL_SINGLE_LINE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")  # U+2028/9 break lines too
_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "ẞ": "ss"})
_SPACES = re.compile(r"\s+")
# Embedding/override/isolate controls reorder what a reader sees ("exe.txt" shown for "txt.exe").
_BIDI_CONTROLS = re.compile(r"[\u202a-\u202e\u2066-\u2069]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
# Letters that render as nothing (Hangul fillers, the braille blank) next to the Cf/Z/M categories.
_BLANK_LETTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800")


def has_bidi_control(value: str) -> bool:
    """True if the text holds a bidirectional embedding, override or isolate (U+202A-E, U+2066-9)."""
    return bool(_BIDI_CONTROLS.search(value))


def has_lone_surrogate(value: str) -> bool:
    """True if the text holds a UTF-16 surrogate on its own, which no UTF-8 file or database can store."""
    return bool(_SURROGATE.search(value))


def is_invisible(value: str) -> bool:
    """True if nothing of the text would be seen: only spaces, format characters (U+FEFF, U+200B),
    combining marks or blank letters."""
    return not any(unicodedata.category(ch)[0] in "LNPS" and ch not in _BLANK_LETTERS for ch in value)


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
