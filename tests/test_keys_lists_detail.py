"""`/` and `o` on the detail lists too (a batch's records, the retention queue, an access request's
matches), the matches paged like every list, and the retention summary in words, at 80x24."""

from __future__ import annotations

from datetime import date, timedelta

from models.access import requests as access
from models.billing import outbox
from models.core import clock
from models.core.entities import AccessRequestExclusion, BillingRecord, Customer, Order
from screens.kit.keys import key_of
from tests.support import access_seed
from tests.support.screens import aio, build_world, console, retention_app, screen_text, settle, summary_text
from tests.support.workflow import act, type_in
from tests.test_screens_accounting import billing_world

FILTER = key_of("filter").key
SORT = key_of("sort").key


def keys_of(table) -> list[str]:  # type: ignore[no-untyped-def]
    return list(table.rows_by_key)


async def filter_by(pilot, text: str) -> None:  # type: ignore[no-untyped-def]
    await pilot.press(FILTER, *text, "enter")
    await settle(pilot)


@aio
async def test_slash_and_o_work_on_a_batchs_records(db, fixed_clock, isolated_dirs) -> None:
    _tech, accountant = billing_world()
    outbox.create_batch(accountant, deliver=lambda content: "0" * 64)
    records = list(BillingRecord.select().order_by(BillingRecord.id))
    ids = [str(r.id) for r in records]
    baecker = [str(r.id) for r in records if r.customer_number == "K-10042"]
    app = console(accountant, isolated_dirs, "accounting")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await act(pilot, "next_view")
        table = app.screen.query_one("#acc-records")
        assert keys_of(table) == ids
        table.focus()
        await pilot.press(SORT)
        await settle(pilot)
        assert keys_of(table) == ids[::-1]
        assert "sorted by record ↓" in screen_text(app)
        await filter_by(pilot, "K-10042")
        assert keys_of(table) == baecker[::-1] and len(baecker) == 2
        assert app.screen.focused is table
        await pilot.press(FILTER, "escape")
        await settle(pilot)
        assert keys_of(table) == ids[::-1]


@aio
async def test_slash_and_o_work_on_the_retention_queue(db, fixed_clock, isolated_dirs) -> None:
    world = build_world(isolated_dirs)
    app = retention_app(world.officer, isolated_dirs)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        table = app.screen.query_one("#ret-queue")
        first = [table.rows_by_key[key].due_at for key in keys_of(table)]
        dated = [due for due in first if due is not None]
        assert dated == sorted(dated)  # soonest due first
        await pilot.press(SORT)
        await settle(pilot)
        turned = [table.rows_by_key[key].due_at for key in keys_of(table)]
        assert "sorted by due date ↓" in screen_text(app)
        assert sorted(map(str, turned)) == sorted(map(str, first))
        assert [due for due in turned if due is not None] == dated[::-1]
        held = world.order_refs["held"]
        await filter_by(pilot, held)
        refs = {table.rows_by_key[key].order_ref for key in keys_of(table)}
        assert refs == {held}
        assert app.screen.focused is table
        await pilot.press(FILTER, "escape")
        await settle(pilot)
        assert len(keys_of(table)) == len(first)


@aio
async def test_the_retention_summary_names_categories_in_words(db, fixed_clock, isolated_dirs) -> None:
    world = build_world(isolated_dirs)
    app = retention_app(world.officer, isolated_dirs)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        summary = summary_text(app)
        assert "system information" in summary and "connection data" in summary
        assert "system_info" not in summary and "gathered_files" not in summary


def many_orders(customer_number: str, n: int) -> None:
    """`n` more orders of the customer: each is a match of a request naming the customer."""
    customer = Customer.get(Customer.number == customer_number)
    now = clock.now()
    Order.insert_many(
        [
            {
                "ref": f"A-2020-{i:04d}",
                "customer": customer.id,
                "opened_at": now - timedelta(days=400 + i),
                "billing_class": "contract",
                "created_at": now,
            }
            for i in range(n)
        ]
    ).execute()


