"""The billing outbox and the batches sort and filter on the database; keyset paging walks every row once.

Records of the same session date or customer number tie in the sort column: the tie is broken by
id, so a page boundary inside a tie neither repeats nor skips a record (SQLite and PostgreSQL).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from typing import Any

from models.browse.billing import batches_page, outbox_page
from models.browse.paging import ListQuery, Page
from models.core.entities import BillingBatch, BillingRecord
from models.core.text import fold
from tests.support import factories
from tests.test_browse_sorts import walk

T0 = datetime(2026, 11, 1, 8, 0, tzinfo=timezone.utc)


def some_records() -> list[BillingRecord]:
    names = ["Zahnarzt Bauer", "Apotheke Adler", "Bäckerei Schmidt"]
    customers = [factories.customer(f"K-{10000 + i}", name) for i, name in enumerate(names)]
    records = []
    for i in range(11):
        customer = customers[(i * 2) % 3]
        order = factories.order(f"A-2026-{i + 1:04d}", customer, opened_at=T0)
        records.append(
            BillingRecord.create(
                ref=f"B-2026-{(37 * i) % 101:04d}",
                order=order,
                session_ref=f"S-2026-{i + 1:04d}",
                session_date=date(2026, 11, 1) + timedelta(days=(5 * i) % 4),  # ties, not in id order
                started_at=T0,
                ended_at=T0 + timedelta(minutes=30),
                duration_minutes=30,
                customer_number=customer.number,
                customer_name=customer.name,
                customer_name_key=fold(customer.name),
                billing_class="contract",
                created_at=T0,
            )
        )
    return records


def test_outbox_sorts_by_record_date_and_customer_either_way_with_ties(db) -> None:
    acct = factories.staff("acc", "accounting")
    records = some_records()
    by_id = sorted(records, key=lambda r: r.id)
    by_date = sorted(records, key=lambda r: (r.session_date, r.id))
    by_customer = sorted(records, key=lambda r: (r.customer_number, r.id))

    def fetch(after: Any, limit: int, q: ListQuery) -> Page[Any]:
        return outbox_page(acct, after, limit, q)

    def refs(q: ListQuery) -> list[str]:
        return [r.ref for r in walk(fetch, q, limit=2)]

    assert refs(ListQuery()) == [r.ref for r in by_id]  # oldest first, as before
    assert refs(ListQuery(descending=True)) == [r.ref for r in reversed(by_id)]
    assert refs(ListQuery(sort="date")) == [r.ref for r in by_date]
    assert refs(ListQuery(sort="date", descending=True)) == [r.ref for r in reversed(by_date)]
    assert refs(ListQuery(sort="customer")) == [r.ref for r in by_customer]
    assert refs(ListQuery(sort="customer", descending=True)) == [r.ref for r in reversed(by_customer)]


def test_outbox_filters_by_ref_customer_number_and_folded_name(db) -> None:
    acct = factories.staff("acc", "accounting")
    records = some_records()

    def fetch(after: Any, limit: int, q: ListQuery) -> Page[Any]:
        return outbox_page(acct, after, limit, q)

    baecker = [r.ref for r in records if r.customer_number == "K-10002"]
    assert [r.ref for r in walk(fetch, ListQuery(text="baeck"), limit=1)] == baecker
    assert [r.ref for r in walk(fetch, ListQuery(text="Bäckerei", sort="date"), limit=1)] == [
        r.ref for r in sorted(records, key=lambda r: (r.session_date, r.id)) if r.customer_number == "K-10002"
    ]
    assert [r.ref for r in walk(fetch, ListQuery(text="K-10002"), limit=1)] == baecker
    assert [r.ref for r in walk(fetch, ListQuery(text=records[3].ref.lower()))] == [records[3].ref]
    assert [r.ref for r in walk(fetch, ListQuery(text="a-2026-0005"))] == [records[4].ref]
    assert walk(fetch, ListQuery(text="nobody")) == []


def test_batches_newest_or_oldest_first_and_filtered_by_number_or_exporter(db) -> None:
    acct = factories.staff("acc", "accounting")
    for number in range(1, 8):
        BillingBatch.create(
            number=number,
            created_at=T0 + timedelta(days=number),
            created_by="acc" if number % 2 else "mia",
            record_count=1,
            sha256="ab" * 32,
        )
    BillingBatch.create(number=8, created_at=T0, created_by="acc", record_count=0, sha256="")  # being exported

    def fetch(after: Any, limit: int, q: ListQuery) -> Page[Any]:
        return batches_page(acct, after, limit, q)

    assert [b.number for b in walk(fetch, ListQuery(), limit=2)] == [7, 6, 5, 4, 3, 2, 1]
    assert [b.number for b in walk(fetch, ListQuery(descending=False), limit=2)] == [1, 2, 3, 4, 5, 6, 7]
    assert [b.number for b in walk(fetch, ListQuery(text="mia"), limit=2)] == [6, 4, 2]
    assert [b.number for b in walk(fetch, ListQuery(text="5"), limit=2)] == [5]
    assert walk(fetch, ListQuery(text="8")) == []  # not sealed yet
