"""The internal ids people see on screen (states, categories, billing classes, consent kinds …),
listed for the catalogue so that `_(state)` shows them in the reader's language.

`--json` output keeps the ids; only what a person reads goes through `term()`.
"""

from __future__ import annotations

from models.core.i18n import N_, _

IDS = (
    # retention states
    N_("scheduled"),
    N_("due"),
    N_("overdue"),
    N_("held"),
    N_("blocked"),
    # order states
    N_("open"),
    N_("completed"),
    N_("billed"),
    # purge run states
    N_("running"),
    N_("done"),
    N_("failed"),
    N_("interrupted"),
    # access request states
    N_("received"),
    N_("verified"),
    N_("compiled"),
    N_("reviewed"),
    N_("delivered"),
    N_("rejected"),
    N_("closed"),
    # data categories
    N_("system_info"),
    N_("gathered_files"),
    N_("connection"),
    N_("activity"),
    N_("chat"),
    N_("video"),
    N_("billing"),
    N_("access_requests"),
    N_("consent"),
    N_("disclosure"),
    # billing classes
    N_("contract"),
    N_("goodwill"),
    N_("billable"),
    # consent kinds and methods
    N_("screen_visibility"),
    N_("additional_staff"),
    N_("recording"),
    N_("verbal"),
    N_("written"),
    N_("email"),
    N_("phone"),
    # disclosure bases, transfer directions, access channels
    N_("job"),
    N_("upload"),
    N_("download"),
    N_("letter"),
    N_("fax"),
    N_("in_person"),
    # what the order detail shows for a category without records
    N_("nothing kept"),
    # kinds of records an access request matches
    N_("customer"),
    N_("contact"),
    N_("order"),
    N_("session"),
    N_("billing_record"),
    N_("access_request"),
    # kinds of records counted by `support24 stats` and the demo
    N_("customers"),
    N_("orders"),
    N_("sessions"),
    N_("participants"),
    N_("consents"),
    N_("disclosures"),
    N_("recordings"),
    N_("billing_records"),
    N_("audit_events"),
    # roles
    N_("technician"),
    N_("privacy_officer"),
    N_("accounting"),
    N_("admin"),
)


#: what the data categories are called where a person reads them (screens; ids stay in storage and --json)
CATEGORY_LABELS = {
    "system_info": N_("system information"),
    "gathered_files": N_("gathered files"),
    "connection": N_("connection data"),
    "activity": N_("activity log"),
    "chat": N_("chat"),
    "video": N_("video recording"),
    "billing": N_("billing records"),
    "access_requests": N_("access requests"),
}


def category_label(category: str | None) -> str:
    """A data category in the reader's words; an unknown one as term() shows it."""
    if category in CATEGORY_LABELS:
        return _(CATEGORY_LABELS[category])
    return term(category)


def term(value: str | None) -> str:
    """An internal id in the reader's words; anything not listed is shown as it is."""
    if not value:
        return ""
    return _(value) if value in IDS else value
