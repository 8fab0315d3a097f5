"""Which command-line option feeds which domain field, so a refusal names what the user typed.

Domain code names its fields (`out_dir`, `language`, `channel`); the CLI alone knows the
options. `message()` words a Support24Error for stderr with the option in place of the field.
"""

from __future__ import annotations

from models.core.errors import Support24Error, ValidationError
from models.core.i18n import N_, _

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
    "scale": "--scale",
    "state": "--state",
}


#: fields fed by a positional argument: named as its metavar is shown in the language of the run
POSITIONALS = {"record_id": N_("ID"), "record_kind": N_("KIND")}


def flag(field: str) -> str:
    """The option for a domain field; a field no option feeds keeps its name."""
    if field in POSITIONALS:
        return _(POSITIONALS[field])
    return FIELD_FLAGS.get(field, field)


def message(exc: Support24Error) -> str:
    """The error as the CLI prints it: `--out: … is not a folder`."""
    if isinstance(exc, ValidationError):
        return f"{flag(exc.field)}: {exc.problem}"
    return str(exc)
