"""The tables of the domain (DESIGN.md §1, §4, §5, §6). Rules live in the modules beside this."""

from __future__ import annotations

from typing import TYPE_CHECKING

from peewee import (
    BigAutoField,
    BigIntegerField,
    BooleanField,
    CharField,
    CompositeKey,
    DateField,
    ForeignKeyField,
    IntegerField,
    Model,
    TextField,
    fn,
)

from models.core.db import database
from models.core.fields import UTCDateTimeField

ROLES = ("technician", "privacy_officer", "accounting", "admin")
BILLING_CLASSES = ("contract", "goodwill", "billable")
CONSENT_KINDS = ("screen_visibility", "additional_staff", "disclosure", "recording")
CONSENT_METHODS = ("verbal", "written", "email", "chat", "phone")
DISCLOSURE_BASES = ("consent", "job")
TRANSFER_DIRECTIONS = ("upload", "download")
ACCESS_CHANNELS = ("letter", "email", "fax", "in_person")
ACCESS_STATES = ("received", "verified", "compiled", "reviewed", "delivered", "rejected")


class BaseModel(Model):
    if TYPE_CHECKING:
        # For the type checker only: the primary key peewee adds to a model that declares none
        # (an AutoField named id); models with their own integer key override it.
        id = IntegerField()

    class Meta:
        database = database
        legacy_table_names = False


class SchemaMeta(BaseModel):
    """Key/value facts about the database itself: schema version, audit chain head."""

    key = CharField(primary_key=True, max_length=64)
    value = TextField()


class RefCounter(BaseModel):
    """The last number handed out per reference prefix and year (A-2026-0001)."""

    prefix = CharField(max_length=8)
    year = IntegerField()
    last = IntegerField(default=0)

    class Meta:
        primary_key = False
        indexes = ((("prefix", "year"), True),)


class Staff(BaseModel):
    username = CharField(max_length=64, unique=True)
    name = CharField(max_length=200)
    roles = CharField(max_length=128)  # space-separated, sorted; see identity.py
    commitment_signed_on = DateField(null=True)  # P3: written confidentiality commitment
    secrecy_commitment_on = DateField(null=True)  # extra commitment for § 203 StGB customers
    active = BooleanField(default=True, index=True)
    created_at = UTCDateTimeField()

    @property
    def role_set(self) -> frozenset[str]:
        return frozenset(self.roles.split())

    def has_role(self, role: str) -> bool:
        return role in self.role_set


class Customer(BaseModel):
    number = CharField(max_length=32, unique=True)
    name = CharField(max_length=200)
    name_key = CharField(max_length=200, index=True)  # folded for matching (matching.py)
    email = CharField(max_length=254, null=True, index=True)
    address = TextField(null=True)
    professional_secrecy = BooleanField(default=False)  # § 203 StGB
    created_at = UTCDateTimeField()


class ContactPerson(BaseModel):
    customer = ForeignKeyField(Customer, backref="contacts", on_delete="CASCADE")
    name = CharField(max_length=200)
    name_key = CharField(max_length=200, index=True)
    email = CharField(max_length=254, null=True, index=True)
    phone = CharField(max_length=64, null=True)
    created_at = UTCDateTimeField()


class Order(BaseModel):
    ref = CharField(max_length=32, unique=True)
    customer = ForeignKeyField(Customer, backref="orders", on_delete="RESTRICT")
    opened_at = UTCDateTimeField(index=True)
    completed_at = UTCDateTimeField(null=True, index=True)
    billed_on = DateField(null=True, index=True)  # accounting's billing date starts P8
    billing_class = CharField(max_length=16)
    description = TextField(null=True)
    # Due instants precomputed from the policy when the anchors are set (retention.py),
    # so the queue is a range scan on an index.
    gathered_due_at = UTCDateTimeField(null=True, index=True)  # P7
    records_due_at = UTCDateTimeField(null=True, index=True)  # P8
    created_at = UTCDateTimeField()

    class Meta:
        table_name = "orders"


class ConsentWording(BaseModel):
    """The text read out or shown when consent is asked; versions are never overwritten."""

    kind = CharField(max_length=32)
    version = IntegerField()
    language = CharField(max_length=8, default="de")
    text = TextField()
    created_at = UTCDateTimeField()

    class Meta:
        indexes = ((("kind", "version", "language"), True),)


