"""The German catalogue is complete and correct: every string of the source is in it, translated,
not fuzzy, with the same placeholders, and the committed .mo is compiled from the committed .po.

After adding strings: `make messages`, translate the new entries in the .po, `make compile-messages`.
"""

from __future__ import annotations

import io
import re
import string
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[1]
LOCALE = ROOT / "models" / "core" / "locale" / "de" / "LC_MESSAGES"
PO = LOCALE / "support24.po"
MO = LOCALE / "support24.mo"
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2), "pgettext": ((1, "c"), 2)}
PERCENT = re.compile(r"%(?:\([^)]*\))?[-#0 +]*\d*(?:\.\d+)?[sdrifgxX%]")


def catalogue() -> Catalog:
    with PO.open("rb") as handle:
        return read_po(handle)


def placeholders(text: str) -> list[str]:
    """The {name} and %-style placeholders of a message, sorted, with conversions and formats."""
    found = [
        "{" + (name or "") + ("!" + conv if conv else "") + (":" + spec if spec else "") + "}"
        for _, name, spec, conv in string.Formatter().parse(text)
        if name is not None
    ]
    return sorted(found + PERCENT.findall(text))


def forms(value: str | tuple[str, ...] | list[str]) -> tuple[str, ...]:
    return tuple(value) if isinstance(value, (tuple, list)) else (value,)


def source_messages() -> set[tuple[str | None, str]]:
    """(context, msgid) of every message the source marks for the catalogue."""
    method_map = [("console/**.py", "python"), ("models/**.py", "python"), ("screens/**.py", "python")]
    found = set()
    for _file, _line, message, _comments, context in extract_from_dir(ROOT, method_map=method_map, keywords=KEYWORDS):
        found.add((context, forms(message)[0]))
    return found


def test_every_entry_is_translated_not_fuzzy_with_the_same_placeholders() -> None:
    problems = []
    for message in catalogue():
        if not message.id:
            continue
        ids, strings = forms(message.id), forms(message.string)
        if message.fuzzy:
            problems.append(("fuzzy", ids[0]))
        if not all(strings):
            problems.append(("untranslated", ids[0]))
            continue
        for text in strings:
            if placeholders(text) != placeholders(ids[-1]) and placeholders(text) != placeholders(ids[0]):
                problems.append(("placeholders differ", ids[0], text))
    assert problems == []


def test_every_string_of_the_source_is_in_the_catalogue() -> None:
    in_catalogue = {(m.context, forms(m.id)[0]) for m in catalogue() if m.id}
    missing = sorted(source_messages() - in_catalogue, key=str)
    assert missing == [], "run `make messages`, translate, `make compile-messages`"


def test_the_catalogue_holds_nothing_the_source_no_longer_says() -> None:
    in_catalogue = {(m.context, forms(m.id)[0]) for m in catalogue() if m.id}
    assert sorted(in_catalogue - source_messages(), key=str) == []


def test_the_committed_mo_is_compiled_from_the_po() -> None:
    with MO.open("rb") as handle:
        compiled = read_mo(handle)
    expected = {
        (forms(m.id), forms(tuple(m.string) if isinstance(m.string, list) else m.string)) for m in catalogue() if m.id
    }
    assert {
        (forms(m.id), forms(tuple(m.string) if isinstance(m.string, list) else m.string)) for m in compiled if m.id
    } == expected
    buffer = io.BytesIO()
    write_mo(buffer, catalogue())
    assert buffer.getvalue() == MO.read_bytes(), "run `make compile-messages`"
