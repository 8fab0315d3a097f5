"""What every remote-tool parser shares: how it reports, and small helpers for keys and times."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from datetime import UTC, datetime

from models.sessions.reconcile import ConnectionIn, TransferIn

__all__ = ["ConnectionIn", "Report", "TransferIn", "bare_ip", "clean_key", "utc"]


@dataclass
class Report:
    """Warnings about one file: lines that could not be read, connections with no end, pages not followed."""

    warnings: list[str] = field(default_factory=list)
    reported: int = 0  # connections the log names that are reported here instead of stored

    def warn(self, message: str) -> None:
        if len(self.warnings) < 200:
            self.warnings.append(message)
        elif len(self.warnings) == 200:
            self.warnings.append("…")


def clean_key(value: str) -> str:
    """A session id as a key: no BOM, braces or surrounding space, lower case."""
    return value.replace("\ufeff", "").strip().strip("{}").strip().lower()


def utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def bare_ip(address: str | None) -> str | None:
    """The IP of `1.2.3.4:5678`, `[::1]:80` or `::ffff:1.2.3.4`; None if it is none."""
    if not address:
        return None
    text = address.strip().rstrip(".")
    if text.startswith("["):
        text = text[1:].split("]", 1)[0]
    elif text.count(":") == 1:
        text = text.split(":", 1)[0]
    try:
        ip = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return str(ip)