class RemoteSession(BaseModel):
    ref = CharField(max_length=32, unique=True)
    order = ForeignKeyField(Order, backref="sessions", on_delete="RESTRICT")
    technician = ForeignKeyField(Staff, backref="sessions", on_delete="RESTRICT")
    started_at = UTCDateTimeField(index=True)
    ended_at = UTCDateTimeField(null=True, index=True)
    customer_ip = CharField(max_length=45, null=True, index=True)
    workstation = CharField(max_length=200, null=True)
    workstation_key = CharField(max_length=200, null=True, index=True)
    customer_person = CharField(max_length=200, null=True)
    customer_person_key = CharField(max_length=200, null=True, index=True)
    screen_private = BooleanField(default=True)
    tool = CharField(max_length=32, null=True)
    external_id = CharField(max_length=128, null=True)
    created_at = UTCDateTimeField()

    class Meta:
        indexes = ((("tool", "external_id"), True),)


class Consent(BaseModel):
    """Append-only proof that someone agreed (or refused); corrections are new records."""

    ref = CharField(max_length=32, unique=True)
    session = ForeignKeyField(RemoteSession, backref="consents", on_delete="CASCADE")
    kind = CharField(max_length=32)
    given_by = CharField(max_length=200)
    given_by_key = CharField(max_length=200, index=True)
    method = CharField(max_length=16)
    granted = BooleanField()
    at = UTCDateTimeField(index=True)
    recorded_by = ForeignKeyField(Staff, null=True, on_delete="RESTRICT")
    wording = ForeignKeyField(ConsentWording, null=True, on_delete="RESTRICT")
    corrects = ForeignKeyField("self", null=True, backref="corrections", on_delete="CASCADE")
    note = TextField(null=True)
    created_at = UTCDateTimeField()

    class Meta:
        indexes = ((("session", "kind", "at"), False),)


class Participant(BaseModel):
    session = ForeignKeyField(RemoteSession, backref="participants", on_delete="CASCADE")
    staff = ForeignKeyField(Staff, backref="participations", on_delete="RESTRICT")
    joined_at = UTCDateTimeField()
    left_at = UTCDateTimeField(null=True)
    consent = ForeignKeyField(Consent, null=True, on_delete="SET NULL")  # the P6 consent

    class Meta:
        indexes = ((("session", "staff", "joined_at"), True),)


class Disclosure(BaseModel):
    """P11: what was passed to whom, on which basis, and when the customer was told."""

    ref = CharField(max_length=32, unique=True)
    session = ForeignKeyField(RemoteSession, backref="disclosures", on_delete="CASCADE")
    recipient = CharField(max_length=200)
    categories = TextField()  # JSON list of category names
    scope = TextField()
    basis = CharField(max_length=16)
    consent = ForeignKeyField(Consent, null=True, on_delete="SET NULL")
    customer_informed_at = UTCDateTimeField()
    at = UTCDateTimeField(index=True)
    recorded_by = ForeignKeyField(Staff, null=True, on_delete="RESTRICT")
    created_at = UTCDateTimeField()


class ActivityEvent(BaseModel):
    id = BigAutoField()  # filled by the database (BIGSERIAL on PostgreSQL)
    session = ForeignKeyField(RemoteSession, backref="activity", on_delete="CASCADE")
    at = UTCDateTimeField(index=True)
    action = CharField(max_length=64)
    detail = TextField(null=True)
    file_name = CharField(max_length=255, null=True)
    direction = CharField(max_length=8, null=True)
    file_size = BigIntegerField(null=True)
    file_sha256 = CharField(max_length=64, null=True)


class ChatMessage(BaseModel):
    id = BigAutoField()
    session = ForeignKeyField(RemoteSession, backref="chat", on_delete="CASCADE")
    at = UTCDateTimeField(index=True)
    sender = CharField(max_length=64)
    text = TextField()


class SystemInfo(BaseModel):
    session = ForeignKeyField(RemoteSession, backref="system_info", on_delete="CASCADE")
    at = UTCDateTimeField(index=True)
    data = TextField()  # JSON document as gathered


class GatheredFile(BaseModel):
    """P7: copies of files, screenshots and other material; the file lives in the data folder."""

    session = ForeignKeyField(RemoteSession, backref="gathered_files", on_delete="CASCADE")
    at = UTCDateTimeField(index=True)
    kind = CharField(max_length=16, default="file")
    path = CharField(max_length=500)  # the name the import gave
    size = BigIntegerField(null=True)
    sha256 = CharField(max_length=64, null=True)
    stored = CharField(max_length=200, null=True)  # the console's own copy, files/gathered/…; "" none


