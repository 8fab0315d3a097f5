"""The language a person gets: German by default, English on request by --lang, the environment
or config.toml; argparse's own words follow; days and numbers are written the language's way and
typed either way."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import date, datetime, timezone
from pathlib import Path

import pytest

from models.core import clock, i18n
from models.core.errors import ValidationError
from screens.kit.forms import parse_day, parse_whole_number

ROOT = Path(__file__).resolve().parents[1]


def support24(*args: str, env: dict[str, str] | None = None, config: str | None = None, tmp: Path) -> str:
    """Run the real command line in a fresh interpreter; stdout and stderr together."""
    base = {k: v for k, v in os.environ.items() if k not in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")}
    base.update(PYTHONPATH=str(ROOT), SUPPORT24_CONFIG_DIR=str(tmp / "config"), SUPPORT24_DATA_DIR=str(tmp / "data"))
    if config is not None:
        (tmp / "config").mkdir(exist_ok=True)
        (tmp / "config" / "config.toml").write_text(config, encoding="utf-8")
    base.update(env or {})
    result = subprocess.run(
        [sys.executable, "-m", "console", *args], cwd=ROOT, env=base, capture_output=True, text=True, check=False
    )
    return result.stdout + result.stderr


@pytest.fixture
def english_afterwards() -> Iterator[None]:
    yield
    i18n.set_language("en")


def test_help_is_german_by_default_and_says_how_to_switch(tmp_path: Path) -> None:
    out = support24("--help", tmp=tmp_path)
    assert "Aufruf: support24" in out and "Optionen:" in out and "diese Hilfe anzeigen und beenden" in out
    assert "--lang" in out and "LANG=en_US.UTF-8" in out and "usage:" not in out


def test_every_subcommand_help_is_german(tmp_path: Path) -> None:
    out = support24("retention", "queue", "--help", tmp=tmp_path)
    assert "Aufruf: support24 retention queue" in out and "nur diese Kategorie" in out


def test_a_usage_error_is_german_with_exit_code_2(tmp_path: Path) -> None:
    base = {k: v for k, v in os.environ.items() if k not in ("LANGUAGE", "LC_ALL", "LANG")}
    base.update(PYTHONPATH=str(ROOT), SUPPORT24_CONFIG_DIR=str(tmp_path))
    result = subprocess.run(
        [sys.executable, "-m", "console", "retention", "queue", "--state", "nope"],
        cwd=ROOT,
        env=base,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert "Fehler: Argument --state: ungültige Auswahl: 'nope'" in result.stderr


@pytest.mark.parametrize(
    ("args", "env", "config"),
    [
        (("--lang", "en", "--help"), {}, None),
        (("--help",), {"LANG": "en_US.UTF-8"}, None),
        (("--help",), {"LANGUAGE": "en_GB:de"}, None),
        (("--help",), {}, 'language = "en"\n'),
    ],
    ids=["--lang", "LANG", "LANGUAGE", "config.toml"],
)
def test_english_on_request(tmp_path: Path, args: tuple[str, ...], env: dict[str, str], config: str | None) -> None:
    out = support24(*args, env=env, config=config, tmp=tmp_path)
    assert "usage: support24" in out and "show this help message and exit" in out and "Aufruf" not in out


def test_lang_beats_the_environment_which_beats_the_config(tmp_path: Path) -> None:
    assert "Aufruf:" in support24("--lang", "de", "--help", env={"LANG": "en_US.UTF-8"}, tmp=tmp_path)
    assert "Aufruf:" in support24("--help", env={"LANG": "de_DE.UTF-8"}, config='language = "en"\n', tmp=tmp_path)
    # C and an unknown language name no choice, so the configuration decides
    assert "usage:" in support24("--help", env={"LANG": "C.UTF-8"}, config='language = "en"\n', tmp=tmp_path)
    (tmp_path / "config" / "config.toml").unlink()
    assert "Aufruf:" in support24("--help", env={"LANG": "fr_FR.UTF-8"}, tmp=tmp_path)


def test_choose_language_reads_like_gettext() -> None:
    assert i18n.choose_language(None, None, {}) == "de"
    assert i18n.choose_language(None, "en", {}) == "en"
    assert i18n.choose_language(None, "en", {"LC_ALL": "de_AT.UTF-8"}) == "de"
    assert i18n.choose_language(None, None, {"LANGUAGE": "fr:en", "LANG": "de_DE.UTF-8"}) == "en"
    assert i18n.choose_language(None, None, {"LC_ALL": "C", "LANG": "en_US.UTF-8"}) == "de"  # LC_ALL=C wins, names none
    assert i18n.choose_language("en", "de", {"LANG": "de_DE.UTF-8"}) == "en"


def test_a_wrong_language_in_config_names_the_key(tmp_path: Path) -> None:
    from console.settings.config import load_settings

    (tmp_path / "config.toml").write_text('language = "fr"\n', encoding="utf-8")
    with pytest.raises(ValidationError) as caught:
        load_settings(tmp_path)
    assert caught.value.field.endswith("language") and "de, en" in caught.value.problem


def test_json_output_stays_english(tmp_path: Path) -> None:
    out = support24(
        "init", "--admin", "rita", "--name", "Rita Root", "--commitment-date", "2024-01-15", "--json", tmp=tmp_path
    )
    assert json.loads(out)["roles"] == ["admin"] and "Datenbank" not in out


def test_plural_forms_in_german(english_afterwards: None) -> None:
    i18n.set_language("de")
    one = i18n.ngettext("{n} record", "{n} records", 1).format(n=1)
    many = i18n.ngettext("{n} record", "{n} records", 3).format(n=3)
    assert (one, many) == ("1 Datensatz", "3 Datensätze")


def test_days_times_and_numbers_follow_the_language(english_afterwards: None) -> None:
    instant = datetime(2026, 11, 24, 13, 5, tzinfo=timezone.utc)
    i18n.set_language("de")
    assert clock.format_berlin(instant) == "24.11.2026 14:05"
    assert clock.format_day(date(2026, 3, 2)) == "02.03.2026"
    assert i18n.format_number(1234.5, 1) == "1.234,5"
    i18n.set_language("en")
    assert clock.format_berlin(instant) == "2026-11-24 14:05"
    assert clock.format_day(date(2026, 3, 2)) == "2026-03-02"
    assert i18n.format_number(1234.5, 1) == "1,234.5"


@pytest.mark.parametrize("language", ["de", "en"])
def test_days_are_accepted_german_and_iso_in_every_language(english_afterwards: None, language: str) -> None:
    i18n.set_language(language)
    assert parse_day("24.11.2026") == parse_day("2026-11-24") == date(2026, 11, 24)
    with pytest.raises(ValidationError) as caught:
        parse_day("24/11/2026", "received_on")
    assert caught.value.field == "received_on"


def test_numbers_are_typed_the_language_s_way(english_afterwards: None) -> None:
    i18n.set_language("de")
    assert i18n.parse_number("1.234,5") == 1234.5 and i18n.parse_number("1234.5") == 1234.5
    assert parse_whole_number("1.048.576", "file_size", "bad") == 1048576
    i18n.set_language("en")
    assert i18n.parse_number("1,234.5") == 1234.5
    assert parse_whole_number("1,048,576", "file_size", "bad") == 1048576
    with pytest.raises(ValidationError):
        parse_whole_number("1,5", "file_size", "must be a whole number of bytes")
