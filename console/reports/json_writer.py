"""The access report as JSON: the complete document, machine-readable, per docs/access-report.schema.json."""
from __future__ import annotations

import json
from typing import Any


def render(document: dict[str, Any]) -> str:
    """Indented UTF-8 JSON; key order as built, so two exports of the same data are identical."""
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"
