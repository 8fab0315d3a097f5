"""What the console remembers for the person at the keyboard between starts (today: the theme).

Not configuration and not data: a small JSON file in the config folder, one entry per OS user
(the folder may be shared through SUPPORT24_CONFIG_DIR), never in the database. Reading is
forgiving (a missing or damaged file is an empty state) and writing is best effort (a
read-only folder must not stop the console); the file is replaced whole, never half-written.
"""

from __future__ import annotations

import getpass
import json
import os
from pathlib import Path
from typing import Any

STATE_FILE = "console-state.json"


def os_user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name (a container without passwd entry): one shared entry
        return ""


def _load(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def remembered(config_dir: Path | None, key: str, user: str | None = None) -> str | None:
    """The value kept under `key` for this OS user, or None."""
    if config_dir is None:
        return None
    data = _load(config_dir / STATE_FILE)
    users = data.get("users")
    entry = users.get(os_user() if user is None else user) if isinstance(users, dict) else None
    value = entry.get(key) if isinstance(entry, dict) else data.get(key)  # the first version kept one value for all
    return value if isinstance(value, str) else None


def remember(config_dir: Path | None, key: str, value: str, user: str | None = None) -> None:
    """Keep `value` under `key` for this OS user (best effort, replaced whole)."""
    if config_dir is None:
        return
    path = config_dir / STATE_FILE
    try:
        data = _load(path)
        found = data.get("users")
        users: dict[str, Any] = found if isinstance(found, dict) else {}
        entry = users.get(os_user() if user is None else user)
        entry = dict(entry) if isinstance(entry, dict) else {}
        entry[key] = value
        users[os_user() if user is None else user] = entry
        data["users"] = users
        config_dir.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{STATE_FILE}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps(data, indent=1, sort_keys=True), encoding="utf-8")
        tmp.replace(path)
    except OSError:
        pass
