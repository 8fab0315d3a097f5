"""What the operator may do, asked before an action is offered (DESIGN.md §3)."""

from __future__ import annotations

from models.core.entities import Staff
from models.core.errors import PermissionDenied
from models.core.i18n import _
from models.core.identity import require_role


def refusal(actor: Staff, *roles: str) -> str | None:
    """None if `actor` has one of `roles`, else the reason the action is disabled."""
    try:
        require_role(actor, *roles)
    except PermissionDenied as exc:
        return str(exc)
    return None


def roles_text(actor: Staff) -> str:
    return ", ".join(sorted(actor.role_set)) or _("none")
