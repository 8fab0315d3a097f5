"""Witnesses of the audit chain's head outside the database: an append-only file and the system log.

Whoever can write the database can rewrite the chain and its recorded head alike; a head
that was also written somewhere else cannot be rewritten with them. Each witness is one
JSON line: when, which database, the event id and hash, and why (purge, billing batch,
access report, scheduler, audit verify). `support24 audit verify` reads them back.

Where the file lives, first match wins:
1. `SUPPORT24_WITNESS_FILE`;
2. `witness_file` under `[audit]` in config.toml;
3. `/var/lib/support24-witness/witness.jsonl` when that folder exists and is writable (the
   shared installation: a folder the operators' group may append to, owned by root);
4. `audit-witness.jsonl` in the config folder.
It must not be inside the data folder: a copy of the data folder would carry its witness
along. The system log (journald or syslog, through /dev/log) gets the same line; that copy
is the one an operator cannot edit.
"""

from __future__ import annotations

import json
import os
import socket
import tomllib
from dataclasses import dataclass
from pathlib import Path

from models.core import audit, clock
from models.core.errors import ValidationError
from models.core.i18n import _

ENV = "SUPPORT24_WITNESS_FILE"
SHARED_DIR = Path("/var/lib/support24-witness")
FILE_NAME = "audit-witness.jsonl"
SYSLOG_SOCKET = "/dev/log"


def witness_path(config_dir: Path, data_dir: Path) -> Path:
    """The witness file for this installation (see the module docstring); never inside the data folder."""
    raw = os.environ.get(ENV)
    if not raw:
        config_file = config_dir / "config.toml"
        if config_file.exists():
            try:
                raw = tomllib.loads(config_file.read_text(encoding="utf-8")).get("audit", {}).get("witness_file")
            except (tomllib.TOMLDecodeError, UnicodeDecodeError):
                raw = None  # load_settings reports a broken config file
    if raw:
        path = Path(str(raw)).expanduser().absolute()
    elif SHARED_DIR.is_dir() and os.access(SHARED_DIR, os.W_OK | os.X_OK):
        path = SHARED_DIR / "witness.jsonl"
    else:
        path = config_dir / FILE_NAME
    data = data_dir.absolute()
    if path == data or data in path.parents:
        raise ValidationError(
            "witness_file", _("{path} lies inside the data folder; a witness must be kept outside it").format(path=path)
        )
    return path


@dataclass
class FileWitness:
    """Appends heads of one database to the witness file and the system log."""

    path: Path
    database: str

    def __call__(self, reason: str, event_id: int, event_hash: str) -> None:
        line = json.dumps(
            {
                "at": clock.now().isoformat(timespec="seconds"),
                "database": self.database,
                "event_id": event_id,
                "hash": event_hash,
                "reason": reason,
                "host": socket.gethostname(),
                "uid": os.geteuid(),
            },
            ensure_ascii=False,
        )
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
        try:
            os.write(fd, (line + "\n").encode("utf-8"))
            os.fsync(fd)
        finally:
            os.close(fd)
        to_system_log(f"audit head {self.database} event={event_id} hash={event_hash} reason={reason}")

    def read(self) -> list[audit.Witnessed]:
        """Every head witnessed for this database, oldest first; unreadable lines are skipped."""
        if not self.path.exists():
            return []
        found: list[audit.Witnessed] = []
        for raw in self.path.read_text(encoding="utf-8", errors="replace").splitlines():
            try:
                item = json.loads(raw)
                if item.get("database") != self.database:
                    continue
                found.append(
                    audit.Witnessed(int(item["event_id"]), str(item["hash"]), str(item["at"]), str(item["reason"]))
                )
            except (ValueError, KeyError, TypeError, AttributeError):
                continue
        return found


def to_system_log(message: str) -> bool:
    """One line to journald/syslog when a system log listens; False when there is none."""
    if not os.path.exists(SYSLOG_SOCKET):
        return False
    import syslog

    try:
        syslog.openlog("support24", syslog.LOG_PID, syslog.LOG_AUTHPRIV)
        syslog.syslog(syslog.LOG_NOTICE, message)
    except OSError:
        return False
    return True


def head_document() -> dict[str, object] | None:
    """The head this process witnessed last, for --json output."""
    seen = audit.last_witnessed()
    return {"event_id": seen[0], "hash": seen[1]} if seen else None


def head_line() -> str | None:
    """The head this process witnessed last, as printed under a billing batch or an access report."""
    seen = audit.last_witnessed()
    if seen is None:
        return None
    return _("Audit head witnessed: event {id}, SHA-256 {hash}").format(id=seen[0], hash=seen[1])
