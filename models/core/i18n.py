"""The one translation function `_()` for every user-facing string, and the language choice.

The German catalogue lives in models/core/locale/de/LC_MESSAGES/support24.po (compiled beside it
to support24.mo, which is committed so that an install needs no build step); English is the
source text. The language comes from `--lang`, else the environment (LANGUAGE, LC_ALL,
LC_MESSAGES, LANG), else `language` in config.toml, else German. argparse's own words
("usage:", "positional arguments", its error messages) are in the same catalogue.
"""

from __future__ import annotations

import gettext
import os
import struct
from collections.abc import Mapping
from pathlib import Path

DOMAIN = "support24"
LOCALE_DIR = Path(__file__).with_name("locale")
LANGUAGES = ("de", "en")
DEFAULT_LANGUAGE = "de"

_language = DEFAULT_LANGUAGE
_translation: gettext.NullTranslations = gettext.NullTranslations()


def _(message: str) -> str:
    return _translation.gettext(message)


def N_(message: str) -> str:
    """Marks a string for the catalogue without translating it now (translated where shown)."""
    return message


def ngettext(singular: str, plural: str, count: int) -> str:
    """The singular or plural form for `count`, by the language's plural rule."""
    return _translation.ngettext(singular, plural, count)


def pgettext(context: str, message: str) -> str:
    """`message` translated in `context`, for a word that needs another translation there (the mode bar's shorts)."""
    return _translation.pgettext(context, message)


def current_language() -> str:
    """'de' or 'en': what dates, numbers and texts follow right now."""
    return _language


def normalise(value: str | None) -> str | None:
    """'de_DE.UTF-8', 'de-AT', 'DE' → 'de'; None for C, POSIX, empty or a language we lack."""
    if not value:
        return None
    code = value.split(".")[0].split("@")[0].replace("-", "_").split("_")[0].lower()
    return code if code in LANGUAGES else None


def from_environment(environ: Mapping[str, str] | None = None) -> str | None:
    """The language the environment asks for, as gettext reads it: LANGUAGE's first known entry,
    else the first of LC_ALL, LC_MESSAGES, LANG that is set; None when it names none we have."""
    env = os.environ if environ is None else environ
    for entry in env.get("LANGUAGE", "").split(":"):
        if normalise(entry):
            return normalise(entry)
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        if env.get(name):
            return normalise(env[name])
    return None


def choose_language(option: str | None, configured: str | None, environ: Mapping[str, str] | None = None) -> str:
    """--lang beats the environment, which beats config.toml; German when nobody says."""
    return normalise(option) or from_environment(environ) or normalise(configured) or DEFAULT_LANGUAGE


def set_language(language: str | None) -> str:
    """Switch the catalogue to 'de' or 'en' (None: German); returns the language now in force.

    Strings translated at import time (class attributes, module tables) keep the language
    they were imported in, so call this before the screens and commands are imported.
    """
    global _language, _translation
    _language = normalise(language) or DEFAULT_LANGUAGE
    if _language == "en":
        _translation = gettext.NullTranslations()
    else:
        try:
            _translation = gettext.translation(DOMAIN, localedir=LOCALE_DIR, languages=[_language], fallback=True)
        except (OSError, ValueError, struct.error):  # a damaged catalogue: the source text, not a traceback
            _translation = gettext.NullTranslations()
    _translate_argparse()
    return _language


def _translate_argparse() -> None:
    """argparse looks up its module-level `_` and `ngettext` on every call; point them here."""
    import argparse

    argparse._ = _  # type: ignore[attr-defined]
    argparse.ngettext = ngettext  # type: ignore[attr-defined]


def format_number(value: float, decimals: int = 0) -> str:
    """1234.5 → '1.234,5' in German, '1,234.5' in English (days and times: models.core.clock)."""
    text = f"{value:,.{decimals}f}"
    if _language == "de":
        text = text.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return text


def parse_number(raw: str) -> float:
    """A number as a person types it: '1.234,5' or '1234,5' in German, '1,234.5' in English, plain
    '1234.5' in both; ValueError if it is none."""
    text = raw.strip().replace(" ", "").replace("\u202f", "").replace("\xa0", "")
    group, decimal = (".", ",") if _language == "de" else (",", ".")
    if _language == "de" and "," not in text and not _grouped(text, "."):
        group, decimal = ",", "."  # '1234.5' typed the ISO way
    whole, _sep, fraction = text.partition(decimal)
    if group in whole:
        if not _grouped(whole, group):
            raise ValueError(raw)
        whole = whole.replace(group, "")
    return float(f"{whole}.{fraction}" if fraction else whole)


def _grouped(text: str, separator: str) -> bool:
    """True for '1.234' / '12.345.678' with `separator` between groups of three digits."""
    head, *groups = text.lstrip("+-").split(separator)
    return bool(groups) and head.isdigit() and len(head) <= 3 and all(g.isdigit() and len(g) == 3 for g in groups)


set_language(DEFAULT_LANGUAGE)
