"""Field types shared by the models: UTC instants stored the same way on both backends."""

from __future__ import annotations

from datetime import datetime, timezone

from peewee import DateTimeField, SqliteDatabase

_SQLITE_FORMAT = "%Y-%m-%d %H:%M:%S.%f"


def _is_sqlite(field: DateTimeField) -> bool:
    db = field.model._meta.database
    return isinstance(getattr(db, "obj", db), SqliteDatabase)


class UTCDateTimeField(DateTimeField):
    """An instant: aware datetimes in, aware UTC datetimes out, naive UTC in storage.

    SQLite gets one fixed-width text format so that text order is time order.
    """

    def db_value(self, value: datetime | None) -> object:
        if value is None:
            return None
        if isinstance(value, str):
            value = datetime.fromisoformat(value)
        if value.tzinfo is None:
            raise ValueError(f"{self.name}: naive datetime, expected an aware one")
        naive = value.astimezone(timezone.utc).replace(tzinfo=None)
        if _is_sqlite(self):
            return naive.isoformat(" ", "microseconds")  # _SQLITE_FORMAT at half the cost of strftime
        return naive

    def python_value(self, value: object) -> datetime | None:
        if value is None:
            return None
        if isinstance(value, str):
            value = datetime.fromisoformat(value)
        assert isinstance(value, datetime)
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)
