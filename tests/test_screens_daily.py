"""The console as a daily tool: forms that do not save on Enter, show every problem under its field at once,
check the rest before the customer is asked, ask before throwing typing away; the cursor follows what was made."""

from __future__ import annotations

import json

from textual.widgets import Checkbox, Input

from models.core.entities import ActivityEvent, Consent, Participant, RemoteSession
from screens.kit.forms import ConfirmScreen
from screens.sessions.forms import ActivityForm, ColleagueForm, ConsentForm, StartSessionForm
from tests.support.screens import aio, make_app, screen_text, settle, world
from tests.support.screens import fill_form as fill


def error_under(app, name: str) -> str:  # type: ignore[no-untyped-def]
    return str(app.screen.query_one(f"#e-{name}").render())


@aio
async def test_start_form_shows_every_problem_before_any_consent_is_asked(db, fixed_clock) -> None:
    w = world()
    app = make_app(w["tech"], start_mode="sessions")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("s")
        await fill(
            pilot,
            app.screen,
            order="A-2026-9999",
            technician="acc",
            customer_ip="300.1.1.1",
            customer_person="Erika Weber",
            screen_private=False,
        )
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, StartSessionForm)  # the customer was not asked yet
        assert "no order A-2026-9999" in error_under(app, "order")
        assert error_under(app, "customer_ip") != "" and "300.1.1.1" not in error_under(app, "order")
        assert "commitment" in error_under(app, "technician") or "technician" in error_under(app, "technician")
        assert Consent.select().count() == 1  # the world's one, nothing new


@aio
async def test_consent_is_not_granted_by_default_and_cursor_goes_to_the_new_session(db, fixed_clock) -> None:
    w = world()
    app = make_app(w["tech"], start_mode="sessions")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        table = app.screen.table
        assert table.selected().ref == w["running"].ref
        await pilot.press("s")
        await fill(pilot, app.screen, order="A-2026-0001", customer_person="Erika Weber", screen_private=False)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ConsentForm)
        assert app.screen.query_one("#f-granted", Checkbox).value is False
        await fill(pilot, app.screen, granted=True)
        await pilot.press("ctrl+s")
        await settle(pilot)
        new = RemoteSession.select().order_by(RemoteSession.id.desc()).get()
        assert not new.screen_private
        assert app.screen.table.selected().ref == new.ref  # the next `a` or `c` goes to it


@aio
async def test_colleague_is_checked_before_the_customer_is_asked(db, fixed_clock) -> None:
    w = world()
    app = make_app(w["tech"], start_mode="sessions")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("t")
        await fill(pilot, app.screen, username="nobody")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ColleagueForm)
        assert "no staff member 'nobody'" in error_under(app, "username")
        await fill(pilot, app.screen, username="mmueller")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ColleagueForm) and "runs this session already" in error_under(app, "username")
        assert Participant.select().count() == 0


@aio
async def test_enter_in_a_field_moves_on_and_does_not_save(db, fixed_clock) -> None:
    w = world()
    app = make_app(w["tech"], start_mode="sessions")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("a")
        form = app.screen
        assert isinstance(form, ActivityForm)
        form.query_one("#f-action", Input).focus()
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is form and ActivityEvent.select().count() == 0
        assert app.focused is form.query_one("#f-detail", Input)
        await pilot.press(*"printer driver")
        form.query_one("#f-action", Input).value = "driver update"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert ActivityEvent.get().detail == "printer driver"


@aio
async def test_escape_on_a_changed_form_asks_first(db, fixed_clock) -> None:
    w = world()
    app = make_app(w["tech"], start_mode="sessions")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("c")
        form = app.screen
        await pilot.press("escape")  # nothing typed: closes at once
        await settle(pilot)
        assert app.screen is not form and not isinstance(app.screen, ConfirmScreen)
        await pilot.press("c")
        form = app.screen
        await fill(pilot, form, text="Der Drucker geht wieder")
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen) and "Throw away" in screen_text(app)
        await pilot.press("n")
        await settle(pilot)
        assert app.screen is form and form.query_one("#f-text", Input).value == "Der Drucker geht wieder"
        await pilot.press("escape", "y")
        await settle(pilot)
        assert app.screen is not form and not isinstance(app.screen, ConfirmScreen)


