"""The one translation function `_()` for every user-facing string.

German catalogues go to models/locale/de/LC_MESSAGES/support24.mo; until they exist the
English source text is shown.
"""

from __future__ import annotations

import gettext
from pathlib import Path

LOCALE_DIR = Path(__file__).with_name("locale")
_translation: gettext.NullTranslations = gettext.translation("support24", localedir=LOCALE_DIR, fallback=True)


def _(message: str) -> str:
    return _translation.gettext(message)


def ngettext(singular: str, plural: str, count: int) -> str:
    return _translation.ngettext(singular, plural, count)


def set_language(language: str | None) -> None:
    """Switch the catalogue, e.g. 'de' or 'en'; None follows the environment."""
    global _translation
    languages = [language] if language else None
    _translation = gettext.translation("support24", localedir=LOCALE_DIR, languages=languages, fallback=True)
