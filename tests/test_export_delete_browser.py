"""A client asks for their data, then to be forgotten: the therapist downloads the zip from
the client's page, then deletes them, getting the name wrong once."""

import io
import json
import zipfile

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from aftercare.audit import Action, AuditEvent
from aftercare.models import ShareLink
from clients.models import Client
from aftercare.worker import run_queued_jobs
from tests.conftest import builtin, log_in, make_client, make_visit

pytestmark = [pytest.mark.browser]


def test_the_therapist_exports_a_client_then_deletes_them(page, therapist, clinic):
    maya = make_client(clinic, "Maya", last_name="Lindqvist")
    make_visit(maya, "headaches", therapist=therapist).assign(builtin("doorway-pec-stretch"))
    ShareLink.issue(maya, by=therapist)
    log_in(page, "robin")
    page.goto(reverse("clients:detail", args=[maya.pk]))
    expect(page.locator("#history-list")).to_contain_text("Robin Tester issued the client's link")
    page.screenshots("client-page-history")

    page.get_by_role("button", name="Export everything (zip)").click()
    expect(page.locator("#export-status")).to_contain_text("Preparing")
    page.screenshots("export-preparing")
    run_queued_jobs()  # a worker makes it; the page looks again by itself
    expect(page.get_by_role("link", name="Download the zip")).to_be_visible(timeout=10_000)
    page.screenshots("export-ready")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the zip").click()
    archive = zipfile.ZipFile(io.BytesIO(open(download.value.path(), "rb").read()))
    assert download.value.suggested_filename.startswith("maya-lindqvist-aftercare-")
    assert json.loads(archive.read("client.json"))["client"]["last_name"] == "Lindqvist"
    assert any(name.endswith(".pdf") for name in archive.namelist())

    page.goto(reverse("clients:detail", args=[maya.pk]))
    expect(page.locator("#history-list li").first).to_contain_text("Robin Tester exported everything about the client")
    page.get_by_role("link", name="Delete Maya…").click()
    expect(page.locator("#what-goes")).to_contain_text("1 visit")
    page.get_by_label("Type their first name to confirm").fill("Mia")
    page.expected_refusals = 1
    page.get_by_role("button", name="Delete everything about them").click()
    expect(page.get_by_text("Nothing was deleted")).to_be_visible()
    page.screenshots("delete-wrong-name")
    assert Client.objects.filter(pk=maya.pk).exists()

    page.get_by_label("Type their first name to confirm").fill("maya")
    page.get_by_role("button", name="Delete everything about them").click()
    expect(page.get_by_text("Maya is deleted")).to_be_visible()
    page.screenshots("deleted")
    assert not Client.objects.filter(pk=maya.pk).exists()
    assert AuditEvent.objects.get(action=Action.DELETED).sentence == f"Client #{maya.pk} deleted by Robin Tester"
