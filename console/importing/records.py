"""One line of the JSON Lines import (DESIGN.md §9) turned into a checked record.

Each field is checked on its own, so a line with three bad fields reports all three.
Only field-level checks happen here; references and rules are checked in import_plan.py.
The field reference is docs/import-format.md.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from console.importing import jsonline
from models.core import validation
from models.core.entities import BILLING_CLASSES, CONSENT_KINDS, CONSENT_METHODS, DISCLOSURE_BASES, TRANSFER_DIRECTIONS
from models.core.errors import ValidationError
from models.core.i18n import _
from models.core.identity import normalize_roles
from models.core.text import fold
from models.retention.policy import CATEGORIES

REF = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,31}$")
TOOL = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,31}$")
INFERRED_DIRECTION = {"file_upload": "upload", "file_download": "download"}
GATHERED_KINDS = ("file", "screenshot", "other")


class Problems:
    """Every `line N: field: problem` found, in line order."""

    def __init__(self) -> None:
        self.items: list[tuple[int, str, str]] = []
        self.broken: set[str] = set()  # keys defined by bad lines: references to them are not reported again

    def add(self, line: int, field_name: str, problem: str) -> None:
        self.items.append((line, field_name, problem))

    def __bool__(self) -> bool:
        return bool(self.items)

    def sorted(self) -> list[tuple[int, str, str]]:
        return sorted(self.items, key=lambda item: item[0])


@dataclass
class Record:
    line: int
    action: str = field(default="create", init=False)  # create, update or skip (import_plan.py)


@dataclass
class StaffRec(Record):
    username: str
    name: str
    roles: str
    commitment_signed_on: date | None
    secrecy_commitment_on: date | None
    active: bool


@dataclass
class CustomerRec(Record):
    number: str
    name: str
    email: str | None
    address: str | None
    professional_secrecy: bool


@dataclass
class ContactRec(Record):
    customer: str
    name: str
    email: str | None
    phone: str | None


@dataclass
class OrderRec(Record):
    ref: str
    customer: str
    opened_at: datetime
    completed_at: datetime | None
    billed_on: date | None
    billing_class: str
    description: str | None
    complete: bool = field(default=False, init=False)  # set by the plan: completion to write
    bill: bool = field(default=False, init=False)


@dataclass
class SessionRec(Record):
    ref: str | None
    order: str
    technician: str
    started_at: datetime
    ended_at: datetime | None
    customer_ip: str | None
    workstation: str | None
    customer_person: str | None
    screen_private: bool
    tool: str | None
    external_id: str | None
    end: bool = field(default=False, init=False)

    @property
    def key(self) -> str:
        return self.ref or f"{self.tool}:{self.external_id}"


@dataclass
class ChildRec(Record):
    """A line that belongs to a session; `session` is a ref or `tool:external_id`."""

    session: str


@dataclass
class ConsentRec(ChildRec):
    kind: str
    given_by: str
    method: str
    granted: bool
    at: datetime
    wording_version: int | None
    note: str | None
    corrects: str | None

    def natural_key(self) -> tuple[Any, ...]:
        return (self.kind, self.at, fold(self.given_by), self.method, self.granted)


@dataclass
class ActivityRec(ChildRec):
    at: datetime
    activity: str
    detail: str | None
    file_name: str | None
    direction: str | None
    file_size: int | None
    file_sha256: str | None

    def natural_key(self) -> tuple[Any, ...]:
        return (self.at, self.activity, self.detail, self.file_name, self.direction, self.file_size, self.file_sha256)


@dataclass
class ChatRec(ChildRec):
    at: datetime
    sender: str
    text: str

    def natural_key(self) -> tuple[Any, ...]:
        return (self.at, self.sender, self.text)


@dataclass
class SystemInfoRec(ChildRec):
    at: datetime
    data: dict[str, Any]

    @property
    def document(self) -> str:
        """The JSON text as models/sessions/sessions.py stores it, so stored and new rows compare equal."""
        return json.dumps(self.data, ensure_ascii=False, sort_keys=True)

    def natural_key(self) -> tuple[Any, ...]:
        return (self.at, self.document)


@dataclass
class RecordingRec(ChildRec):
    path: str
    started_at: datetime
    ended_at: datetime | None
    size: int | None
    sha256: str | None


@dataclass
class GatheredRec(ChildRec):
    path: str
    kind: str
    at: datetime
    size: int | None
    sha256: str | None


@dataclass
class ParticipantRec(ChildRec):
    username: str
    joined_at: datetime
    left_at: datetime | None


@dataclass
class DisclosureRec(ChildRec):
    recipient: str
    categories: list[str]
    scope: str
    basis: str
    customer_informed_at: datetime
    at: datetime

    def natural_key(self) -> tuple[Any, ...]:
        return (fold(self.recipient), self.basis, self.customer_informed_at, self.at)


# --- field checks that validation.py does not have ------------------------------------------


def ref(field_name: str, value: object, *, required: bool = True) -> str | None:
    if value is None or value == "":
        if required:
            raise ValidationError(field_name, _("is required"))
        return None
    if not isinstance(value, str) or not REF.fullmatch(value):
        raise ValidationError(field_name, _("{value!r} is not a reference such as A-2026-0001").format(value=value))
    return value


def session_ref(field_name: str, value: object) -> str:
    """A session's ref, or `tool:external_id` for a session line that has no ref."""
    if isinstance(value, str) and ":" in value:
        tool, _sep, external = value.partition(":")
        if TOOL.fullmatch(tool) and external and validation.name(field_name, external, max_length=128):
            return value
        raise ValidationError(
            field_name, _("{value!r} is neither a session ref nor tool:external_id").format(value=value)
        )
    result = ref(field_name, value)
    assert result is not None
    return result