@aio
async def test_admin_records_a_missing_commitment_changes_roles_and_reactivates(db, fixed_clock, admin) -> None:
    from datetime import date

    from models.core.entities import AuditEvent, Staff
    from screens.people.screen import StaffForm
    from tests.support import factories

    factories.staff("lfischer", name="Lena Fischer", signed=None)
    factories.staff("old", name="Otto Alt", active=False)
    app = make_app(admin, start_mode="people")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        table = app.screen.query_one("#staff-table")
        table.move_cursor(row=table.get_row_index("lfischer"))
        await pilot.pause()
        assert "MISSING" in screen_text(app)
        await pilot.press("u")
        await settle(pilot)  # the form opens once the person's tool identities are read
        form = app.screen
        assert isinstance(form, StaffForm)
        # at 80x24 the title and the Save button are on screen
        assert form.query_one(".form-title").region.height == 1
        save = form.query_one("#form-save").region
        assert save.height > 0 and save.bottom <= 24
        assert form.query_one("#f-role-privacy_officer").label.plain == "privacy officer"
        form.query_one("#f-role-privacy_officer").value = True
        form.query_one("#f-commitment_signed_on").value = "02.11.2026"
        form.query_one("#f-secrecy_commitment_on").value = "32.11.2026"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "is not a date" in error_under(app, "secrecy_commitment_on")
        form.query_one("#f-secrecy_commitment_on").value = "2026-11-03"
        await pilot.press("ctrl+s")
        await settle(pilot)
        lena = Staff.get(Staff.username == "lfischer")
        assert lena.commitment_signed_on == date(2026, 11, 2) and lena.secrecy_commitment_on == date(2026, 11, 3)
        assert lena.roles == "privacy_officer technician"
        assert "02.11.2026" in screen_text(app) and "privacy office" in screen_text(app)
        event = AuditEvent.select().where(AuditEvent.action == "staff.update").get()
        assert event.actor == admin.username and "commitment_signed_on=2026-11-02" in event.detail
        table.move_cursor(row=table.get_row_index("old"))
        await pilot.pause()
        assert app.screen.check_action("deactivate", ()) is None
        await pilot.press("R")
        await settle(pilot)
        assert "Make old active again?" in screen_text(app)
        await pilot.press("y")
        await settle(pilot)
        assert Staff.get(Staff.username == "old").active


@aio
async def test_disclosure_categories_are_ticked_and_system_info_is_lines_not_json(db, fixed_clock) -> None:
    from models.core.entities import SystemInfo

    w = world()
    app = make_app(w["tech"], start_mode="sessions")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("d")
        await pilot.press("ctrl+s")
        await settle(pilot)
        # every problem at once, each under its own field
        assert "is required" in error_under(app, "recipient") and "is required" in error_under(app, "scope")
        assert "at least one category" in error_under(app, "categories")
        assert app.screen.query_one("#f-category-system_info").label.plain == "system information"
        await fill(pilot, app.screen, recipient="Hersteller XY", scope="Fehlerprotokoll", basis="job")
        app.screen.query_one("#f-category-system_info").value = True
        app.screen.query_one("#f-category-chat").value = True
        await pilot.press("ctrl+s")
        await settle(pilot)
        disclosure = w["running"].disclosures.get()
        assert set(json.loads(disclosure.categories)) == {"chat", "system_info"}
        await pilot.press("i")
        await fill(
            pilot, app.screen, **{"key-0": "os", "value-0": "Windows 11 Pro", "key-1": "ram", "value-1": "16 GB"}
        )
        await pilot.press("ctrl+s")
        await settle(pilot)
        info = SystemInfo.get(SystemInfo.session == w["running"])
        assert "Windows 11 Pro" in info.data and "16 GB" in info.data


