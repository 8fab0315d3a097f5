"""Parsing and checking of values that come from outside; each failure names its field."""

from __future__ import annotations

import ipaddress
import re
from datetime import date, datetime, timedelta, timezone

from models.core import clock
from models.core.errors import ValidationError
from models.core.i18n import _
from models.core.text import has_bidi_control, has_control, has_lone_surrogate, is_invisible, strip_control

MAX_NAME = 200
MAX_TEXT = 20_000
FUTURE_TOLERANCE = timedelta(minutes=5)
EARLIEST = datetime(1970, 1, 1, tzinfo=timezone.utc)  # nothing this console records is older
MAX_BIGINT = 2**63 - 1
CUSTOMER_NUMBER = re.compile(r"^K-[0-9]{1,12}$")  # ASCII digits only: "K-٧٠٠٠٩" is no customer number
USERNAME = re.compile(r"^[a-z_][a-z0-9_.-]{0,63}$")
SHA256 = re.compile(r"^[0-9a-f]{64}$")


def name(field: str, value: object, *, required: bool = True, max_length: int = MAX_NAME) -> str | None:
    """A single-line name: trimmed, no control characters, bounded length."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise ValidationError(field, _("is required"))
        return None
    if not isinstance(value, str):
        raise ValidationError(field, _("must be text"))
    value = value.strip()
    if has_control(value):
        raise ValidationError(field, _("must not contain control characters or line breaks"))
    _readable(field, value)
    if is_invisible(value):
        raise ValidationError(field, _("holds only invisible characters"))
    if len(value) > max_length:
        raise ValidationError(field, _("is longer than {n} characters").format(n=max_length))
    return value


def _readable(field: str, value: str) -> None:
    """Refuse text that cannot be stored (lone surrogates) or shows other than it reads (bidi overrides)."""
    if has_lone_surrogate(value):
        raise ValidationError(field, _("holds a lone UTF-16 surrogate, which is not valid Unicode text"))
    if has_bidi_control(value):
        raise ValidationError(
            field, _("holds a bidirectional override or isolate (U+202A-U+202E, U+2066-U+2069) that disguises text")
        )


def text(field: str, value: object, *, required: bool = True, max_length: int = MAX_TEXT) -> str | None:
    """Multi-line text such as chat: control characters other than newline and tab are stripped."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise ValidationError(field, _("is required"))
        return None
    if not isinstance(value, str):
        raise ValidationError(field, _("must be text"))
    _readable(field, value)
    cleaned = strip_control(value)
    if not cleaned.strip():  # only control characters: nothing is left to store
        if required:
            raise ValidationError(field, _("is required"))
        return None
    if len(cleaned) > max_length:
        raise ValidationError(field, _("is longer than {n} characters").format(n=max_length))
    return cleaned


def timestamp(field: str, value: object, *, required: bool = True, allow_future: bool = False) -> datetime | None:
    """An ISO 8601 instant with a time zone ('Z' or an offset), not more than 5 min ahead."""
    if value is None or value == "":
        if required:
            raise ValidationError(field, _("is required"))
        return None
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value.strip().replace("z", "Z"))
        except ValueError:
            raise ValidationError(
                field, _("{value!r} is not an ISO 8601 timestamp such as 2026-03-02T09:00:00Z").format(value=value)
            ) from None
    else:
        raise ValidationError(field, _("must be a timestamp string"))
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        raise ValidationError(field, _("needs a time zone, e.g. 'Z' or '+01:00'"))
    try:
        parsed = parsed.astimezone(timezone.utc)
    except OverflowError:  # e.g. 0001-01-01T00:00:00+01:00
        raise ValidationError(field, _("lies outside the supported range")) from None
    if parsed < EARLIEST:
        raise ValidationError(field, _("lies before 1970"))
    if not allow_future:
        not_in_future(field, parsed)
    return parsed


def not_in_future(field: str, value: datetime) -> None:
    if value > clock.now() + FUTURE_TOLERANCE:
        raise ValidationError(field, _("lies more than five minutes in the future"))


def day(field: str, value: object, *, required: bool = True) -> date | None:
    """A calendar date written YYYY-MM-DD."""
    if value is None or value == "":
        if required:
            raise ValidationError(field, _("is required"))
        return None
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if not isinstance(value, str) or not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value.strip()):
        raise ValidationError(field, _("must be a date written YYYY-MM-DD"))
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise ValidationError(field, _("{value!r} is not a valid date").format(value=value)) from None


def ip_address(field: str, value: object, *, required: bool = True) -> str | None:
    """An IPv4 or IPv6 address, stored in its compressed canonical form."""
    if value is None or value == "":
        if required:
            raise ValidationError(field, _("is required"))
        return None
    if not isinstance(value, str):
        raise ValidationError(field, _("must be an IP address as text"))
    if "%" in value:  # an IPv6 zone index names a local interface, not a customer address
        raise ValidationError(
            field, _("{value!r} carries a zone index (%...); give the address alone").format(value=value)
        )
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        raise ValidationError(field, _("{value!r} is not an IPv4 or IPv6 address").format(value=value)) from None


def customer_number(field: str, value: object) -> str:
    if not isinstance(value, str) or not CUSTOMER_NUMBER.fullmatch(value.strip()):
        raise ValidationError(field, _("{value!r} is not a customer number such as K-10042").format(value=value))
    return value.strip()


def username(field: str, value: object) -> str:
    if not isinstance(value, str) or not USERNAME.fullmatch(value.strip()):
        raise ValidationError(
            field, _("{value!r} is not a valid user name (lower-case letters, digits, . _ -)").format(value=value)
        )
    return value.strip()


def choice(field: str, value: object, options: tuple[str, ...] | list[str]) -> str:
    if value not in options:
        raise ValidationError(
            field, _("{value!r} is not one of: {options}").format(value=value, options=", ".join(options))
        )
    return str(value)


def sha256(field: str, value: object, *, required: bool = True) -> str | None:
    if value is None or value == "":
        if required:
            raise ValidationError(field, _("is required"))
        return None
    if not isinstance(value, str) or not SHA256.fullmatch(value.strip().lower()):
        raise ValidationError(field, _("must be 64 hexadecimal characters (SHA-256)"))
    return value.strip().lower()


def email(field: str, value: object, *, required: bool = False) -> str | None:
    cleaned = name(field, value, required=required, max_length=254)
    if cleaned is None:
        return None
    if not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", cleaned):
        raise ValidationError(field, _("{value!r} is not an e-mail address").format(value=cleaned))
    return cleaned


def non_negative_int(field: str, value: object, *, required: bool = True) -> int | None:
    if value is None:
        if required:
            raise ValidationError(field, _("is required"))
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValidationError(field, _("must be a whole number of 0 or more"))
    if value > MAX_BIGINT:
        raise ValidationError(field, _("is too large"))
    return value