class Recording(BaseModel):
    session = ForeignKeyField(RemoteSession, backref="recordings", on_delete="CASCADE")
    path = CharField(max_length=500)  # the name the import gave
    started_at = UTCDateTimeField()
    ended_at = UTCDateTimeField(null=True)
    size = BigIntegerField(null=True)
    sha256 = CharField(max_length=64, null=True)
    stored = CharField(max_length=200, null=True)  # the console's own copy, files/recordings/…; "" none


class BillingBatch(BaseModel):
    number = IntegerField(unique=True)
    created_at = UTCDateTimeField()
    created_by = CharField(max_length=64)
    record_count = IntegerField()
    sha256 = CharField(max_length=64)
    acknowledged_at = UTCDateTimeField(null=True)
    billed_on = DateField(null=True)
    files_at = UTCDateTimeField(null=True)  # when both files were in place; None: the next export writes them


class BillingRecord(BaseModel):
    """P9/P10: what accounting receives, kept 11 years from the session date."""

    ref = CharField(max_length=32, unique=True)
    order = ForeignKeyField(Order, backref="billing_records", on_delete="RESTRICT")
    session = ForeignKeyField(RemoteSession, null=True, backref="billing_records", on_delete="SET NULL")
    session_ref = CharField(max_length=32)
    session_date = DateField(index=True)  # Berlin calendar date
    started_at = UTCDateTimeField()
    ended_at = UTCDateTimeField()
    duration_minutes = IntegerField()
    customer_number = CharField(max_length=32, index=True)
    customer_name = CharField(max_length=200)
    customer_name_key = CharField(max_length=200, index=True)
    workstation_or_employee = CharField(max_length=200, null=True)
    workstation_or_employee_key = CharField(max_length=200, null=True, index=True)
    billing_class = CharField(max_length=16)
    batch = ForeignKeyField(BillingBatch, null=True, backref="records", on_delete="SET NULL")
    due_at = UTCDateTimeField(null=True, index=True)  # P10
    restricted_at = UTCDateTimeField(null=True)  # BDSG § 35(3): restricted instead of erased
    restriction_reason = TextField(null=True)
    created_at = UTCDateTimeField()


class LegalHold(BaseModel):
    """A billing dispute (P8): nothing of the order is purged while the hold is active."""

    order = ForeignKeyField(Order, backref="holds", on_delete="CASCADE")
    reason = TextField()
    placed_at = UTCDateTimeField()
    placed_by = CharField(max_length=64)
    released_at = UTCDateTimeField(null=True, index=True)
    released_by = CharField(max_length=64, null=True)


class AccessRequest(BaseModel):
    """P12 / GDPR Art. 15: a data subject's written request and its workflow."""

    ref = CharField(max_length=32, unique=True)
    name = CharField(max_length=200)
    name_key = CharField(max_length=200, index=True)
    email = CharField(max_length=254, null=True)
    customer = ForeignKeyField(Customer, null=True, backref="access_requests", on_delete="SET NULL")
    address = TextField(null=True)
    identifiers = TextField(null=True)  # JSON: extra workstation names, IPs the requester gave
    received_on = DateField(index=True)
    channel = CharField(max_length=16)
    due_on = DateField(index=True)
    extended_due_on = DateField(null=True)
    extension_reason = TextField(null=True)
    extension_notified_on = DateField(null=True)
    state = CharField(max_length=16, index=True)
    verified_at = UTCDateTimeField(null=True)
    verification_method = TextField(null=True)
    verified_by = CharField(max_length=64, null=True)
    compiled_at = UTCDateTimeField(null=True)
    reviewed_at = UTCDateTimeField(null=True)
    reviewed_by = CharField(max_length=64, null=True)
    exported_at = UTCDateTimeField(null=True)
    exported_sha256 = CharField(max_length=64, null=True)  # the last exported report; deliver takes it
    delivered_on = DateField(null=True)
    delivered_sha256 = CharField(max_length=64, null=True)
    rejected_reason = TextField(null=True)
    closed_at = UTCDateTimeField(null=True, index=True)
    due_at = UTCDateTimeField(null=True, index=True)  # closed_at + the policy's access_requests rule
    created_at = UTCDateTimeField()


class AccessRequestExclusion(BaseModel):
    """A match the officer judged false, with the reason; kept with the request."""

    request = ForeignKeyField(AccessRequest, backref="exclusions", on_delete="CASCADE")
    record_kind = CharField(max_length=32)
    record_id = BigIntegerField()
    reason = TextField()
    excluded_by = CharField(max_length=64)
    at = UTCDateTimeField()