@aio
async def test_consent_form_speaks_in_words_not_ids(db, fixed_clock) -> None:
    w = world()
    app = make_app(w["tech"], start_mode="sessions")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("s")
        await fill(pilot, app.screen, order="A-2026-0001", screen_private=False)
        await pilot.press("ctrl+s")
        await settle(pilot)
        shown = screen_text(app)
        assert "Consent first: others see the screen" in shown and "screen_visibility" not in shown
        assert "verbally" in shown


def visible_columns(table) -> list[str]:  # type: ignore[no-untyped-def]
    """Column labels that lie entirely within the table's visible width (no horizontal scrolling)."""
    shown, x = [], 0
    for column in table.ordered_columns:
        x += column.get_render_width(table)
        if x <= table.scrollable_content_region.width:
            shown.append(column.label.plain)
    return shown


@aio
async def test_at_80x24_the_deciding_columns_are_in_view(db, fixed_clock) -> None:
    from models.sessions import sessions
    from models.sessions.sessions import ConsentInput

    w = world()
    sessions.record_consent(w["tech"], w["running"].ref, ConsentInput("recording", "Erika Weber", "verbal", False))
    app = make_app(w["tech"], start_mode="sessions")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        columns = visible_columns(app.screen.query_one("#sessions-table"))
        assert {"Session", "IP", "Screen"} <= set(columns), columns
        assert "1 Now 2 Live 3 Orders 4 Consent 5 Purge" in str(app.screen.query_one(".mode-bar").render())
        await pilot.press("3")
        await settle(pilot)
        columns = visible_columns(app.screen.query_one("#orders-table"))
        assert {"State", "Class", "Hold"} <= set(columns), columns
        await pilot.press("4")
        await settle(pilot)
        table = app.screen.query_one("#consents-table")
        columns = visible_columns(table)
        assert {"When", "Answer", "Kind"} <= set(columns), columns
        assert "REFUSED" in screen_text(app)
    app = make_app(w["tech"], start_mode="consents")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert "Answer" in visible_columns(app.screen.query_one("#consents-table"))


def mono_app(operator, mode: str, config_dir=None):  # type: ignore[no-untyped-def]
    from screens.shell.app import ConsoleApp

    base = make_app(operator, start_mode=mode)
    return ConsoleApp(operator, base.info, start_mode=mode, config_dir=config_dir, environ={"NO_COLOR": "1"})


@aio
async def test_no_color_chooses_the_monochrome_theme_with_visible_focus_and_selection(db, fixed_clock) -> None:
    from screens.shell.theme import MONO

    w = world()
    app = mono_app(w["tech"], "sessions")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert app.theme == MONO and app.has_class("-mono")
        table = app.screen.query_one("#sessions-table")
        cursor = table.get_component_styles("datatable--cursor")
        header = table.get_component_styles("datatable--header")
        assert cursor.text_style.reverse and not header.text_style.reverse  # the selected row is not the header
        await pilot.press("s")
        form = app.screen
        focused = form.query_one("#f-order", Input)
        assert app.focused is focused
        other = form.query_one("#f-customer", Input)
        assert focused.styles.outline_left[0] and not other.styles.outline_left[0]  # a bar marks the focused field
        await pilot.press("ctrl+s")
        await settle(pilot)
        error = form.query_one("#e-order")
        assert error.styles.text_style.bold and not error.styles.text_style.reverse  # not a label, not the focus
        assert str(error.render()).startswith("! ")
        assert not form.query_one(".field-label").styles.text_style.reverse


@aio
async def test_the_chosen_theme_is_kept_across_restarts(db, fixed_clock, tmp_path) -> None:
    from screens.shell.app import ConsoleApp

    w = world()
    base = make_app(w["tech"], start_mode="sessions")
    app = ConsoleApp(w["tech"], base.info, start_mode="sessions", config_dir=tmp_path, environ={})
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.theme = "nord"
        await pilot.pause()
    again = ConsoleApp(w["tech"], base.info, start_mode="sessions", config_dir=tmp_path, environ={})
    async with again.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert again.theme == "nord"
    mono = ConsoleApp(w["tech"], base.info, start_mode="sessions", config_dir=tmp_path, environ={"NO_COLOR": ""})
    async with mono.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert mono.theme == "support24-mono"  # no colours: mono whatever was kept


