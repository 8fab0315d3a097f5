"""The one purge entry point: who may purge, the timer's scheduled runs, throttled progress, and
the words for an outcome, the same for the retention screen, the timer and the CLI."""

from __future__ import annotations

import pytest

from models.core.entities import PurgeRun
from models.core.errors import PermissionDenied
from models.purge import run as purge
from models.purge import service
from tests.support import purge_world


@pytest.fixture
def world(db, fixed_clock, isolated_dirs):
    return purge_world.build(isolated_dirs)


def test_a_purge_by_hand_needs_the_privacy_officer_whoever_calls_it(world) -> None:
    with pytest.raises(PermissionDenied, match="privacy_officer"):
        purge.run_purge(world.tech, data_dir=world.data_dir)
    with pytest.raises(PermissionDenied, match="privacy_officer"):
        purge.run_purge(world.tech, data_dir=world.data_dir, dry_run=True)
    assert PurgeRun.select().count() == 0
    refused = service.purge(world.tech, data_dir=world.data_dir)
    assert refused.result is None and isinstance(refused.failure, PermissionDenied)
    assert "privacy_officer" in service.outcome_text(refused) and PurgeRun.select().count() == 0


def test_the_timer_purges_in_any_console_and_the_run_names_its_operator(world) -> None:
    outcome = service.purge(world.tech, data_dir=world.data_dir, scheduled=True)
    assert outcome.ok and outcome.total > 0
    assert PurgeRun.get_by_id(outcome.run_id).operator == "tina"
    world.tech.active = False
    world.tech.save()
    with pytest.raises(PermissionDenied):
        purge.run_purge(world.tech, data_dir=world.data_dir, scheduled=True)


def test_the_policy_is_reloaded_first_and_a_bad_one_stops_the_run(world) -> None:
    from models.core.errors import ValidationError

    def bad_policy() -> None:
        raise ValidationError("rules.chat.months", "must not be negative")

    outcome = service.purge(world.officer, data_dir=world.data_dir, reload_policy=bad_policy)
    assert outcome.error == "rules.chat.months: must not be negative" and outcome.result is None
    assert PurgeRun.select().count() == 0


def test_progress_is_reported_at_most_once_a_second_but_always_the_last_step() -> None:
    now = [0.0]
    seen: list[tuple[int, int]] = []
    report = service.throttled(lambda done, planned: seen.append((done, planned)), monotonic=lambda: now[0])
    for done in range(0, 1000, 10):
        report(done, 1000)
        now[0] += 0.25
    report(1000, 1000)
    assert seen[0] == (0, 1000) and seen[-1] == (1000, 1000)
    assert len(seen) == 26  # 25 s of reports, one a second, and the last


def test_the_outcome_reads_the_same_in_a_hint_and_in_the_header(world, fixed_clock) -> None:
    preview = service.purge(world.officer, data_dir=world.data_dir, dry_run=True)
    assert service.outcome_text(preview).startswith(f"Preview (run {preview.run_id}): {preview.total} items due.")
    done = service.purge(world.officer, data_dir=world.data_dir)
    text = service.outcome_text(done)
    assert text.startswith(f"Purge run {done.run_id}: {done.total} items deleted. activity 3, billing 1, chat 3")
    assert service.status_text(done, None) == f"purge 11:00: {done.total} deleted"
