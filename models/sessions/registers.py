"""Registers that tie remote-tool identities to people and devices, and the connections the tools logged.

A tool's log names a TeamViewer account, an AnyDesk alias or a RustDesk id, never a staff
member or a customer. The staff register maps a technician's tool identities to the staff
record; the device register maps the remote id of a customer's device to the customer and
its workstation name. Connections read from logs are kept in `LoggedConnection`, each known
under one or more of the tool's own session identities (`ConnectionKey`).
"""

from __future__ import annotations

from dataclasses import dataclass

from peewee import BigAutoField, BooleanField, CharField, ForeignKeyField, TextField

from models.core import audit, clock, validation
from models.core.db import write_tx
from models.core.entities import BaseModel, Customer, RemoteSession, Staff
from models.core.errors import ValidationError
from models.core.fields import UTCDateTimeField
from models.core.i18n import _
from models.core.identity import require_role

TOOLS = ("teamviewer", "anydesk", "rustdesk")
IDENTITY_KINDS = ("account", "user", "alias", "id")
CONNECTION_STATES = ("matched", "pending", "assigned", "dismissed")
REGISTER_ROLES = ("admin",)


class ToolIdentity(BaseModel):
    """One name or id under which a staff member appears in a tool's logs."""

    tool = CharField(max_length=16)
    kind = CharField(max_length=16)
    value = CharField(max_length=200)
    value_key = CharField(max_length=200)  # lower-cased, spaces removed: "1 660 360 496" = "1660360496"
    staff = ForeignKeyField(Staff, backref="tool_identities", on_delete="CASCADE")
    created_at = UTCDateTimeField()

    class Meta:
        table_name = "tool_identity"
        indexes = ((("tool", "value_key"), True),)


class CustomerDevice(BaseModel):
    """The remote id of one of a customer's devices in a tool, with the workstation's name."""

    tool = CharField(max_length=16)
    remote_id = CharField(max_length=64)
    remote_key = CharField(max_length=64)
    customer = ForeignKeyField(Customer, backref="remote_devices", on_delete="CASCADE")
    workstation = CharField(max_length=200, null=True)

    class Meta:
        table_name = "customer_device"
        indexes = ((("tool", "remote_key"), True),)


class LoggedConnection(BaseModel):
    """A connection as a remote tool logged it, and what became of it in the console."""

    id = BigAutoField()
    tool = CharField(max_length=16)
    started_at = UTCDateTimeField(index=True)
    ended_at = UTCDateTimeField(null=True)
    seen_at = UTCDateTimeField()  # when a log last said something new about it
    state = CharField(max_length=16, index=True)
    session = ForeignKeyField(RemoteSession, null=True, backref="logged_connections", on_delete="CASCADE")
    technician = ForeignKeyField(Staff, null=True, on_delete="SET NULL")
    customer = ForeignKeyField(Customer, null=True, on_delete="CASCADE")
    direction = CharField(max_length=16, null=True)  # incoming / outgoing, as seen by the log's machine
    partner_id = CharField(max_length=64, null=True)
    partner_name = CharField(max_length=200, null=True)
    local_user = CharField(max_length=200, null=True)
    device_id = CharField(max_length=64, null=True)
    device_name = CharField(max_length=200, null=True)
    customer_ip = CharField(max_length=45, null=True)
    details = TextField(null=True)  # JSON: what else the log knows (group, notes, billing, auth method)
    transfers = TextField(null=True)  # JSON list of {at, name, size, direction, status}
    privacy_recorded = BooleanField(default=False)
    reason = TextField(null=True)  # why it was dismissed, or who assigned it
    source = CharField(max_length=64, null=True)  # the format it was read from, e.g. teamviewer-incoming

    class Meta:
        table_name = "logged_connection"
        indexes = ((("tool", "partner_id", "started_at"), False),)


class ConnectionKey(BaseModel):
    """A tool's own session identity of a logged connection (TeamViewer GUID, AnyDesk SID, RustDesk id).

    The key outlives its connection: when the purge deletes the session (and with it the
    logged connection), the key stays without personal data, so a re-read log cannot bring
    the connection back."""

    key = CharField(max_length=160, unique=True)
    connection = ForeignKeyField(LoggedConnection, null=True, backref="keys", on_delete="SET NULL")


REGISTER_MODELS: list[type[BaseModel]] = [ToolIdentity, CustomerDevice, LoggedConnection, ConnectionKey]


def identity_key(value: str) -> str:
    """The matching form of a tool identity: case and spaces do not count."""
    return "".join(value.split()).casefold()


@dataclass(frozen=True)
class IdentityInput:
    tool: str
    kind: str
    value: str
    staff: str


@dataclass(frozen=True)
class DeviceInput:
    tool: str
    remote_id: str
    customer: str
    workstation: str | None = None


def add_identity(actor: Staff, item: IdentityInput) -> tuple[ToolIdentity, bool]:
    """Register (or re-point) a staff member's tool identity; returns it and whether anything changed."""
    require_role(actor, *REGISTER_ROLES)
    tool = validation.choice("tool", item.tool, TOOLS)
    kind = validation.choice("kind", item.kind, IDENTITY_KINDS)
    value = validation.name("value", item.value, max_length=200)
    assert value is not None
    staff = Staff.get_or_none(Staff.username == item.staff)
    if staff is None:
        raise ValidationError("staff", _("no staff member {user}").format(user=item.staff))
    key = identity_key(value)
    with write_tx():
        row = ToolIdentity.get_or_none((ToolIdentity.tool == tool) & (ToolIdentity.value_key == key))
        if row is not None and row.staff_id == staff.id and row.kind == kind and row.value == value:
            return row, False
        if row is None:
            row = ToolIdentity.create(
                tool=tool, kind=kind, value=value, value_key=key, staff=staff, created_at=clock.now()
            )
        else:
            row.kind, row.value, row.staff = kind, value, staff
            row.save()
        audit.record(actor.username, "register.identity", staff.username, f"{tool} {kind}")
    return row, True


