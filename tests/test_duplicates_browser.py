"""The duplicate prompt in a real browser: adding Hannah Desk again asks "Is this Hannah
Desk, last seen …?"; "Yes" opens her page, "No, a different person" adds the new one; an
owner then merges the two."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from clients.models import Client
from tests.conftest import log_in, make_client, make_visit

pytestmark = [pytest.mark.browser]


def test_adding_someone_twice_asks_first_then_an_owner_merges_them(page, therapist, clinic):
    hannah = make_client(clinic, "Hannah", last_name="Desk", email="hannah@example.com")
    seen = datetime.date(timezone.localdate().year, 1, 3)
    make_visit(hannah, "headaches", therapist=therapist, date=seen)
    shot = page.screenshots
    log_in(page, "robin")
    page.get_by_role("button", name="Hide this checklist").click()

    page.get_by_label("First name").fill("Hannah")
    page.get_by_label("Last name").fill("Desk")
    page.get_by_role("button", name="Add client").click()
    page.expected_refusals += 1
    prompt = page.locator(".duplicate-prompt")
    expect(prompt).to_contain_text("Is this Hannah Desk, last seen 3 Jan?")
    expect(page.get_by_label("Last name")).to_have_value("Desk")
    shot("prompt")
    assert Client.objects.count() == 1

    page.get_by_role("link", name="Yes, open Hannah Desk").click()
    expect(page.get_by_role("heading", name="Hannah Desk")).to_be_visible()
    assert page.url.endswith(f"/clients/{hannah.pk}/")

    page.get_by_role("link", name="Clients").first.click()
    page.get_by_role("link", name="New client with details").click()
    page.get_by_label("First name").fill("Hana")
    page.get_by_label("Email").fill("HANNAH@example.com")
    page.get_by_role("button", name="Add client").click()
    expect(page.locator(".duplicate-prompt")).to_contain_text("(same email)")
    expect(page.get_by_label("Email")).to_have_value("HANNAH@example.com")
    shot("prompt-full-form")
    page.get_by_role("button", name="No, a different person: add them").click()
    expect(page.get_by_role("heading", name="Hana", exact=True)).to_be_visible()
    assert Client.objects.count() == 2
    hana = Client.objects.get(first_name="Hana")

    page.get_by_role("link", name="Merge a duplicate").click()
    page.get_by_role("searchbox").fill("hannah")
    page.get_by_role("button", name="Find").click()
    page.get_by_role("link", name="Hannah Desk").click()
    expect(page.get_by_role("heading", name="Keep Hana, merge in Hannah Desk?")).to_be_visible()
    page.get_by_role("link", name="Keep Hannah Desk instead").click()
    expect(page.get_by_role("heading", name="Keep Hannah Desk, merge in Hana?")).to_be_visible()
    shot("merge")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Merge into Hannah Desk").click()
    expect(page.get_by_text("the other record is gone")).to_be_visible()
    expect(page.get_by_text("merged in another record of the client")).to_be_visible()
    shot("merged")
    assert list(Client.objects.values_list("pk", flat=True)) == [hannah.pk]
    assert not Client.objects.filter(pk=hana.pk).exists()
