"""The importer refuses hostile lines with `line N: field: problem`, exit 2 and nothing stored,
and never crashes; a dry run judges a file exactly as the real run does."""

from __future__ import annotations

import json
import os
import random
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from console.cli.context import os_account
from console.cli.main import main
from console.importing.records import Problems, parse_line
from models.core import stats
from models.core.entities import AuditEvent
from tests.support import factories as f
from tests.support.importing import sample, write_jsonl

SESSION = 5  # index of the session line in sample()


def _base() -> list[dict[str, Any]]:
    """The sample without lines that name files to take in (tested in test_purge_files.py)."""
    return [line for line in sample() if line["type"] not in ("recording", "gathered_file")]


@pytest.fixture
def me(db, fixed_clock):
    return f.staff(os_account(), roles="accounting admin privacy_officer technician", name="Olga Operator")


def _state() -> tuple[dict[str, int], int]:
    return stats.counts(), AuditEvent.select().count()


def _import(path: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, str]:
    code = main(["import", str(path), *extra])
    return code, capsys.readouterr().err


def _judged(path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    """Dry run and real run: the same verdict and the same problems; on 2 nothing changed."""
    before = _state()
    dry_code, dry_err = _import(path, capsys, "--dry-run")
    code, err = _import(path, capsys)
    assert "Traceback" not in err
    assert code in (0, 2), err
    assert (dry_code, dry_err) == (code, err)
    if code == 2:
        assert _state() == before
    return code, err


def _session_with(raw_session: str, tmp_path: Path) -> Path:
    lines: list[Any] = _base()
    lines[SESSION] = raw_session
    return write_jsonl(tmp_path / "in.jsonl", lines)


def _raw_session(**changes: Any) -> str:
    return json.dumps(_base()[SESSION] | changes, ensure_ascii=False)


def test_5000_levels_of_nesting_are_refused_not_a_recursion_error(me, capsys, tmp_path: Path) -> None:
    lines: list[Any] = _base()
    deep = "[" * 5000 + "]" * 5000
    lines[9] = json.dumps(lines[9])[:-1] + ', "data": {"os": ' + deep + "}}"
    code, err = _judged(write_jsonl(tmp_path / "in.jsonl", lines), capsys)
    assert code == 2 and "line 10: json: nested deeper than 32 levels" in err


@pytest.mark.parametrize("field", ["customer_person", "workstation"])
def test_a_lone_surrogate_is_refused_in_dry_run_and_real_run_alike(me, capsys, tmp_path: Path, field: str) -> None:
    raw = json.dumps({k: v for k, v in json.loads(_raw_session()).items() if k != field})
    raw = raw[:-1] + f', "{field}": "a\\ud800b"}}'
    code, err = _judged(_session_with(raw, tmp_path), capsys)
    assert code == 2 and f"line 6: {field}: holds a lone UTF-16 surrogate" in err


def test_a_lone_surrogate_in_chat_text_and_system_info_is_refused(me, capsys, tmp_path: Path) -> None:
    lines: list[Any] = _base()
    lines[8] = json.dumps(lines[8])[:-1].replace('"Danke!"', '"a\\udc00"') + "}"
    lines[9] = json.dumps(lines[9]).replace('"Office"', '"x\\ud83d"')
    code, err = _judged(write_jsonl(tmp_path / "in.jsonl", lines), capsys)
    assert code == 2 and "line 9: text: holds a lone UTF-16 surrogate" in err
    assert "line 10: data.programs[0]: holds a lone UTF-16 surrogate" in err


def test_a_duplicate_key_is_refused_naming_the_key(me, capsys, tmp_path: Path) -> None:
    raw = _raw_session(screen_private=False)[:-1] + ', "screen_private": true}'
    code, err = _judged(_session_with(raw, tmp_path), capsys)
    assert code == 2 and "line 6: screen_private: appears twice" in err


@pytest.mark.parametrize("token", ["NaN", "Infinity", "-Infinity", "1e400"])
def test_nan_and_infinity_in_system_info_are_refused(me, capsys, tmp_path: Path, token: str) -> None:
    lines: list[Any] = _base()
    lines[9] = json.dumps(lines[9]).replace('"programs"', f'"cpu_load": {token}, "programs"')
    code, err = _judged(write_jsonl(tmp_path / "in.jsonl", lines), capsys)
    assert code == 2 and "line 10: data.cpu_load: NaN and Infinity" in err


@pytest.mark.parametrize("char", ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2069"])
def test_bidi_overrides_in_names_are_refused(me, capsys, tmp_path: Path, char: str) -> None:
    code, err = _judged(_session_with(_raw_session(customer_person=f"Erika{char}gpj.exe"), tmp_path), capsys)
    assert code == 2 and "line 6: customer_person: holds a bidirectional override" in err


@pytest.mark.parametrize("name", ["\ufeff", "\ufeff\ufeff\ufeff", "\u200b\u200d", "\u3164", "\u00a0\u2060"])
def test_names_made_only_of_invisible_characters_are_refused(me, capsys, tmp_path: Path, name: str) -> None:
    lines: list[Any] = _base()
    lines[2] = dict(lines[2], name=name)
    code, err = _judged(write_jsonl(tmp_path / "in.jsonl", lines), capsys)
    assert code == 2 and "line 3: name: holds only invisible characters" in err


def test_non_ascii_digits_are_no_customer_number_and_no_date(me, capsys, tmp_path: Path) -> None:
    lines: list[Any] = _base()
    lines[2] = dict(lines[2], number="K-٧٠٠٠٩")
    lines[0] = dict(lines[0], commitment_signed_on="٢٠٢٤-01-15")
    lines[4] = dict(lines[4], ref="A-٢٠٢٦-0001")
    code, err = _judged(write_jsonl(tmp_path / "in.jsonl", lines), capsys)
    assert code == 2
    assert "line 3: number: 'K-٧٠٠٠٩' is not a customer number" in err
    assert "line 1: commitment_signed_on: must be a date written YYYY-MM-DD" in err
    assert "line 5: ref:" in err


def test_the_sample_itself_still_imports(me, capsys, tmp_path: Path) -> None:
    code, err = _judged(write_jsonl(tmp_path / "in.jsonl", _base()), capsys)
    assert code == 0, err


# --- generated hostile lines ------------------------------------------------------------------

HOSTILE_STRINGS = [
    "a\ud800b",
    "\udfff",
    "x\u202ey",
    "\u2066z",
    "\ufeff",
    "\u200b",
    "K-٧٠٠٠٩",
    "٢٠٢٦-03-02T09:00:00Z",
    "2026-03-02T09:00:00Z",
    "\x1b[31mred",
    "line\nbreak",
    "",
    " ",
    "x" * 600,
    "../../s24.db",
    "/etc/passwd",
    "S-2026-0001",
    "A-2026-0001",
    "mmueller",
]
HOSTILE_VALUES: list[Any] = [None, True, 0, -1, 2**64, 1.5, [], {}, [[[]]], {"a": {"b": None}}]
RAW_TOKENS = ["NaN", "Infinity", "-Infinity", "1e400", "[" * 40 + "]" * 40, '"\\ud800"', '"\\u0000"']


def hostile_line(rng: random.Random, base: list[dict[str, Any]]) -> str:
    """A line of the sample with one to three fields made hostile, as raw JSON text."""
    line = dict(rng.choice(base))
    raw_changes: list[tuple[str, str]] = []
    for _n in range(rng.randint(1, 3)):
        key = rng.choice([*line.keys(), "extra", "type"])
        roll = rng.random()
        if roll < 0.45:
            line[key] = rng.choice(HOSTILE_STRINGS)
        elif roll < 0.7:
            line[key] = rng.choice(HOSTILE_VALUES)
        elif roll < 0.9:
            raw_changes.append((key, rng.choice(RAW_TOKENS)))
        else:
            raw_changes.append((key, json.dumps(line.get(key))))  # the same key twice
    text = json.dumps(line, ensure_ascii=rng.random() < 0.5)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # a file holds a surrogate only as a \u escape
        text = json.dumps(line, ensure_ascii=True)
    for key, token in raw_changes:
        text = text[:-1] + (", " if len(text) > 2 else "") + f"{json.dumps(key)}: {token}}}"
    return text


def test_parse_line_never_raises_on_10000_hostile_lines() -> None:
    rng = random.Random(12)
    base = sample()
    outcomes = {"refused": 0, "accepted": 0}
    for number in range(1, 10_001):
        problems = Problems()
        records = parse_line(number, hostile_line(rng, base), problems)
        assert bool(records) != bool(problems) or not records
        outcomes["refused" if problems else "accepted"] += 1
    print(f"10000 hostile lines: {outcomes}")
    assert outcomes["refused"] > 5000


@pytest.mark.slow
def test_fuzz_10000_hostile_lines_through_the_importer_exit_0_or_2_and_nothing_stored_on_2(
    me, capsys, tmp_path: Path
) -> None:
    rng = random.Random(int(os.environ.get("SUPPORT24_FUZZ_SEED", "20261202")))
    base = _base()
    total, codes = 0, {0: 0, 2: 0}
    while total < 10_000:
        lines: list[Any] = [dict(line) for line in base]
        count = rng.choice((1, 1, 2, 5, 20))
        for _n in range(count):
            lines.insert(rng.randrange(len(lines) + 1), hostile_line(rng, base))
        total += count
        path = write_jsonl(tmp_path / "fuzz.jsonl", lines)
        before = _state()
        code, err = _import(path, capsys)
        assert code in (0, 2) and "Traceback" not in err, err
        if code == 2:
            assert _state() == before
        codes[code] += 1
    print(f"fuzz: {total} hostile lines in {sum(codes.values())} files, exit codes {codes}")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(min_value=0, max_value=2**32), count=st.integers(min_value=1, max_value=4))
def test_property_hostile_lines_give_exit_0_or_2_and_no_change_on_2(me, capsys, tmp_path: Path, seed, count) -> None:
    rng = random.Random(seed)
    base = _base()
    lines: list[Any] = [dict(line) for line in base]
    for _n in range(count):
        lines.insert(rng.randrange(len(lines) + 1), hostile_line(rng, base))
    _judged(write_jsonl(tmp_path / "prop.jsonl", lines), capsys)


@settings(max_examples=300, deadline=None)
@given(
    text=st.text(alphabet=st.characters(blacklist_categories=(), min_codepoint=0, max_codepoint=0x10FFFF), max_size=40),
    field_name=st.sampled_from(["customer_person", "workstation", "external_id", "ref", "customer_ip"]),
)
def test_property_any_unicode_in_a_session_field_is_judged_not_crashed(text: str, field_name: str) -> None:
    problems = Problems()
    line = json.dumps(_base()[SESSION] | {field_name: text})
    records = parse_line(6, line, problems)
    assert records or problems
    for _line, name, _problem in problems.items:
        assert name == field_name
