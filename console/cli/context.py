"""What every command needs: the database, the folders, the settings and the operator."""

from __future__ import annotations

import json
import os
import pwd
import shutil
import sqlite3
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from console.jobs.witness import FileWitness, witness_path
from console.settings.config import (
    Settings,
    ensure_private_dir,
    load_settings,
    resolve_config_dir,
    resolve_data_dir,
    resolve_database_url,
)
from models.core import audit, modes, schema
from models.core.db import DatabaseTarget, open_database, parse_url
from models.core.entities import Staff
from models.core.identity import resolve_operator


def os_account() -> str:
    """The operating-system account running this process (not an environment variable)."""
    return pwd.getpwuid(os.geteuid()).pw_name


def copy_aside(target: DatabaseTarget, old: int, new: int) -> Path | None:
    """Before a migration, keep a copy of the SQLite file as it was (online backup API)."""
    if target.path is None:
        return None
    aside = target.path.with_name(f"{target.path.name}.schema-v{old}.bak")
    source = sqlite3.connect(str(target.path))
    try:
        modes.create_file(aside)
        dest = sqlite3.connect(str(aside))
        with dest:
            source.backup(dest)
        dest.close()
    finally:
        source.close()
    return aside


@dataclass
class Context:
    """Resolved options of one invocation; opens the database on first use."""

    database_option: str | None = None
    data_dir_option: str | None = None
    json_output: bool = False
    shared_group: str | None = None  # `init --shared-group`; later commands read it from the data folder
    _opened: bool = field(default=False, init=False)
    _settings: Settings | None = field(default=None, init=False)

    @property
    def data_dir(self) -> Path:
        return resolve_data_dir(self.data_dir_option)

    @property
    def config_dir(self) -> Path:
        return resolve_config_dir()

    @property
    def database_url(self) -> str:
        return resolve_database_url(self.database_option, self.data_dir)

    @property
    def target(self) -> DatabaseTarget:
        return parse_url(self.database_url)

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            self._settings = load_settings(self.config_dir)
        return self._settings

    def configure_modes(self) -> None:
        """Single-account or shared-group modes: `init --shared-group`, else config.toml's
        shared_group, else what `init` made of the data folder (setgid means shared)."""
        group = self.shared_group or self.settings.shared_group
        modes.configure(group if group else modes.detect(self.data_dir))

    def open(self) -> DatabaseTarget:
        """Create the data folder, connect, bring the schema up to date, and put the installation's
        files back in order: modes, leftovers of a killed restore, files still to take in."""
        if self._opened:
            return self.target
        self.configure_modes()
        ensure_private_dir(self.data_dir)
        target = self.target
        open_database(self.database_url)
        schema.ensure_schema(lambda old, new: copy_aside(target, old, new))
        self._opened = True
        audit.clear_witnesses()
        audit.add_witness(self.witness())
        from console.jobs.housekeeping import tidy

        for notice in tidy(self.data_dir, target.path):
            print(f"support24: {notice}", file=sys.stderr)
        return target

    def witness(self) -> FileWitness:
        """The witness file and system log that keep this database's audit head outside it."""
        return FileWitness(witness_path(self.config_dir, self.data_dir), self.target.describe())

    def operator(self) -> Staff:
        """The staff record of the OS account, or UnknownOperator with instructions.

        On PostgreSQL with database roles (`support24 pg-roles`) the operator is the server's
        session_user instead: with peer authentication that is the OS account, proven by the server.
        """
        self.open()
        from models.core import pg_roles

        if pg_roles.installed():
            return resolve_operator(pg_roles.session_user())
        return resolve_operator(os_account())

    def emit_json(self, document: Any) -> None:
        json.dump(document, sys.stdout, ensure_ascii=False, indent=2, default=str)
        sys.stdout.write("\n")

    def say(self, message: str) -> None:
        """Human-readable output; silent in --json mode so stdout stays one document."""
        if not self.json_output:
            print(message)

    def progress_enabled(self) -> bool:
        return not self.json_output and sys.stderr.isatty()

    def terminal_width(self) -> int:
        return shutil.get_terminal_size((100, 24)).columns