def test_snapshot_monochrome_sessions(snap_compare, db, fixed_clock) -> None:
    w = world()
    assert snap_compare(mono_app(w["tech"], "sessions"), terminal_size=(80, 24), run_before=settle)


def test_snapshot_monochrome_start_form_with_errors(snap_compare, db, fixed_clock) -> None:
    w = world()

    async def open_form(pilot) -> None:  # type: ignore[no-untyped-def]
        await settle(pilot)
        await pilot.press("s")
        await settle(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        for field in pilot.app.screen.query(Input):
            field.cursor_blink = False  # the picture must not depend on where the blink is
        await pilot.pause()

    assert snap_compare(mono_app(w["tech"], "sessions"), terminal_size=(80, 24), run_before=open_form)


def table_text(renderable) -> str:  # type: ignore[no-untyped-def]
    import io

    from rich.console import Console

    out = Console(width=78, record=True, file=io.StringIO())
    out.print(renderable)
    return out.export_text()


@aio
async def test_question_mark_opens_the_help_of_the_current_screen(db, fixed_clock) -> None:
    from screens.help.screen import ScreenHelp

    w = world()
    app = make_app(w["tech"], start_mode="sessions")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        assert isinstance(app.screen, ScreenHelp)
        shown = table_text(app.screen.keys())
        assert "Keys on this screen — Sessions" in shown and "End" in shown and "Start" in shown
        assert "add a second technician" in shown  # the key map's row for this screen
        await pilot.press("escape")
        await pilot.press("7")
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        shown = table_text(app.screen.keys())
        assert "Billing" in shown and "Acknowledge" in shown and "Start" not in shown


@aio
async def test_palette_jumps_to_a_typed_reference_and_offers_the_screen_actions(db, fixed_clock) -> None:
    from screens.orders.details import SessionDetailScreen
    from screens.orders.screen import OrderDetailScreen
    from screens.shell.palette import ReferenceProvider

    w = world()
    app = make_app(w["tech"], start_mode="sessions")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        provider = ReferenceProvider(app.screen)
        texts = [text for text, _help, _cb in provider.action_hits()]
        assert any(text.startswith("Start") for text in texts) and any(text.startswith("End") for text in texts)
        [(text, _help, open_it)] = provider.reference_hits("a-2026-0001")
        assert text == "Open order A-2026-0001"
        open_it()
        await settle(pilot)
        assert isinstance(app.screen, OrderDetailScreen) and app.screen.ref == "A-2026-0001"
        [(_text, _help, open_it)] = ReferenceProvider(app.screen).reference_hits(w["running"].ref)
        open_it()
        await settle(pilot)
        assert isinstance(app.screen, SessionDetailScreen) and app.screen.ref == w["running"].ref
        [(_text, _help, open_it)] = ReferenceProvider(app.screen).reference_hits("K-10042")
        open_it()
        await settle(pilot)
        assert app.screen.MODE == "orders" and app.screen.filter.customer == "K-10042"
        assert ReferenceProvider(app.screen).reference_hits("hello") == []


@aio
async def test_palette_opens_the_session_of_a_consent_and_names_an_unknown_one(db, fixed_clock) -> None:
    from models.sessions import sessions
    from models.sessions.sessions import ConsentInput
    from screens.orders.details import SessionDetailScreen
    from screens.shell.palette import open_consent

    w = world()
    consent = sessions.record_consent(
        w["tech"], w["running"].ref, ConsentInput("recording", "Erika Weber", "verbal", True)
    )
    app = make_app(w["tech"], start_mode="sessions")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        open_consent(app, consent.ref)
        await settle(pilot)
        assert isinstance(app.screen, SessionDetailScreen) and app.screen.ref == w["running"].ref
        open_consent(app, "C-2099-9999")
        await settle(pilot)
        assert "no consent C-2099-9999" in [n.message for n in app._notifications]
