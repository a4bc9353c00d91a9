"""The client's phone: open the link, tick an item, undo, download the reminders."""

import pytest
from icalendar import Calendar
from playwright.sync_api import expect

from aftercare.models import CheckIn, ShareLink
from tests.conftest import builtin

pytestmark = [pytest.mark.browser]


@pytest.fixture
def phone(page):
    page.set_viewport_size({"width": 390, "height": 844})
    return page


def test_a_client_ticks_off_homework_and_adds_reminders(phone, visit, live_server):
    visit.assign(builtin("tennis-ball-suboccipital-release"), note="Two minutes before bed is plenty")
    visit.assign(builtin("doorway-pec-stretch"), how_often="weekly", times_per_week=3)
    visit.next_goal = "Through the week without a headache"
    visit.rebook_weeks = 2
    visit.save()
    path = ShareLink.issue(visit.client)

    response = phone.goto(path)
    assert response.headers["referrer-policy"] == "no-referrer"
    expect(phone.get_by_role("heading", name="Hi Maya")).to_be_visible()
    expect(phone.locator("article.card")).to_have_count(2)
    expect(phone.get_by_text("Two minutes before bed is plenty")).to_be_visible()
    phone.screenshots("opened")

    first = phone.locator("article.card").first
    button = first.get_by_role("button", name="I did it today")
    box = button.bounding_box()
    assert box["height"] >= 44 and box["width"] >= 300, "a big touch target"
    button.click()
    expect(first.get_by_text("Done today")).to_be_visible()
    expect(first.get_by_text("Once this week")).to_be_visible()
    assert CheckIn.objects.count() == 1
    phone.screenshots("ticked")

    first.get_by_role("button", name="Undo today's tick").click()
    expect(first.get_by_role("button", name="I did it today")).to_be_visible()
    expect(first.get_by_text("Not yet this week")).to_be_visible()
    assert CheckIn.objects.count() == 0

    phone.get_by_text("Or download a one-off calendar file").click()  # beside the living calendar
    phone.get_by_label("What time suits you?").fill("07:30")
    with phone.expect_download() as download_info:
        phone.get_by_role("button", name="Add reminders to my calendar").click()
    download = download_info.value
    assert download.suggested_filename == "aftercare-reminders.ics"
    calendar = Calendar.from_ical(open(download.path(), "rb").read())
    events = calendar.walk("VEVENT")
    assert len(events) == 2
    assert {e.decoded("DTSTART").strftime("%H:%M") for e in events} == {"07:30"}
    phone.screenshots("reminders")


def test_the_page_works_without_javascript(browser, live_server, visit):
    visit.assign(builtin("psoas-release"))
    path = ShareLink.issue(visit.client)
    context = browser.new_context(java_script_enabled=False, viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(live_server.url + path)
    page.get_by_role("button", name="I did it today").click()
    expect(page.get_by_text("Done today")).to_be_visible()
    context.close()
    assert CheckIn.objects.count() == 1