def add_device(actor: Staff, item: DeviceInput) -> tuple[CustomerDevice, bool]:
    """Register (or update) the remote id of a customer's device."""
    require_role(actor, *REGISTER_ROLES)
    tool = validation.choice("tool", item.tool, TOOLS)
    remote_id = validation.name("remote_id", item.remote_id, max_length=64)
    assert remote_id is not None
    workstation = validation.name("workstation", item.workstation, required=False)
    customer = Customer.get_or_none(Customer.number == item.customer)
    if customer is None:
        raise ValidationError("customer", _("no customer {number}").format(number=item.customer))
    key = identity_key(remote_id)
    with write_tx():
        row = CustomerDevice.get_or_none((CustomerDevice.tool == tool) & (CustomerDevice.remote_key == key))
        if row is not None and row.customer_id == customer.id and row.workstation == workstation:
            return row, False
        if row is None:
            row = CustomerDevice.create(
                tool=tool, remote_id=remote_id, remote_key=key, customer=customer, workstation=workstation
            )
        else:
            row.customer, row.workstation = customer, workstation
            row.save()
        audit.record(actor.username, "register.device", customer.number, tool)
    return row, True


def staff_for(tool: str, *values: str | None) -> Staff | None:
    """The staff member one of `values` (an id, alias, account or user name) belongs to."""
    keys = [identity_key(v) for v in values if v]
    if not keys:
        return None
    row = (
        ToolIdentity.select(ToolIdentity, Staff)
        .join(Staff)
        .where((ToolIdentity.tool == tool) & ToolIdentity.value_key.in_(keys))
        .first()
    )
    return row.staff if row else None


def device_for(tool: str, *remote_ids: str | None) -> CustomerDevice | None:
    keys = [identity_key(v) for v in remote_ids if v]
    if not keys:
        return None
    return (
        CustomerDevice.select(CustomerDevice, Customer)
        .join(Customer)
        .where((CustomerDevice.tool == tool) & CustomerDevice.remote_key.in_(keys))
        .first()
    )


def list_identities() -> list[ToolIdentity]:
    return list(
        ToolIdentity.select(ToolIdentity, Staff).join(Staff).order_by(ToolIdentity.tool, ToolIdentity.value_key)
    )


def list_devices() -> list[CustomerDevice]:
    return list(
        CustomerDevice.select(CustomerDevice, Customer)
        .join(Customer)
        .order_by(CustomerDevice.tool, CustomerDevice.remote_key)
    )


def identities_of(username: str) -> list[ToolIdentity]:
    """The tool identities of one staff member, for the staff form and `staff list`."""
    return list(
        ToolIdentity.select(ToolIdentity)
        .join(Staff)
        .where(Staff.username == username)
        .order_by(ToolIdentity.tool, ToolIdentity.value_key)
    )


def change_identities(
    actor: Staff, username: str, *, add: list[IdentityInput] | tuple[()] = (), remove: list[str] | tuple[()] = ()
) -> int:
    """Add and remove tool identities of one staff member in one transaction; returns how many changed.

    `remove` names identities as "tool:value". Unlike add_identity (the register import), an
    identity that belongs to another staff member is refused here, not moved: the staff form
    edits one person.
    """
    require_role(actor, *REGISTER_ROLES)
    changed = 0
    with write_tx():
        staff = Staff.get_or_none(Staff.username == username)
        if staff is None:
            raise ValidationError("staff", _("no staff member {user}").format(user=username))
        for spec in remove:
            tool, _colon, value = spec.partition(":")
            row = ToolIdentity.get_or_none(
                (ToolIdentity.tool == tool)
                & (ToolIdentity.value_key == identity_key(value))
                & (ToolIdentity.staff == staff)
            )
            if row is None:
                raise ValidationError("identity", _("{user} has no identity {spec}").format(user=username, spec=spec))
            row.delete_instance()
            audit.record(actor.username, "register.identity.remove", staff.username, f"{row.tool} {row.kind}")
            changed += 1
        for item in add:
            owner = ToolIdentity.get_or_none(
                (ToolIdentity.tool == item.tool) & (ToolIdentity.value_key == identity_key(item.value or ""))
            )
            if owner is not None and getattr(owner, "staff_id") != staff.id:  # noqa: B009 (peewee's column, unknown to mypy)
                raise ValidationError("value", _("is the identity of {user} already").format(user=owner.staff.username))
            _row, did = add_identity(actor, IdentityInput(item.tool, item.kind, item.value, staff.username))
            changed += int(did)
    return changed


def findings_query():
    """Connections with no screen-privacy record in the console: pending, or filed from the log alone.

    Here beside LoggedConnection, so that the dashboard counts them without importing the reconciliation."""
    return LoggedConnection.select().where(
        (LoggedConnection.state == "pending")
        | ((LoggedConnection.state == "assigned") & ~LoggedConnection.privacy_recorded)
    )


def findings_count() -> int:
    return findings_query().count()
