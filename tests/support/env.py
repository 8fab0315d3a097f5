"""What the test run is set to: the backend, the PostgreSQL server, and the fixed test instant."""

from __future__ import annotations

import os
from datetime import datetime, timezone

BACKEND = os.environ.get("SUPPORT24_TEST_BACKEND", "sqlite")
PG_URL = os.environ.get("SUPPORT24_TEST_PG_URL", "postgresql://127.0.0.1:5432/test")
NOW = datetime(2026, 11, 24, 10, 0, tzinfo=timezone.utc)  # the fixed_clock's instant
