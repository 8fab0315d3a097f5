"""Fill the German catalogue from a table of translations: python tools/apply_translations.py TABLE.py

TABLE.py defines T = {msgid: msgstr} (for a plural: {singular msgid: (singular, plural)}). Entries
it names are set and lose their fuzzy mark; the others stay as they are. Then `make compile-messages`.
"""

from __future__ import annotations

import runpy
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

PO = Path(__file__).resolve().parents[1] / "models/core/locale/de/LC_MESSAGES/support24.po"


def main(table: str) -> int:
    translations = runpy.run_path(table)["T"]
    with PO.open("rb") as handle:
        catalog = read_po(handle)
    done = 0
    for message in catalog:
        key = message.id[0] if isinstance(message.id, tuple) else message.id
        if key and key in translations:
            value = translations[key]
            message.string = tuple(value) if isinstance(message.id, tuple) else value
            message.flags.discard("fuzzy")
            done += 1
    with PO.open("wb") as handle:
        write_po(handle, catalog, width=0)
    left = [
        m.id for m in catalog if m.id and (m.fuzzy or not all(m.string if isinstance(m.string, tuple) else [m.string]))
    ]
    print(f"{done} entries set; {len(left)} still untranslated or fuzzy")
    for msgid in left:
        print("  ", repr(msgid))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1]))
