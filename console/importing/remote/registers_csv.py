"""The registers of tool identities and customer devices from a CSV file.

Columns (header required, order free): `type` (`staff` or `device`), `tool`, `value` (the
identity, or the device's remote id), and for staff `kind` (account, user, alias, id) and
`staff` (user name), for devices `customer` (number) and optionally `workstation`. The file is
checked whole; on any bad row nothing is stored.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from console.importing.remote.sniff import read_lines
from models.core.db import write_tx
from models.core.entities import Staff
from models.core.errors import Support24Error, ValidationError
from models.core.i18n import _
from models.sessions.registers import DeviceInput, IdentityInput, add_device, add_identity

REQUIRED = ("type", "tool", "value")


@dataclass
class RegisterResult:
    identities: int = 0
    devices: int = 0
    unchanged: int = 0


def import_registers(actor: Staff, path: Path) -> tuple[RegisterResult, list[str]]:
    """Store every row, or nothing and the problems as `line N: field: problem`."""
    if not path.is_file():
        raise ValidationError("FILE", _("cannot read {path}").format(path=path))
    reader = csv.DictReader(read_lines(path))
    header = [h.strip().casefold() for h in (reader.fieldnames or [])]
    missing = [name for name in REQUIRED if name not in header]
    if missing:
        raise ValidationError("FILE", _("the header lacks the column(s): {names}").format(names=", ".join(missing)))
    items: list[tuple[int, IdentityInput | DeviceInput]] = []
    problems: list[str] = []
    for number, row in enumerate(reader, start=2):
        cells = {(k or "").strip().casefold(): (v or "").strip() for k, v in row.items()}
        if not any(cells.values()):
            continue
        kind = cells.get("type")
        if kind == "staff":
            items.append(
                (
                    number,
                    IdentityInput(cells["tool"], cells.get("kind") or "id", cells["value"], cells.get("staff", "")),
                )
            )
        elif kind == "device":
            items.append(
                (
                    number,
                    DeviceInput(
                        cells["tool"], cells["value"], cells.get("customer", ""), cells.get("workstation") or None
                    ),
                )
            )
        else:
            problems.append(_("line {n}: type: {value!r} is not staff or device").format(n=number, value=kind))
    result = RegisterResult()
    if problems:
        return result, problems

    class _Rollback(Exception):
        pass

    try:
        with write_tx():
            for number, item in items:
                try:
                    if isinstance(item, IdentityInput):
                        _row, changed = add_identity(actor, item)
                        result.identities += changed
                    else:
                        _device, changed = add_device(actor, item)
                        result.devices += changed
                    result.unchanged += not changed
                except ValidationError as exc:
                    problems.append(
                        _("line {line}: {field}: {problem}").format(line=number, field=exc.field, problem=exc.problem)
                    )
                except Support24Error as exc:
                    problems.append(_("line {line}: {problem}").format(line=number, problem=exc))
            if problems:
                raise _Rollback
    except _Rollback:
        return RegisterResult(), problems
    return result, problems
