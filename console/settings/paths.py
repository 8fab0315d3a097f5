"""The config folder and the one setting read before anything else: the language.

Kept free of domain imports: `support24 --help` reads the language from here before the
parser is built, and must load nothing heavy (see tests/test_cli_startup.py).
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

APP_NAME = "support24"


def default_config_dir() -> Path:
    from platformdirs import user_config_dir

    return Path(user_config_dir(APP_NAME, appauthor=False))


def resolve_config_dir(data_dir_option: str | None = None) -> Path:
    """SUPPORT24_CONFIG_DIR, else the user's config folder."""
    raw = os.environ.get("SUPPORT24_CONFIG_DIR")
    return Path(raw).expanduser().resolve() if raw else default_config_dir()


def configured_language(config_dir: Path | None = None) -> str | None:
    """`language` in config.toml, or None when the file is absent, unreadable or silent about it;
    a broken file is reported by the command that loads the settings."""
    path = (config_dir or resolve_config_dir()) / "config.toml"
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError):
        return None
    value = raw.get("language")
    return value if isinstance(value, str) else None
