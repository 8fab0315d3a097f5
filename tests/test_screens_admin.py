"""Consent log, staff and customers, audit, dashboard, help, unknown accounts, paging and the shell."""

from __future__ import annotations

from datetime import datetime, timezone

from models.browse.consents import ConsentFilter, consent_log
from models.browse.sessions import active_sessions, orders
from models.core import audit
from models.core.entities import AuditEvent, ContactPerson, Customer, Staff
from models.sessions import sessions
from screens.shell.refusal import RefusalApp
from tests.support import factories
from tests.support.screens import HOSTILE, SHOWN, aio, make_app, screen_text, settle, world


@aio
async def test_consent_log_newest_first_and_filters(db, fixed_clock) -> None:
    w = world()
    sessions.record_disclosure(
        w["tech"],
        w["shared"].ref,
        recipient="Hersteller XY",
        categories=["system_info"],
        scope="Protokoll",
        basis="job",
        customer_informed_at="2026-11-23T09:10:00Z",
        at="2026-11-23T09:10:00Z",
    )
    app = make_app(w["tech"], start_mode="consents")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        table = app.screen.query_one("#consents-table")
        first, second = (table.get_row_at(i) for i in range(2))
        assert "disclosure" in str(first[2]) and "others see the screen" in str(second[2])
        app.screen.query_one("#q-kind").value = "screen_visibility"
        await settle(pilot)
        assert table.row_count == 1
        app.screen.query_one("#q-kind").clear()
        app.screen.query_one("#q-customer").value = "baeck"
        app.screen.apply_filter()
        await settle(pilot)
        assert table.row_count == 0
        app.screen.query_one("#q-customer").value = "K-66666"
        app.screen.apply_filter()
        await settle(pilot)
        assert table.row_count == 2
        assert SHOWN[:20] in screen_text(app)


