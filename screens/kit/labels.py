"""What people read instead of the stored ids (roles, consent kinds, categories, methods).

Storage, the CLI's --json and the audit trail keep the ids; screens show these labels.
"""

from __future__ import annotations

from collections.abc import Iterable

from models.core.i18n import _
from models.core.labels import CATEGORY_LABELS as CORE_CATEGORY_LABELS
from models.core.labels import category_label

ROLE_LABELS = {
    "technician": _("technician"),
    "privacy_officer": _("privacy officer"),
    "accounting": _("accounting"),
    "admin": _("administrator"),
}
CONSENT_KIND_LABELS = {
    "screen_visibility": _("others see the screen"),
    "additional_staff": _("second technician"),
    "disclosure": _("disclosure"),
    "recording": _("recording"),
}
CONSENT_METHOD_LABELS = {
    "verbal": _("verbally"),
    "written": _("in writing"),
    "email": _("by e-mail"),
    "chat": _("in the chat"),
    "phone": _("by phone"),
}
CATEGORY_LABELS = {category: category_label(category) for category in CORE_CATEGORY_LABELS}
BILLING_CLASS_LABELS = {"contract": _("contract"), "goodwill": _("goodwill"), "billable": _("billable")}
DISCLOSURE_BASIS_LABELS = {"consent": _("the customer's consent"), "job": _("needed for the job")}
TRANSFER_LABELS = {"upload": _("upload"), "download": _("download")}


def label(labels: dict[str, str], value: str | None) -> str:
    """The label of an id, or the id itself when it has none (new values stay readable)."""
    if value is None:
        return ""
    return labels.get(value, value)


def labels_of(labels: dict[str, str], values: Iterable[str]) -> str:
    return ", ".join(label(labels, value) for value in values)


def options(labels: dict[str, str], values: Iterable[str]) -> list[tuple[str, str]]:
    """Select options: the label shown, the id stored."""
    return [(label(labels, value), value) for value in values]
