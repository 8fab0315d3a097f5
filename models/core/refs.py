"""Public references such as A-2026-0001 that people say aloud and write in letters."""

from __future__ import annotations

from peewee import CharField, Model

from models.core.db import write_tx
from models.core.entities import RefCounter


def next_ref(model: type[Model], prefix: str, year: int) -> str:
    """The next free `PREFIX-YEAR-NNNN` for `model.ref`, skipping refs imported by hand."""
    field: CharField = model.ref  # type: ignore[attr-defined]
    with write_tx(serialize="ref"):  # one lock for every prefix: a transaction may number several kinds
        counter, _ = RefCounter.get_or_create(prefix=prefix, year=year, defaults={"last": 0})
        number = counter.last
        while True:
            number += 1
            ref = f"{prefix}-{year}-{number:04d}"
            if not model.select().where(field == ref).exists():
                break
        RefCounter.update(last=number).where((RefCounter.prefix == prefix) & (RefCounter.year == year)).execute()
    return ref
