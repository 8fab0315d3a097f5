#!/usr/bin/env python3
"""mypy against a baseline that may only shrink.

    python .ci/mypy_baseline.py check    fail when mypy reports more errors than .ci/mypy-baseline.txt
    python .ci/mypy_baseline.py update   write today's errors as the new baseline (`make mypy-baseline`)

The baseline lists each error as `path: message  [code]`, without line numbers, so that edits
elsewhere in a file do not churn it. `check` fails only when the count grows; it prints the
errors that are not in the baseline either way, and says when the baseline can be shrunk.
mypy's settings are in pyproject.toml ([tool.mypy]).
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BASELINE = ROOT / ".ci" / "mypy-baseline.txt"
ERROR = re.compile(r"^(?P<path>[^:\s]+\.pyi?):\d+(?::\d+)?: error: (?P<message>.*)$")


def current_errors() -> list[str]:
    """Run mypy as configured and return its errors, normalised and sorted."""
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--no-error-summary", "--no-pretty", "--show-error-codes"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    errors = []
    for line in result.stdout.splitlines():
        match = ERROR.match(line)
        if match:
            errors.append(f"{match['path']}: {match['message'].strip()}")
    if result.returncode not in (0, 1) or (result.returncode == 1 and not errors):
        sys.stderr.write(result.stdout + result.stderr)
        raise SystemExit(f"mypy did not run (exit {result.returncode})")
    return sorted(errors)


def baseline() -> list[str]:
    if not BASELINE.exists():
        return []
    return [line for line in BASELINE.read_text(encoding="utf-8").splitlines() if line and not line.startswith("#")]


def main(argv: list[str]) -> int:
    command = argv[1] if len(argv) > 1 else "check"
    now = current_errors()
    if command == "update":
        header = "# mypy errors accepted for now; may only shrink. Regenerate: make mypy-baseline\n"
        BASELINE.write_text(header + "".join(f"{e}\n" for e in now), encoding="utf-8")
        print(f"mypy baseline: {len(now)} errors written to {BASELINE.relative_to(ROOT)}")
        return 0
    if command != "check":
        raise SystemExit(__doc__)
    accepted = baseline()
    new = Counter(now) - Counter(accepted)
    for error in sorted(new.elements()):
        print(f"new: {error}")
    if len(now) > len(accepted):
        print(f"mypy: {len(now)} errors, more than the baseline's {len(accepted)}: fix the new ones above")
        return 1
    if len(now) < len(accepted):
        print(f"mypy: {len(now)} errors, {len(accepted) - len(now)} fewer than the baseline: run make mypy-baseline")
    else:
        print(f"mypy: {len(now)} errors, as in the baseline")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