def tool(field_name: str, value: object) -> str | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str) or not TOOL.fullmatch(value):
        raise ValidationError(field_name, _("{value!r} is not a tool name such as teamviewer").format(value=value))
    return value


def boolean(field_name: str, value: object, *, required: bool = True, default: bool = False) -> bool:
    if value is None:
        if required:
            raise ValidationError(field_name, _("is required (true or false)"))
        return default
    if not isinstance(value, bool):
        raise ValidationError(field_name, _("must be true or false"))
    return value


def whole(field_name: str, value: object) -> int | None:
    return validation.non_negative_int(field_name, value, required=False)


def roles(field_name: str, value: object) -> str:
    if value is None or value == [] or value == "":
        raise ValidationError(field_name, _("is required (role, or roles as a list)"))
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ValidationError(field_name, _("must be a role name or a list of role names"))
    try:
        return normalize_roles(value)
    except ValidationError as exc:
        raise ValidationError(field_name, exc.problem) from None


def source_path(field_name: str, value: object) -> str:
    """The file to take in: absolute, or relative to the data folder; checked on disk by the importer."""
    clean = validation.name(field_name, value, max_length=500)
    assert clean is not None
    if "\0" in clean:
        raise ValidationError(field_name, _("must not contain a NUL character"))
    return clean


_UNSET = object()


