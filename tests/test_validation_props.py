"""Property tests for the validation of values from outside: timestamps, IP addresses, text."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from models.core import clock, validation
from models.core.errors import ValidationError
from models.core.text import has_control

NOW = datetime(2026, 11, 24, 10, 0, tzinfo=timezone.utc)
offsets = st.integers(min_value=-23 * 60 - 59, max_value=23 * 60 + 59).map(lambda m: timezone(timedelta(minutes=m)))
instants = st.datetimes(
    min_value=datetime(1970, 1, 2), max_value=datetime(2026, 11, 24, 10, 4), timezones=st.just(timezone.utc)
)


@pytest.fixture(autouse=True, scope="module")
def frozen_clock() -> Iterator[None]:
    clock.set_clock(clock.FixedClock(NOW))
    yield
    clock.reset_clock()


@given(instants, offsets, st.sampled_from(["T", " "]))
def test_any_instant_written_with_any_offset_reads_back_the_same(instant: datetime, zone: timezone, sep: str) -> None:
    text = instant.astimezone(zone).isoformat(sep=sep)
    parsed = validation.timestamp("at", text)
    assert parsed == instant and parsed.utcoffset() == timedelta(0)


@given(instants)
def test_z_suffix_in_either_case_is_utc(instant: datetime) -> None:
    text = instant.replace(tzinfo=None).isoformat()
    assert validation.timestamp("at", text + "Z") == instant == validation.timestamp("at", text + "z")


@given(st.datetimes(min_value=datetime(1970, 1, 2), max_value=datetime(2026, 1, 1)))
def test_a_timestamp_without_zone_is_refused(naive: datetime) -> None:
    with pytest.raises(ValidationError, match="time zone") as exc:
        validation.timestamp("started_at", naive.isoformat())
    assert exc.value.field == "started_at"


@given(st.timedeltas(min_value=timedelta(minutes=5, microseconds=1), max_value=timedelta(days=3650)), offsets)
def test_more_than_five_minutes_ahead_is_refused(ahead: timedelta, zone: timezone) -> None:
    with pytest.raises(ValidationError, match="future"):
        validation.timestamp("at", (NOW + ahead).astimezone(zone).isoformat())
    assert validation.timestamp("at", (NOW + ahead).isoformat(), allow_future=True) == NOW + ahead


@given(st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31)), offsets)
def test_far_past_and_edge_of_range_are_refused_not_crashed(moment: datetime, zone: timezone) -> None:
    try:
        parsed = validation.timestamp("at", moment.replace(tzinfo=zone).isoformat())
    except ValidationError:
        return
    assert validation.EARLIEST <= parsed <= NOW + validation.FUTURE_TOLERANCE


@given(st.one_of(st.text(max_size=40), st.integers(), st.floats(), st.booleans(), st.lists(st.integers(), max_size=2)))
def test_any_input_is_a_timestamp_or_a_named_refusal(value: object) -> None:
    try:
        parsed = validation.timestamp("opened_at", value)
    except ValidationError as exc:
        assert exc.field == "opened_at" and exc.problem
        return
    assert parsed is not None and parsed.tzinfo is not None


@given(st.ip_addresses())
def test_every_ip_address_is_kept_in_canonical_form(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> None:
    canonical = str(address)
    assert validation.ip_address("customer_ip", canonical) == canonical
    if address.version == 6:
        assert validation.ip_address("customer_ip", address.exploded.upper()) == canonical
    assert len(canonical) <= 45  # RemoteSession.customer_ip


@given(st.one_of(st.text(max_size=50), st.integers(), st.none()))
def test_any_input_is_an_address_or_a_named_refusal(value: object) -> None:
    try:
        result = validation.ip_address("customer_ip", value, required=False)
    except ValidationError as exc:
        assert exc.field == "customer_ip"
        return
    if result is not None:
        assert str(ipaddress.ip_address(result)) == result and len(result) <= 45


@given(st.ip_addresses(v=6), st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789", min_size=1, max_size=60))
def test_ipv6_zone_index_is_refused(address: ipaddress.IPv6Address, zone: str) -> None:
    with pytest.raises(ValidationError, match="zone"):
        validation.ip_address("customer_ip", f"{address}%{zone}")


@given(st.integers(min_value=0, max_value=255).map(str), st.integers(min_value=0, max_value=255))
def test_ipv4_with_leading_zeros_is_refused(first: str, rest: int) -> None:
    with pytest.raises(ValidationError):
        validation.ip_address("customer_ip", f"0{first}.{rest}.1.1")


@settings(max_examples=300)
@given(st.text(max_size=80))
def test_names_never_keep_control_characters_and_text_keeps_only_newline_and_tab(value: str) -> None:
    try:
        clean = validation.name("name", value)
    except ValidationError:
        clean = None
    assert clean is None or (not has_control(clean) and clean == clean.strip() and clean)
    try:
        body = validation.text("text", value)
    except ValidationError:
        return
    assert body and body.strip()
    assert all(ch in "\n\t" or not (ord(ch) < 32 or 0x7F <= ord(ch) <= 0x9F) for ch in body)
