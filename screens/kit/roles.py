"""What the operator may do, asked before an action is offered (DESIGN.md §3)."""

from __future__ import annotations

from models.core.entities import Staff
from models.core.errors import PermissionDenied
from models.core.i18n import _
from models.core.identity import require_role
from screens.kit.labels import ROLE_LABELS, label


def refusal(actor: Staff, *roles: str) -> str | None:
    """None if `actor` has one of `roles`, else the reason the action is disabled, the roles in words."""
    try:
        require_role(actor, *roles)
    except PermissionDenied:
        return _("{user} lacks the role {roles} for this action").format(
            user=actor.username, roles=_(" or ").join(label(ROLE_LABELS, role) for role in roles)
        )
    return None


def roles_text(actor: Staff) -> str:
    return ", ".join(label(ROLE_LABELS, role) for role in sorted(actor.role_set)) or _("none")