class Fields:
    """Reads one JSON object; each failing field becomes a problem of its line."""

    def __init__(self, line: int, obj: dict[str, Any], problems: Problems, allowed: tuple[str, ...]) -> None:
        self.line, self.obj, self.problems, self.ok = line, obj, problems, True
        for name in obj:
            if name != "type" and name not in allowed:
                self.fail(name, _("unknown field"))

    def fail(self, field_name: str, problem: str) -> None:
        self.problems.add(self.line, field_name, problem)
        self.ok = False

    def get(self, name: str, check: Callable[..., Any], *args: Any, value: Any = _UNSET, **kwargs: Any) -> Any:
        raw = self.obj.get(name) if value is _UNSET else value
        try:
            return check(name, raw, *args, **kwargs)
        except ValidationError as exc:
            self.fail(exc.field, exc.problem)
            return None

    def timestamp(self, name: str, *, required: bool = True) -> datetime | None:
        return self.get(name, validation.timestamp, required=required)

    def name(self, name: str, *, required: bool = True, max_length: int = validation.MAX_NAME) -> str | None:
        return self.get(name, validation.name, required=required, max_length=max_length)

    def text(self, name: str, *, required: bool = True, max_length: int = validation.MAX_TEXT) -> str | None:
        return self.get(name, validation.text, required=required, max_length=max_length)


def _staff(f: Fields) -> StaffRec | None:
    if "role" in f.obj and "roles" in f.obj:
        f.fail("roles", _("give either role or roles, not both"))
    role_field = "roles" if "roles" in f.obj else "role"
    rec = StaffRec(
        f.line,
        f.get("username", validation.username),
        f.name("name"),
        f.get(role_field, roles),
        f.get("commitment_signed_on", validation.day, required=False),
        f.get("secrecy_commitment_on", validation.day, required=False),
        f.get("active", boolean, required=False, default=True),
    )
    return rec


def _contact(f: Fields, customer: str | None, prefix: str = "") -> ContactRec:
    obj = f.obj
    return ContactRec(
        f.line,
        customer or "",
        f.get(prefix + "name", validation.name, value=obj.get("name")),
        f.get(prefix + "email", validation.email, value=obj.get("email")),
        f.get(prefix + "phone", validation.name, value=obj.get("phone"), required=False, max_length=64),
    )


def _customer(f: Fields) -> list[Record]:
    number = f.get("number", validation.customer_number)
    records: list[Record] = [
        CustomerRec(
            f.line,
            number,
            f.name("name"),
            f.get("email", validation.email),
            f.text("address", required=False, max_length=1000),
            f.get("professional_secrecy", boolean, required=False),
        )
    ]
    contacts = f.obj.get("contacts")
    if contacts is not None:
        if not isinstance(contacts, list):
            f.fail("contacts", _("must be a list of objects"))
            return records
        for index, item in enumerate(contacts):
            prefix = f"contacts[{index}]."
            if not isinstance(item, dict):
                f.fail(prefix.rstrip("."), _("must be an object"))
                continue
            for key in item:
                if key not in ("name", "email", "phone"):
                    f.fail(prefix + key, _("unknown field"))
            sub = Fields(f.line, item, f.problems, tuple(item))  # unknown keys reported above, with prefix
            records.append(_contact(sub, number, prefix))
            f.ok = f.ok and sub.ok
    return records


def _order(f: Fields) -> OrderRec:
    return OrderRec(
        f.line,
        f.get("ref", ref),
        f.get("customer", validation.customer_number),
        f.timestamp("opened_at"),
        f.timestamp("completed_at", required=False),
        f.get("billed_at", validation.day, required=False),
        f.get("billing_class", validation.choice, BILLING_CLASSES),
        f.text("description", required=False, max_length=2000),
    )


def _session(f: Fields) -> SessionRec:
    rec = SessionRec(
        f.line,
        f.get("ref", ref, required=False),
        f.get("order", ref),
        f.get("technician", validation.username),
        f.timestamp("started_at"),
        f.timestamp("ended_at", required=False),
        f.get("customer_ip", validation.ip_address, required=False),
        f.name("workstation", required=False),
        f.name("customer_person", required=False),
        f.get("screen_private", boolean),
        f.get("tool", tool),
        f.name("external_id", required=False, max_length=128),
    )
    if f.obj.get("external_id") and not f.obj.get("tool"):
        f.fail("tool", _("is required with external_id"))
    if not f.obj.get("ref") and not (f.obj.get("tool") and f.obj.get("external_id")):
        f.fail("ref", _("is required unless tool and external_id are given"))
    if rec.started_at and rec.ended_at and rec.ended_at < rec.started_at:
        f.fail("ended_at", _("lies before started_at"))
    return rec