def test_keyset_pages_cover_every_row_once(db, fixed_clock) -> None:
    tech = factories.staff()
    customer = factories.customer()
    order = factories.order(cust=customer)
    refs = []
    for i in range(7):
        s = sessions.start_session(
            tech,
            sessions.SessionInput(
                order=order.ref,
                technician=tech.username,
                customer_ip=None,
                workstation=f"PC{i}",
                customer_person="Eva",
                screen_private=True,
                started_at=datetime(2026, 11, 24, 9, i // 2, tzinfo=timezone.utc),
            ),
        )  # equal starts
        sessions.record_consent(tech, s.ref, sessions.ConsentInput("recording", "Eva", "verbal", True))
        refs.append(s.ref)
    seen, after = [], None
    while True:
        page = active_sessions(after, 3)
        seen += [row.ref for row in page.rows]
        if page.after is None:
            break
        after = page.after
    assert seen == refs
    seen, after = [], None
    while True:
        log = consent_log(ConsentFilter(), after, 2)
        seen += [row.ref for row in log.rows]
        if log.after is None:
            break
        after = log.after
    assert len(seen) == len(set(seen)) == 7
    assert len(orders(None, None, 5).rows) == 1


@aio
async def test_register_staff_inline_errors_and_deactivate(db, fixed_clock, admin) -> None:
    app = make_app(admin, start_mode="people")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("n")
        form = app.screen
        form.query_one("#f-username").value = "eva"
        form.query_one("#f-name").value = "Eva Technik"
        form.query_one("#f-commitment_signed_on").value = "31.02.2026"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "is not a date" in str(form.query_one("#e-commitment_signed_on").render())
        form.query_one("#f-commitment_signed_on").value = "01.12.2026"  # in the future (clock: 24.11.2026)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "future" in str(form.query_one("#e-commitment_signed_on").render())
        assert not Staff.select().where(Staff.username == "eva").exists()
        form.query_one("#f-commitment_signed_on").value = "2026-11-01"
        await pilot.press("ctrl+s")
        await settle(pilot)
        eva = Staff.get(Staff.username == "eva")
        assert eva.roles == "technician" and str(eva.commitment_signed_on) == "2026-11-01"
        table = app.screen.query_one("#staff-table")
        table.move_cursor(row=table.get_row_index("eva"))
        await pilot.pause()
        await pilot.press("D", "y")
        await settle(pilot)
        assert not Staff.get(Staff.username == "eva").active
        # customers and contacts
        await pilot.press("K")
        app.screen.query_one("#f-number").value = "K-20000"
        app.screen.query_one("#f-name").value = HOSTILE.replace("\x1b", "")
        await pilot.press("ctrl+s")
        await settle(pilot)
        customer = Customer.get(Customer.number == "K-20000")
        customers = app.screen.query_one("#customers-table")
        customers.focus()
        customers.move_cursor(row=customers.get_row_index("K-20000"))
        await pilot.pause()
        await pilot.press("P")
        app.screen.query_one("#f-name").value = "Carla Kontakt"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert ContactPerson.get(ContactPerson.customer == customer).name == "Carla Kontakt"
        await pilot.press("enter")
        await settle(pilot)
        assert "Carla Kontakt" in screen_text(app)
        assert AuditEvent.select().where(AuditEvent.action == "contacts.read").exists()


@aio
async def test_technician_cannot_register_staff(db, fixed_clock) -> None:
    w = world()
    app = make_app(w["tech"], start_mode="people")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert app.screen.check_action("new_staff", ()) is None
        assert "lacks the role admin" in screen_text(app)
        await pilot.press("n")
        assert app.screen.MODE == "people"


@aio
async def test_audit_verify_shows_intact_and_broken_chain(db, fixed_clock, admin) -> None:
    audit.record(admin.username, "demo.one")
    audit.record(admin.username, "demo.two")
    app = make_app(admin, start_mode="audit")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert "demo.two" in screen_text(app)
        await pilot.press("v")
        await settle(pilot)
        assert "Chain intact: 2 events checked" in screen_text(app)
        AuditEvent.update(detail="edited").where(AuditEvent.id == 1).execute()
        await pilot.press("v")
        await settle(pilot)
        assert "BROKEN at event 1" in screen_text(app)


@aio
async def test_dashboard_and_help(db, fixed_clock) -> None:
    w = world()
    app = make_app(w["officer"])
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        text = screen_text(app)
        assert "Active sessions: 1" in text and "Completed, not yet billed: 1" in text
        assert "Staff without a confidentiality commitment: 1" in text and "acc" in text
        await pilot.press("0")
        await settle(pilot)
        text = screen_text(app)
        assert "schema version 1" in text and "policy version builtin-2026-1" in text and "sqlite:///test.db" in text


@aio
async def test_palette_lists_every_mode_and_keys_switch(db, fixed_clock) -> None:
    w = world()
    app = make_app(w["tech"])
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        titles = [command.title for command in app.get_system_commands(app.screen)]
        assert any("Orders" in t for t in titles) and any("Theme" in t for t in titles)
        await pilot.press("3")
        await settle(pilot)
        assert app.current_mode == "orders"
        app.theme = "textual-light"
        await pilot.pause()
        assert app.theme == "textual-light"


@aio
async def test_unknown_account_gets_a_screen_saying_what_to_do(db) -> None:
    app = RefusalApp("nobody", "the account 'nobody' is not in the staff register.")
    async with app.run_test(size=(80, 24)) as pilot:
        text = str(app.query_one("#refusal-text").content)
        assert "support24 init --admin nobody" in text and "Ask an administrator" in text
        await pilot.press("q")


@aio
async def test_operator_name_with_markup_is_shown_literally_in_the_header(db, fixed_clock) -> None:
    operator = factories.staff("mk", "technician", name="[b]Mark[/b] [link=http://x]up[/link]")
    app = make_app(operator)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert "[b]Mark[/b] [link=http://x]up[/link] (mk)" in screen_text(app)


def test_console_without_staff_record_refuses_with_instructions(db_url, isolated_dirs) -> None:
    import pytest

    from console.cli.app import build_info
    from console.cli.context import Context
    from models.core.errors import UnknownOperator

    with pytest.raises(UnknownOperator, match="support24 init --admin"):
        build_info(Context(database_option=db_url, data_dir_option=str(isolated_dirs)))


@aio
async def test_worker_failures_become_visible_messages(db, fixed_clock) -> None:
    from models.core.errors import Busy, RuleViolation
    from screens.kit.messages import WorkerFailed

    w = world()
    app = make_app(w["tech"])
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.post_message(WorkerFailed("x", Busy("the database is busy (another console or the purge is writing)")))
        app.post_message(WorkerFailed("y", RuleViolation("order A-1 is completed")))
        app.post_message(WorkerFailed("z", KeyError("boom")))
        await pilot.pause()
        messages = [n.message for n in app._notifications]
        assert any("database is busy" in m for m in messages)
        assert "order A-1 is completed" in messages
        assert any("Something went wrong: KeyError" in m for m in messages)


@aio
async def test_hostile_customer_text_is_literal_on_every_list(db, fixed_clock) -> None:
    w = world()
    app = make_app(w["tech"], start_mode="orders")
    async with app.run_test(size=(120, 40)) as pilot:
        for key in ("3", "4", "8"):
            await pilot.press(key)
            await settle(pilot)
            text = screen_text(app)
            assert SHOWN in text, key
            assert "\x1b" not in text


def test_the_textual_internals_are_checked_against_the_pinned_version() -> None:
    """screens/compat.py names the Textual version it was checked against; it is the one pyproject pins."""
    import tomllib
    from pathlib import Path

    from screens.compat import PINNED_TEXTUAL

    project = tomllib.loads((Path(__file__).parent.parent / "pyproject.toml").read_text())["project"]
    assert f"textual=={PINNED_TEXTUAL}" in project["dependencies"]