@aio
async def test_access_matches_are_paged_filtered_sorted_and_excluded(db, fixed_clock, isolated_dirs) -> None:
    world = access_seed.seed()
    many_orders("K-10042", 300)
    request = access.open_request(
        world.officer,
        name="Erika Weber",
        received_on=date(2026, 11, 24),
        channel="letter",
        customer_number="K-10042",
    )
    access.verify_identity(world.officer, request.ref, "signature compared with the contract")
    total = len(access.compile_request(world.officer, request.ref).matches)
    assert total > 300
    app = console(world.officer, isolated_dirs, "access")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await act(pilot, "open")
        await act(pilot, "compile")
        detail = app.screen
        table = detail.query_one("#ad-matches")
        shown = keys_of(table)
        assert 0 < len(shown) <= 100  # one page, not every match
        assert f"{total - 1} included" in screen_text(app) or f"{total} included" in screen_text(app)
        table.move_cursor(row=table.row_count - 1)  # scrolling to the end brings the next page
        await settle(pilot)
        assert len(keys_of(table)) > len(shown)
        # `/` on the database-side page function: only the matching orders
        await filter_by(pilot, "A-2020-001")
        assert keys_of(table) and all(table.rows_by_key[k].ref.startswith("A-2020-001") for k in keys_of(table))
        assert detail.focused is table
        # `o`: another order, said in the hint
        await pilot.press(SORT)
        await settle(pilot)
        assert "sorted by" in screen_text(app)
        refs = [table.rows_by_key[k].ref for k in keys_of(table)]
        assert refs == sorted(refs, reverse=True)
        # exclude one on the paged table, then every order at once, then include them again
        table.move_cursor(row=0)
        await pilot.pause()
        picked = table.selected()
        await act(pilot, "exclude")
        await type_in(pilot, reason="not hers")
        await act(pilot, "save")
        assert AccessRequestExclusion.select().where(AccessRequestExclusion.record_id == picked.id).exists()
        assert table.rows_by_key[f"order:{picked.id}"].excluded
        assert detail.check_action("include", ()) is True
        await act(pilot, "exclude_kind")
        await type_in(pilot, reason="a namesake")
        await act(pilot, "save")
        assert "matches out of the report" in screen_text(app)  # asked once, with the count
        await act(pilot, "yes")
        orders = AccessRequestExclusion.select().where(AccessRequestExclusion.record_kind == "order").count()
        assert orders >= 300
        assert all(table.rows_by_key[k].excluded for k in keys_of(table))
        await act(pilot, "include_kind")
        await act(pilot, "yes")
        assert not AccessRequestExclusion.select().where(AccessRequestExclusion.record_kind == "order").exists()
        assert not any(table.rows_by_key[k].excluded for k in keys_of(table))
        await pilot.press(FILTER, "escape")
        await settle(pilot)
        assert app.screen is detail  # esc in the filter clears it; it does not leave the request
        assert 0 < len(keys_of(table)) <= 150


@aio
async def test_o_sorts_the_access_requests(db, fixed_clock, isolated_dirs) -> None:
    world = access_seed.seed()
    for n, day in enumerate((date(2026, 11, 2), date(2026, 10, 20), date(2026, 11, 20))):
        access.open_request(world.officer, name=f"Person {n}", received_on=day, channel="letter")
    app = console(world.officer, isolated_dirs, "access")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        table = app.screen.query_one("#ar-table")
        by_due = keys_of(table)
        assert len(by_due) == 3
        await pilot.press(SORT)
        await settle(pilot)
        assert keys_of(table) == by_due[::-1]
        assert "sorted by deadline ↓" in screen_text(app)
        await pilot.press(SORT)
        await settle(pilot)
        assert "sorted by received ↓" in screen_text(app)
        received = [table.rows_by_key[k].received_on for k in keys_of(table)]
        assert received == sorted(received, reverse=True)
        await filter_by(pilot, keys_of(table)[0])
        assert len(keys_of(table)) == 1


@aio
async def test_a_match_far_down_the_list_stays_selected_after_its_exclusion(db, fixed_clock, isolated_dirs) -> None:
    world = access_seed.seed()
    many_orders("K-10042", 620)
    request = access.open_request(
        world.officer, name="Erika Weber", received_on=date(2026, 11, 24), channel="letter", customer_number="K-10042"
    )
    access.verify_identity(world.officer, request.ref, "signature compared with the contract")
    app = console(world.officer, isolated_dirs, "access")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await act(pilot, "open")
        await act(pilot, "compile")
        detail = app.screen
        table = detail.query_one("#ad-matches")
        while table.row_count < 560:  # scrolled far down: more rows shown than one query brings
            table.move_cursor(row=table.row_count - 1)
            await settle(pilot)
        table.move_cursor(row=550)
        await pilot.pause()
        picked = table.selected()
        await act(pilot, "exclude")
        await type_in(pilot, reason="not hers")
        await act(pilot, "save")
        assert table.selected().id == picked.id and table.selected().excluded
        assert table.row_count >= 551


@aio
async def test_the_purge_preview_names_categories_in_words(db, fixed_clock, isolated_dirs) -> None:
    world = build_world(isolated_dirs)
    app = retention_app(world.officer, isolated_dirs)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await act(pilot, "purge")
        question = screen_text(app)
        assert "Purge preview (dry run" in question and "system information" in question
        assert "system_info" not in question and "gathered_files" not in question
        await act(pilot, "no")