def _consent(f: Fields, session: str) -> ConsentRec:
    version = f.obj.get("wording_version")
    if version is not None and (isinstance(version, bool) or not isinstance(version, int) or version < 1):
        f.fail("wording_version", _("must be a whole number of 1 or more"))
    return ConsentRec(
        f.line,
        session,
        f.get("kind", validation.choice, CONSENT_KINDS),
        f.name("given_by"),
        f.get("method", validation.choice, CONSENT_METHODS),
        f.get("granted", boolean),
        f.timestamp("at"),
        version,
        f.text("note", required=False, max_length=2000),
        f.get("corrects", ref, required=False),
    )


def _activity(f: Fields, session: str) -> ActivityRec:
    action = f.name("action", max_length=64)
    rec = ActivityRec(
        f.line,
        session,
        f.timestamp("at"),
        action,
        f.text("detail", required=False, max_length=4000),
        None,
        None,
        None,
        None,
    )
    transfer = f.obj.get("file")
    if transfer is None:
        return rec
    if not isinstance(transfer, dict):
        f.fail("file", _("must be an object with name, size, sha256 and direction"))
        return rec
    for key in transfer:
        if key not in ("name", "size", "sha256", "direction"):
            f.fail(f"file.{key}", _("unknown field"))
    direction = transfer.get("direction") or INFERRED_DIRECTION.get(action or "")
    if direction is None:
        f.fail("file.direction", _("is required unless action is file_upload or file_download"))
    else:
        rec.direction = f.get("file.direction", validation.choice, TRANSFER_DIRECTIONS, value=direction)
    rec.file_name = f.get("file.name", validation.name, value=transfer.get("name"), max_length=255)
    rec.file_size = f.get("file.size", validation.non_negative_int, value=transfer.get("size"))
    rec.file_sha256 = f.get("file.sha256", validation.sha256, value=transfer.get("sha256"))
    return rec


def _chat(f: Fields, session: str) -> ChatRec:
    return ChatRec(f.line, session, f.timestamp("at"), f.name("sender", max_length=64), f.text("text"))


def _system_info(f: Fields, session: str) -> SystemInfoRec:
    data = f.obj.get("data")
    if not isinstance(data, dict) or not data:
        f.fail("data", _("must be a non-empty JSON object"))
    elif len(json.dumps(data, ensure_ascii=False)) > 1_000_000:
        f.fail("data", _("is larger than 1 MB"))
    return SystemInfoRec(f.line, session, f.timestamp("at"), data if isinstance(data, dict) else {})


def _recording(f: Fields, session: str) -> RecordingRec:
    rec = RecordingRec(
        f.line,
        session,
        f.get("path", source_path),
        f.timestamp("started_at"),
        f.timestamp("ended_at", required=False),
        f.get("size", whole),
        f.get("sha256", validation.sha256, required=False),
    )
    if rec.started_at and rec.ended_at and rec.ended_at < rec.started_at:
        f.fail("ended_at", _("lies before started_at"))
    return rec


def _gathered(f: Fields, session: str) -> GatheredRec:
    return GatheredRec(
        f.line,
        session,
        f.get("path", source_path),
        f.get("kind", validation.choice, GATHERED_KINDS, value=f.obj.get("kind", "file")),
        f.timestamp("at"),
        f.get("size", whole),
        f.get("sha256", validation.sha256, required=False),
    )


def _participant(f: Fields, session: str) -> ParticipantRec:
    rec = ParticipantRec(
        f.line,
        session,
        f.get("username", validation.username),
        f.timestamp("joined_at"),
        f.timestamp("left_at", required=False),
    )
    if rec.joined_at and rec.left_at and rec.left_at < rec.joined_at:
        f.fail("left_at", _("lies before joined_at"))
    return rec


