"""The German snapshots (tests/screens_de.py) run in a process of their own: strings translated at
import time (bindings, titles, column headers) take the language the screens were imported in,
and this suite imports them in English.

Update after a deliberate change: pytest tests/test_screens_german.py --snapshot-update
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_every_main_screen_in_german_at_80x24(request: pytest.FixtureRequest) -> None:
    env = dict(os.environ, SUPPORT24_TEST_LANGUAGE="de", PYTHONPATH=str(ROOT))
    env.pop("LANGUAGE", None)
    args = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "-n", "0", "tests/screens_de.py"]
    if request.config.getoption("--snapshot-update", default=False):
        args.append("--snapshot-update")
    result = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
