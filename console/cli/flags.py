"""Which command-line option feeds which domain field, so a refusal names what the user typed.

Domain code names its fields (`out_dir`, `language`, `channel`); the CLI alone knows the
options. `message()` words a Support24Error for stderr with the option in place of the field.
"""

from __future__ import annotations

from models.core.errors import Support24Error, ValidationError

FIELD_FLAGS = {
    "billed_on": "--billed-on",
    "channel": "--channel",
    "database_url": "--database",
    "format": "--format",
    "interval_minutes": "--interval",
    "journal": "--journal",
    "language": "--lang",
    "notified_on": "--notified",
    "out": "--out",
    "out_dir": "--out",
    "policy_file": "--policy",
    "reason": "--reason",
    "received_on": "--received",
    "record_id": "ID",
    "record_kind": "KIND",
    "scale": "--scale",
    "state": "--state",
}


def flag(field: str) -> str:
    """The option for a domain field; a field no option feeds keeps its name."""
    return FIELD_FLAGS.get(field, field)


def message(exc: Support24Error) -> str:
    """The error as the CLI prints it: `--out: … is not a folder`."""
    if isinstance(exc, ValidationError):
        return f"{flag(exc.field)}: {exc.problem}"
    return str(exc)