def _disclosure(f: Fields, session: str) -> DisclosureRec:
    categories = f.obj.get("categories")
    if not isinstance(categories, list) or not categories:
        f.fail("categories", _("must be a non-empty list of data categories"))
        categories = []
    else:
        for item in categories:
            f.get("categories", validation.choice, CATEGORIES, value=item)
    informed = f.timestamp("customer_informed_at")
    at = f.timestamp("at", required=False) or informed
    return DisclosureRec(
        f.line,
        session,
        f.name("recipient"),
        sorted(set(map(str, categories))),
        f.text("scope", max_length=2000),
        f.get("basis", validation.choice, DISCLOSURE_BASES),
        informed,
        at,
    )


ALLOWED: dict[str, tuple[str, ...]] = {
    "staff": ("username", "name", "role", "roles", "commitment_signed_on", "secrecy_commitment_on", "active"),
    "customer": ("number", "name", "email", "address", "professional_secrecy", "contacts"),
    "contact": ("customer", "name", "email", "phone"),
    "order": ("ref", "customer", "opened_at", "completed_at", "billed_at", "billing_class", "description"),
    "session": (
        "ref",
        "order",
        "technician",
        "started_at",
        "ended_at",
        "customer_ip",
        "workstation",
        "customer_person",
        "screen_private",
        "tool",
        "external_id",
    ),
    "consent": ("session", "kind", "given_by", "method", "granted", "at", "wording_version", "note", "corrects"),
    "activity": ("session", "at", "action", "detail", "file"),
    "chat": ("session", "at", "sender", "text"),
    "system_info": ("session", "at", "data"),
    "recording": ("session", "path", "started_at", "ended_at", "size", "sha256"),
    "gathered_file": ("session", "path", "kind", "at", "size", "sha256"),
    "participant": ("session", "username", "joined_at", "left_at"),
    "disclosure": ("session", "recipient", "categories", "scope", "basis", "customer_informed_at", "at"),
}
_CHILD_PARSERS: dict[str, Callable[[Fields, str], Record]] = {
    "consent": _consent,
    "activity": _activity,
    "chat": _chat,
    "system_info": _system_info,
    "recording": _recording,
    "gathered_file": _gathered,
    "participant": _participant,
    "disclosure": _disclosure,
}
TYPES = tuple(ALLOWED)


def parse_line(number: int, text: str, problems: Problems) -> list[Record]:
    """The records of one line (a customer line may carry contacts), or [] after reporting problems."""
    try:
        obj = jsonline.loads(text)
    except ValidationError as exc:
        problems.add(number, exc.field, exc.problem)
        return []
    if not isinstance(obj, dict):
        problems.add(number, "json", _("must be one JSON object"))
        return []
    kind = obj.get("type")
    if not isinstance(kind, str) or kind not in ALLOWED:
        problems.add(
            number, "type", _("{value!r} is not one of: {options}").format(value=kind, options=", ".join(TYPES))
        )
        return []
    f = Fields(number, obj, problems, ALLOWED[kind])
    records: list[Record]
    if kind == "staff":
        records = [_staff(f)]
    elif kind == "customer":
        records = _customer(f)
    elif kind == "contact":
        records = [_contact(f, f.get("customer", validation.customer_number))]
    elif kind == "order":
        records = [_order(f)]
    elif kind == "session":
        records = [_session(f)]
    else:
        records = [_CHILD_PARSERS[kind](f, f.get("session", session_ref))]
    if not f.ok:
        keys = (
            [obj.get(k) for k in ("username", "number", "ref")]
            if kind in ("staff", "customer", "order", "session")
            else []
        )
        if kind == "session":
            keys.append(f"{obj.get('tool')}:{obj.get('external_id')}")
        problems.broken.update(k for k in keys if isinstance(k, str))
        return []
    return records
