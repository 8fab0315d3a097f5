"""The mypy baseline gate of `make check`: more errors fail, fewer pass and say so."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

SCRIPT = Path(__file__).parent.parent / ".ci" / "mypy_baseline.py"


def load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("mypy_baseline", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def gate(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    module = load()
    monkeypatch.setattr(module, "BASELINE", tmp_path / "baseline.txt")
    monkeypatch.setattr(module, "ROOT", tmp_path)
    return module


def test_a_new_error_fails_and_is_named(gate: ModuleType, monkeypatch, capsys) -> None:
    monkeypatch.setattr(gate, "current_errors", lambda: ["a.py: old  [misc]"])
    assert gate.main(["x", "update"]) == 0
    monkeypatch.setattr(gate, "current_errors", lambda: ["a.py: old  [misc]", "b.py: new  [arg-type]"])
    assert gate.main(["x", "check"]) == 1
    assert "new: b.py: new  [arg-type]" in capsys.readouterr().out


def test_fewer_errors_pass_and_ask_for_a_smaller_baseline(gate: ModuleType, monkeypatch, capsys) -> None:
    monkeypatch.setattr(gate, "current_errors", lambda: ["a.py: one  [misc]", "a.py: two  [misc]"])
    gate.main(["x", "update"])
    monkeypatch.setattr(gate, "current_errors", lambda: ["a.py: one  [misc]"])
    assert gate.main(["x", "check"]) == 0
    assert "1 fewer than the baseline: run make mypy-baseline" in capsys.readouterr().out


def test_the_error_lines_of_mypy_are_read_without_line_numbers() -> None:
    match = load().ERROR.match('models/x.py:12: error: Name "y" is not defined  [name-defined]')
    assert match is not None
    assert (match["path"], match["message"]) == ("models/x.py", 'Name "y" is not defined  [name-defined]')
