"""The therapist's two minutes, in a real browser: find or add the client, intake,
suggestions, one or two items, wrap-up, summary; and a third item refused."""

import re

import pytest
from playwright.sync_api import expect

from aftercare.models import ShareLink, Visit
from clients.models import Client
from tests.conftest import builtin, log_in

pytestmark = [pytest.mark.browser]


def test_a_therapist_gives_a_new_client_two_items(page, therapist):
    shot = page.screenshots
    log_in(page, "robin")
    expect(page.get_by_role("heading", name="Clients")).to_be_visible()

    page.get_by_placeholder("Find a client by name").fill("Maya")
    page.get_by_role("button", name="Find").click()
    expect(page.get_by_text("Nobody called “Maya” yet")).to_be_visible()
    expect(page.get_by_label("First name")).to_have_value("Maya")
    page.get_by_role("button", name="Add client").click()
    expect(page.get_by_role("heading", name="Maya")).to_be_visible()
    maya = Client.objects.get(first_name="Maya")

    page.get_by_role("link", name="Edit", exact=True).click()
    page.get_by_label("Tennis ball").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Tennis ball", exact=True)).to_be_visible()

    page.get_by_role("link", name="Start today's visit").click()
    page.get_by_label("Headaches").check()
    page.get_by_label("Rounded desk shoulders").check()
    page.get_by_label("Note").fill("Headaches most afternoons at the desk")
    shot("intake")
    page.get_by_role("button", name="Start visit").click()

    expect(page.get_by_role("heading", name="Homework for Maya")).to_be_visible()
    suggestions = page.locator(".suggestions .exercise-card h3")
    first_two = {suggestions.nth(0).inner_text(), suggestions.nth(1).inner_text()}
    assert first_two == {builtin("tennis-ball-suboccipital-release").name, builtin("doorway-pec-stretch").name}
    shot("suggestions")

    page.get_by_role("link", name=f"Choose {builtin('tennis-ball-suboccipital-release').name}").click()
    page.get_by_label("Personal note").fill("Two minutes before bed is plenty")
    page.get_by_role("button", name="Add to homework").click()
    expect(page.get_by_role("heading", name="Chosen: 1 of 2")).to_be_visible()

    page.get_by_role("link", name=f"Choose {builtin('doorway-pec-stretch').name}").click()
    page.get_by_label("Some days a week").check()
    page.get_by_label("Days a week", exact=True).fill("3")
    page.get_by_role("button", name="Add to homework").click()
    expect(page.get_by_role("heading", name="Chosen: 2 of 2")).to_be_visible()
    expect(page.get_by_text("That's two")).to_be_visible()
    shot("two-chosen")

    page.get_by_label("Suggest they see").select_option(label="Chiropractor")
    page.get_by_label("Goal for next session").fill("Through a work week without a headache")
    page.get_by_label("Rebook in").select_option(label="2 weeks")
    page.get_by_role("button", name="Finish visit").click()

    expect(page.get_by_role("heading", name=re.compile("Maya's homework"))).to_be_visible()
    expect(page.get_by_text("Two minutes before bed is plenty")).to_be_visible()
    expect(page.get_by_text("3 times a week")).to_be_visible()
    expect(page.get_by_text("Through a work week without a headache")).to_be_visible()
    shot("summary")

    visit = Visit.objects.get(client=maya)
    assert [item.exercise.slug for item in visit.items.all()] == [
        "tennis-ball-suboccipital-release",
        "doorway-pec-stretch",
    ]
    assert visit.referral == "chiropractor" and visit.rebook_weeks == 2

    page.get_by_role("link", name="Maya").first.click()
    expect(page.locator(".visit-card")).to_have_count(1)
    expect(page.locator(".visit-card")).to_contain_text(builtin("doorway-pec-stretch").name)
    shot("client-page")


def test_a_third_item_is_refused_and_the_note_stays(page, therapist, visit):
    visit.assign(builtin("tennis-ball-suboccipital-release"))
    visit.assign(builtin("doorway-pec-stretch"))
    log_in(page, "robin")
    psoas = builtin("psoas-release")
    page.goto(f"/visits/{visit.pk}/homework/add/{psoas.pk}/")
    expect(page.get_by_text("This visit already has two homework items.")).to_be_visible()
    page.get_by_label("Personal note").fill("Knees over the chair seat")
    page.get_by_role("button", name="Add to homework").click()
    page.expected_refusals = 1
    expect(page.locator(".alert-block, .alert-danger").first).to_contain_text("already has two homework items")
    expect(page.get_by_label("Personal note")).to_have_value("Knees over the chair seat")
    page.screenshots("third-refused")
    assert visit.items.count() == 2


def test_turning_off_a_link_asks_first(page, therapist, visit):
    visit.assign(builtin("psoas-release"))
    path = ShareLink.issue(visit.client)
    log_in(page, "robin")
    page.goto(f"/visits/{visit.pk}/")
    page.get_by_text("Replace or turn off the link").click()

    questions = []
    page.once("dialog", lambda dialog: (questions.append(dialog.message), dialog.dismiss()))
    page.get_by_role("button", name="Turn off link").click()
    expect(page.get_by_role("button", name="Turn off link")).to_be_visible()
    assert "stops working" in questions[0]
    assert ShareLink.find(path.strip("/").split("/")[-1]) is not None, "dismissing keeps the link"

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Turn off link").click()
    expect(page.get_by_text("link was turned off")).to_be_visible()
    assert ShareLink.find(path.strip("/").split("/")[-1]) is None