class RetentionDue(BaseModel):
    """When one category of one order's data falls due under a policy version (retention_due.py).

    One row per (category, order) for the session-bound categories, so a policy may give each
    its own period; billing records and access requests carry their own due_at.
    """

    category = CharField(max_length=32)
    order = ForeignKeyField(Order, backref="retention_dues", on_delete="CASCADE")
    due_at = UTCDateTimeField(null=True)  # None: the anchor (billing date) is not set yet
    completed_at = UTCDateTimeField()  # the anchors the due date was computed from
    billed_on = DateField(null=True)
    policy_version = CharField(max_length=64)

    class Meta:
        indexes = (
            (("category", "order"), True),
            (("due_at", "category", "order"), False),
            (("category", "due_at"), False),
        )


class PurgeRun(BaseModel):
    started_at = UTCDateTimeField(index=True)
    finished_at = UTCDateTimeField(null=True)
    operator = CharField(max_length=64)
    host = CharField(max_length=255, null=True)
    policy_version = CharField(max_length=64)
    dry_run = BooleanField(default=False)
    state = CharField(max_length=16, default="running")
    deleted_count = IntegerField(default=0)
    error = TextField(null=True)


class PurgeProblem(BaseModel):
    """Why an item could not be purged (a file that may not be shredded); the queue shows it blocked."""

    category = CharField(max_length=32)
    item_id = BigIntegerField()  # order id for session-bound categories, else the row's own id
    reason = TextField()
    noted_at = UTCDateTimeField()

    class Meta:
        indexes = ((("category", "item_id"), True),)


class DeletionRecord(BaseModel):
    """Proof of one deletion. Holds no personal data: category, ids, dates, policy, method."""

    id = BigAutoField()
    run = ForeignKeyField(PurgeRun, null=True, backref="deletions", on_delete="SET NULL")
    category = CharField(max_length=32, index=True)
    item_id = BigIntegerField()
    ref = CharField(max_length=32, null=True, index=True)  # also keeps purged data from being re-imported
    due_at = UTCDateTimeField()
    deleted_at = UTCDateTimeField(index=True)
    policy_version = CharField(max_length=64)
    method = CharField(max_length=64)


class PurgeLease(BaseModel):
    """The one-purge-at-a-time lease on SQLite (PostgreSQL uses an advisory lock)."""

    name = CharField(primary_key=True, max_length=32)
    holder = CharField(max_length=255)
    acquired_at = UTCDateTimeField()
    expires_at = UTCDateTimeField()


class BackupEntry(BaseModel):
    """P10: a backup the console made, purged with the data it holds."""

    path = CharField(max_length=500)
    created_at = UTCDateTimeField(index=True)
    size = BigIntegerField(null=True)
    sha256 = CharField(max_length=64, null=True)
    deleted_at = UTCDateTimeField(null=True)


class AuditEvent(BaseModel):
    """Who did or read what, when; hash-chained (audit.py). No personal data in it."""

    id = BigIntegerField(primary_key=True)
    at = UTCDateTimeField(index=True)
    actor = CharField(max_length=64, index=True)
    action = CharField(max_length=64, index=True)
    ref = CharField(max_length=64, null=True, index=True)
    detail = TextField(null=True)
    prev_hash = CharField(max_length=64)
    hash = CharField(max_length=64)


# Access-request matching compares e-mail addresses case-insensitively (matching.py).
for _model in (Customer, ContactPerson, AccessRequest):
    _model.add_index(_model.index(fn.LOWER(_model.email), name=f"{_model._meta.table_name}_email_lower"))


class DueCount(BaseModel):
    """How many queue rows fall due on one UTC day, per category; kept by triggers (due_counts.py).

    The queue summary adds whole days from here and counts only the edge days row by row.
    """

    category = CharField(max_length=32)
    day = CharField(max_length=10)  # YYYY-MM-DD, the UTC day of due_at
    n = BigIntegerField(default=0)

    class Meta:
        primary_key = CompositeKey("category", "day")


ALL_MODELS: list[type[BaseModel]] = [
    SchemaMeta,
    RefCounter,
    Staff,
    Customer,
    ContactPerson,
    Order,
    ConsentWording,
    RemoteSession,
    Consent,
    Participant,
    Disclosure,
    ActivityEvent,
    ChatMessage,
    SystemInfo,
    GatheredFile,
    Recording,
    BillingBatch,
    BillingRecord,
    LegalHold,
    RetentionDue,
    DueCount,
    AccessRequest,
    AccessRequestExclusion,
    PurgeRun,
    PurgeProblem,
    DeletionRecord,
    PurgeLease,
    BackupEntry,
    AuditEvent,
]
