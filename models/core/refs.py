"""Public references such as A-2026-0001 that people say aloud and write in letters."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from peewee import CharField, Model

from models.core.bulk_rows import among, insert_rows, insert_staged, stage_rows
from models.core.db import write_tx
from models.core.entities import RefCounter

CANDIDATES = 20_000  # refs looked up at once (one array or JSON parameter, whatever the count)


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
            wanted = min(count - len(refs), CANDIDATES)
            candidates = [f"{prefix}-{year}-{n:04d}" for n in range(number + 1, number + 1 + wanted)]
            taken = {r for (r,) in model.select(field).where(among(field, candidates)).tuples()}
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


# --- Numbering at the end of a long transaction --------------------------------------------
# Numbering takes the `ref` lock, which every desk that numbers something (a consent, an order)
# queues for until the transaction ends. A long job (an import) stores the rows it numbers
# inside numbering_deferred(): insert_numbered() keeps them in a temporary table until the block
# ends (or flush()), then numbers them all and copies them over with one INSERT … SELECT per
# batch, so the lock is taken only for the last moments of the job.


class _Pending(threading.local):
    def __init__(self) -> None:
        self.queue: list[tuple[type[Model], str, list[int], tuple[str, ...], int, Callable[[list[str]], None]]] | None
        self.queue = None


_pending = _Pending()


def insert_numbered(
    model: type[Model],
    prefix: str,
    years: list[int],
    names: Sequence[str],
    rows: Iterable[Sequence[Any]],
    then: Callable[[list[str]], None],
) -> None:
    """INSERT `rows` of `model` (values of the fields `names`), each with a new ref of its entry
    of `years` (next_refs_by_year), then `then(refs)` (their audit event): at once, or inside
    numbering_deferred() when its block ends; nothing in the same transaction may read them
    before that."""
    if not years:
        return
    if _pending.queue is None:
        refs = next_refs_by_year(model, prefix, years)
        insert_rows(model, ("ref", *names), ([ref, *row] for ref, row in zip(refs, rows, strict=True)))
        then(refs)
    else:
        _pending.queue.append((model, prefix, years, tuple(names), stage_rows(model, names, rows), then))


def flush() -> None:
    """Number and store what insert_numbered() kept so far; from here on it numbers at once.

    Every batch of one table is numbered by one next_refs_by_year over all their years (in queue
    order, so each gets the refs it would have got alone) and stored with one INSERT … SELECT:
    the `ref` lock is held for a few statements, not for two per batch."""
    queue, _pending.queue = _pending.queue, None
    if not queue:
        return
    groups: dict[tuple[type[Model], str, tuple[str, ...]], list[int]] = {}
    for index, (model, prefix, _years, names, _tag, _then) in enumerate(queue):
        groups.setdefault((model, prefix, names), []).append(index)
    given: dict[int, list[str]] = {}
    for (model, prefix, names), members in groups.items():
        numbered = iter(next_refs_by_year(model, prefix, [year for i in members for year in queue[i][2]]))
        for i in members:
            given[i] = [next(numbered) for _year in queue[i][2]]
        insert_staged(model, names, [(queue[i][4], given[i]) for i in members])
    for index, (*_entry, then) in enumerate(queue):
        then(given[index])


@contextmanager
def numbering_deferred() -> Iterator[None]:
    """insert_numbered() waits until the block ends (inside the caller's write transaction); a
    failure drops what waited, with the transaction."""
    _pending.queue = []
    try:
        yield
        flush()
    finally:
        _pending.queue = None
