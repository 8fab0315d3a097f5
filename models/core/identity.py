"""Operators and roles (DESIGN.md §3). Enforced here so every caller is held to them."""

from __future__ import annotations

from models.core.entities import ROLES, Staff
from models.core.errors import PermissionDenied, UnknownOperator, ValidationError
from models.core.i18n import _
from models.core.labels import term


def normalize_roles(roles: str | list[str] | tuple[str, ...] | set[str]) -> str:
    """Roles as stored: known names only, sorted, space-separated."""
    items = roles.replace(",", " ").split() if isinstance(roles, str) else list(roles)
    if not items:
        raise ValidationError("roles", _("at least one role is required"))
    for role in items:
        if role not in ROLES:
            raise ValidationError(
                "roles", _("{role!r} is not one of: {roles}").format(role=role, roles=", ".join(ROLES))
            )
    return " ".join(sorted(set(items)))


def resolve_operator(username: str) -> Staff:
    """The active staff record of an operating-system account, or a refusal saying what to do."""
    staff = Staff.get_or_none(Staff.username == username)
    if staff is None:
        raise UnknownOperator(
            _(
                "the account {user!r} is not in the staff register. An administrator can add it, "
                "or on a new installation run: support24 init --admin {user} --name 'Your Name' "
                "--commitment-date YYYY-MM-DD"
            ).format(user=username)
        )
    if not staff.active:
        raise UnknownOperator(_("the account {user!r} is deactivated; ask an administrator").format(user=username))
    return staff


def require_role(actor: Staff, *roles: str) -> None:
    """Refuse unless the actor has one of `roles`."""
    if not any(actor.has_role(role) for role in roles):
        raise PermissionDenied(
            _("{user} lacks the role {roles} for this action").format(
                user=actor.username, roles=_(" or ").join(term(role) for role in roles)
            )
        )
