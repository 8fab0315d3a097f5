"""The policy as data: the packaged file equals DESIGN.md §4, every mistake is refused by key,
the stricter P7 reading is one setting away, and a new version recomputes due dates."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from console.settings.policy_file import default_text, parse
from models.core.entities import BillingRecord
from models.core.errors import ValidationError
from models.retention import due as retention_due
from models.retention import policy as policy_model
from models.retention import queue as retention
from models.retention.policy import Policy
from tests.support import purge_world

UTC = timezone.utc


def test_the_packaged_file_is_the_design_default() -> None:
    loaded = parse(default_text(), "default")
    assert loaded.policy.rules == Policy().rules
    assert loaded.policy.unbilled_warning_days == 45 and loaded.policy.backup_rotation_days == 30
    assert {r.clause for r in loaded.policy.rules.values()} >= {"P7", "P8", "P10"}


@pytest.mark.parametrize(
    ("change", "field", "problem"),
    [
        (("[rules.chat]  ", "[rules.emails]  "), "rules.emails", "unknown category"),
        (("hours = 48\n", "hours = -48\n"), "rules.system_info.hours", "must not be negative"),
        (("hours = 48\n", ""), "rules.system_info", "needs a period"),
        (("years = 11\n", "years = 11.5\n"), "rules.billing.years", "whole number"),
        (('anchor = "session_date"', 'anchor = "order_completed"'), "rules.billing.anchor", "must be one of"),
        (('chat_video_reading = "P8"', 'chat_video_reading = "P9"'), "chat_video_reading", "P7"),
        (('version = "2026-1"', 'verison = "2026-1"'), "default", "unknown keys: verison"),
        (('clause = "P10"\n', ""), "rules.billing.clause", "is required"),
        (
            ('# anchor_rounding = "end_of_year"\n', 'anchor_rounding = "end_of_month"\n'),
            "rules.billing.anchor_rounding",
            "end_of_year",
        ),
    ],
)
def test_every_mistake_is_refused_naming_the_key(change: tuple[str, str], field: str, problem: str) -> None:
    text = default_text()
    assert change[0] in text
    with pytest.raises(ValidationError) as err:
        parse(text.replace(change[0], change[1], 1), "default")
    assert err.value.field == field and problem in err.value.problem


def test_a_missing_rule_is_refused() -> None:
    text = default_text()
    start = text.index("[rules.video]  ")
    end = text.index("[rules.billing]  ")
    with pytest.raises(ValidationError, match="missing rules for: video"):
        parse(text[:start] + text[end:], "default")


def test_the_stricter_reading_puts_chat_and_video_on_completion_plus_48_hours() -> None:
    loaded = parse(default_text().replace('chat_video_reading = "P8"', 'chat_video_reading = "P7"'), "strict")
    for name in ("chat", "video"):
        rule = loaded.policy.rule(name)
        assert (rule.anchor, rule.hours, rule.months) == ("order_completed", 48, 0)
    assert loaded.policy.rule("activity").months == 3
    assert loaded.policy.version != parse(default_text(), "default").policy.version


def test_an_edit_without_a_new_version_still_changes_the_version() -> None:
    edited = default_text().replace("unbilled_warning_days = 45", "unbilled_warning_days = 60")
    assert parse(edited, "x").policy.version != parse(default_text(), "x").policy.version


@pytest.fixture
def restore_policy():
    yield
    policy_model.activate(Policy())


def test_activating_a_new_version_recomputes_every_due_date(db, fixed_clock, isolated_dirs, restore_policy) -> None:
    purge_world.build(isolated_dirs, names=("recent",))
    before = {i.category: i for i in retention.order_retention("A-2026-0002")}
    assert before["chat"].due_at == datetime(2027, 2, 22, 23, 0, tzinfo=UTC)
    strict = parse(
        default_text()
        .replace('chat_video_reading = "P8"', 'chat_video_reading = "P7"')
        .replace('# anchor_rounding = "end_of_year"\n', 'anchor_rounding = "end_of_year"\n'),
        "strict",
    ).policy
    policy_model.activate(strict)
    assert retention_due.sync() == 1
    after = {i.category: i for i in retention.order_retention("A-2026-0002")}
    completed = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
    assert after["chat"].due_at == after["video"].due_at == after["system_info"].due_at
    assert after["chat"].due_at == completed.replace(day=25)
    assert after["activity"].due_at == before["activity"].due_at
    assert after["connection"].due_at == after["activity"].due_at  # the session row goes last
    # billing counts from the end of 2026 now: 1 January 2027 + 11 years, Berlin midnight
    assert BillingRecord.get().due_at == datetime(2037, 12, 31, 23, 0, tzinfo=UTC)
    assert retention_due.sync() == 0  # nothing stale any more
