"""The German access report reads as a letter to the customer: no internal id and no English word
of the data model is left in what a person reads (the JSON export keeps the ids)."""

from __future__ import annotations

import re

import pytest

from console.reports import html_writer, md_writer
from console.reports.access_report import open_report
from console.settings.config import Controller
from models.access import requests as access
from models.core.entities import BILLING_CLASSES, CONSENT_KINDS, CONSENT_METHODS, DISCLOSURE_BASES, ROLES
from models.retention.policy import CATEGORIES
from tests.support.access_seed import seed

# Ids of the data model and English words that must not reach a German letter.
INTERNAL_IDS = (
    *BILLING_CLASSES,
    *CONSENT_KINDS,
    *CONSENT_METHODS,
    *DISCLOSURE_BASES,
    *ROLES,
    *CATEGORIES,
    "connect",
    "disconnect",
    "file_transfer",
    "file_upload",
    "file_download",
    "upload",
    "download",
    "customer",
    "technician",
    "received",
    "verified",
    "compiled",
    "reviewed",
    "delivered",
    "screenshot",
    "letter",
)


@pytest.fixture
def report_text(db: str, fixed_clock) -> str:
    world = seed()
    request = access.open_request(
        world.officer, name="Erika Weber", received_on="2026-11-24", channel="letter", customer_number="K-10042"
    )
    access.verify_identity(world.officer, request.ref, "Personalausweis vorgelegt")
    access.compile_request(world.officer, request.ref)
    report = open_report(world.officer, request.ref, controller=Controller(), lang="de")
    html = html_writer.render(open_report(world.officer, request.ref, controller=Controller(), lang="de"))
    text = md_writer.render(report) + "\n" + html
    return text.replace("Namesake chat", "")  # a customer's own chat line is their words, not ours


def words(text: str) -> set[str]:
    """The words of the visible text, tags and attribute names of the HTML left out."""
    visible = re.sub(r"<[^>]+>", " ", text)
    return set(re.findall(r"[A-Za-z_]+", visible))


def test_the_german_report_names_no_internal_id(report_text: str) -> None:
    found = sorted(words(report_text) & set(INTERNAL_IDS))
    assert found == []


def test_the_german_report_writes_german_dates(report_text: str) -> None:
    assert re.search(r"\b\d{2}\.\d{2}\.\d{4}\b", report_text)
    visible = re.sub(r"<[^>]+>", " ", report_text)
    assert re.findall(r"\b\d{4}-\d{2}-\d{2}\b", visible) == []
