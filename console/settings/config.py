"""Where things live (data folder, config folder, database URL) and the settings file."""

from __future__ import annotations

import os
import sys
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from console.settings.paths import APP_NAME, configured_language, default_config_dir, resolve_config_dir
from models.core.errors import ValidationError
from models.core.i18n import LANGUAGES, _

__all__ = ["APP_NAME", "configured_language", "default_config_dir", "resolve_config_dir"]


def default_data_dir() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir(APP_NAME, appauthor=False))


def resolve_data_dir(option: str | None) -> Path:
    """--data-dir, else SUPPORT24_DATA_DIR, else the user's data folder."""
    raw = option or os.environ.get("SUPPORT24_DATA_DIR")
    return Path(raw).expanduser().resolve() if raw else default_data_dir()


def resolve_database_url(option: str | None, data_dir: Path) -> str:
    """--database, else SUPPORT24_DATABASE_URL, else a SQLite file in the data folder."""
    url = option or os.environ.get("SUPPORT24_DATABASE_URL")
    if url:
        return url
    return f"sqlite:///{data_dir / 'support24.db'}"


def skip_postgres_driver(database_option: str | None, data_dir_option: str | None) -> bool:
    """On SQLite, keep the PostgreSQL driver out of the process; True if it was kept out.

    peewee imports psycopg at its own import whenever it is installed (11 MiB resident,
    about 80 ms); a console on an embedded database never uses it. Call before peewee loads.
    """
    if "peewee" in sys.modules or "psycopg" in sys.modules:
        return False
    url = resolve_database_url(database_option, resolve_data_dir(data_dir_option))
    if not url.startswith("sqlite:"):
        return False
    sys.modules["psycopg"] = None  # type: ignore[assignment]  # `import psycopg` now fails, as if absent
    return True


def ensure_private_dir(path: Path) -> Path:
    """Create the folder with the installation's mode (models/core/modes.py); put it back to it if it differs."""
    from models.core import modes

    modes.ensure_folder(path)
    return path


@dataclass(frozen=True)
class Controller:
    """P13: the controller printed on every access report."""

    name: str = "Luna Computersysteme GmbH"
    brand: str = "SUPPORT-24"
    office: str = "Büro Hanau"
    street: str = "Stresemannstr. 21"
    postal_code: str = "63450"
    city: str = "Hanau"
    email: str = "datenschutz@support-24.eu"
    supervisory_authority: str = "Der Hessische Beauftragte für Datenschutz und Informationsfreiheit"

    def lines(self) -> list[str]:
        return [f"{self.name} ({self.brand})", self.office, self.street, f"{self.postal_code} {self.city}", self.email]


@dataclass(frozen=True)
class Settings:
    controller: Controller = field(default_factory=Controller)
    timer_interval_minutes: int = 15
    refresh_seconds: float = 5.0
    language: str = "de"
    policy_file: str | None = None
    #: seconds from the console's start to its first purge
    timer_first_run_seconds: float = 20.0
    #: a systemd timer or cron runs `support24 scheduler --once`; then consoles purge only when told to
    headless_scheduler: bool = False
    #: this console's purge timer; None: on, unless a headless scheduler is configured
    console_purge: bool | None = None

    @property
    def console_timer_on(self) -> bool:
        return self.console_purge if self.console_purge is not None else not self.headless_scheduler

    shared_group: str | None = None  # a shared installation on one terminal server (README)


def load_settings(config_dir: Path) -> Settings:
    """Read config.toml from the config folder; absent means the defaults."""
    from models.core import modes

    path = config_dir / "config.toml"
    if not path.exists():
        return Settings()
    modes.refuse_if_writable_by_others(path, _("configuration file"))
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ValidationError(str(path), _("cannot be read: {problem}").format(problem=exc)) from None
    controller_raw = raw.get("controller", {})
    known = set(Controller.__dataclass_fields__)
    unknown = set(controller_raw) - known
    if unknown:
        raise ValidationError(f"{path}: controller", _("unknown keys: {keys}").format(keys=", ".join(sorted(unknown))))
    timer = raw.get("timer", {})
    interval = timer.get("interval_minutes", 15)
    if not isinstance(interval, int) or interval < 1:
        raise ValidationError(f"{path}: timer.interval_minutes", _("must be a whole number of 1 or more"))
    refresh = timer.get("refresh_seconds", 5.0)
    if not isinstance(refresh, (int, float)) or refresh <= 0:
        raise ValidationError(f"{path}: timer.refresh_seconds", _("must be a positive number"))
    language = raw.get("language", "de")
    if language not in LANGUAGES:
        raise ValidationError(f"{path}: language", _("must be one of: {choices}").format(choices=", ".join(LANGUAGES)))
    first_run = timer.get("first_run_seconds", 20.0)
    if isinstance(first_run, bool) or not isinstance(first_run, (int, float)) or first_run < 0:
        raise ValidationError(f"{path}: timer.first_run_seconds", _("must be a number of 0 or more"))
    headless = timer.get("headless_scheduler", False)
    if not isinstance(headless, bool):
        raise ValidationError(f"{path}: timer.headless_scheduler", _("must be true or false"))
    console_purge = timer.get("console_purge")
    if console_purge is not None and not isinstance(console_purge, bool):
        raise ValidationError(f"{path}: timer.console_purge", _("must be true or false"))
    return Settings(
        controller=Controller(**controller_raw),
        timer_interval_minutes=interval,
        refresh_seconds=float(refresh),
        timer_first_run_seconds=float(first_run),
        headless_scheduler=headless,
        console_purge=console_purge,
        language=language,
        policy_file=raw.get("policy_file"),
        shared_group=_shared_group(path, raw.get("shared_group")),
    )


def _shared_group(path: Path, value: object) -> str | None:
    if value is None or value == "":
        return None
    if not isinstance(value, (str, int)) or isinstance(value, bool):
        raise ValidationError(f"{path}: shared_group", _("must be the name of a group"))
    return str(value)
