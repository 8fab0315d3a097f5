"""Public references such as A-2026-0001 that people say aloud and write in letters."""

from __future__ import annotations

import re

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


def next_refs(model: type[Model], prefix: str, year: int, count: int) -> list[str]:
    """`count` next free refs of one year at once, as `next_ref` would hand them out one by one."""
    if count <= 0:
        return []
    field: CharField = model.ref  # type: ignore[attr-defined]
    with write_tx(serialize="ref"):
        counter, _ = RefCounter.get_or_create(prefix=prefix, year=year, defaults={"last": 0})
        number, refs = counter.last, []
        while len(refs) < count:
            wanted = min(count - len(refs), 500)
            candidates = [f"{prefix}-{year}-{n:04d}" for n in range(number + 1, number + 1 + wanted)]
            taken = {r for (r,) in model.select(field).where(field.in_(candidates)).tuples()}
            refs.extend(r for r in candidates if r not in taken)
            number += wanted
        RefCounter.update(last=number).where((RefCounter.prefix == prefix) & (RefCounter.year == year)).execute()
    return refs


def next_refs_by_year(model: type[Model], prefix: str, years: list[int]) -> list[str]:
    """One new ref per entry of `years`, in the same order."""
    wanted: dict[int, int] = {}
    for year in years:
        wanted[year] = wanted.get(year, 0) + 1
    pools = {year: iter(next_refs(model, prefix, year, n)) for year, n in sorted(wanted.items())}
    return [next(pools[year]) for year in years]


def numbering_could_give(prefix: str, ref: str) -> bool:
    """Whether `ref` has the form next_ref hands out for `prefix` (PREFIX-YEAR-NNNN): such a
    ref is stored under the `ref` lock, so that a numbering at the same time never meets it
    uncommitted and hands it out a second time."""
    return re.fullmatch(rf"{re.escape(prefix)}-\d{{4}}-\d{{4,}}", ref) is not None
