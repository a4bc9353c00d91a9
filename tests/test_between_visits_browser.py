"""Between visits in a real browser: on the client's phone (390x844), "it hurt" shows the
item's cautions and "stop, and tell Robin" with the clinic's phone at once, yesterday is
ticked afterwards, and "this doesn't fit my week" goes with a note; then the therapist's
week page shows that client first, flagged, and sends a gentle nudge."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from aftercare.feedback import HomeworkWord, ItemFeeling
from aftercare.models import CheckIn, ShareLink
from aftercare.nudges import Nudge
from tests.conftest import builtin, log_in, make_client, make_visit
from tests.test_accessibility_browser import violations_on

pytestmark = [pytest.mark.browser]


@pytest.fixture
def homework(visit, clinic):
    clinic.phone = "01632 960 123"
    clinic.save()
    visit.date = timezone.localdate() - datetime.timedelta(days=10)
    visit.save()
    visit.assign(builtin("tennis-ball-suboccipital-release"))
    visit.assign(builtin("doorway-pec-stretch"))
    return visit


def test_it_hurt_shows_the_cautions_and_the_phone_and_yesterday_can_be_ticked(page, homework):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(ShareLink.issue(homework.client))
    first = page.locator("article.card").first
    ball = homework.items.get(slot=1)
    expect(first.get_by_text("Stop, and tell Robin")).to_have_count(0)

    first.get_by_role("button", name="It hurt").click()
    panel = page.locator(f"#hurt-{ball.pk}")
    expect(panel).to_be_visible()
    expect(panel.get_by_role("heading", name="Stop, and tell Robin")).to_be_visible()
    expect(panel.get_by_role("link", name="01632 960 123")).to_have_attribute("href", "tel:01632%20960%20123")
    expect(panel.get_by_text(ball.exercise.cautions[:40])).to_be_visible()
    expect(first.get_by_role("button", name="It hurt")).to_have_attribute("aria-pressed", "true")
    assert ItemFeeling.objects.get(item=ball).feeling == "hurt"
    panel.scroll_into_view_if_needed()
    page.screenshots("it-hurt")
    assert violations_on(page) == []

    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    label = f"{yesterday:%a} {yesterday.day} {yesterday:%B}"  # "Tue 1" on the button, the month for a screen reader
    day = first.get_by_role("button", name=label, exact=True)
    box = day.bounding_box()
    assert box["height"] >= 44 and box["width"] >= 40, "a touch target a thumb can hit"
    day.click()
    done = first.get_by_role("button", name=f"{label}, done")
    expect(done).to_have_attribute("aria-pressed", "true")
    expect(first.get_by_text("Done once in the last seven days. Some times beats no times.")).to_be_visible()
    assert list(CheckIn.objects.values_list("day", flat=True)) == [yesterday]
    done.scroll_into_view_if_needed()
    page.screenshots("ticked-yesterday")

    done.click()  # tapped by mistake: untick
    expect(first.get_by_role("button", name=label, exact=True)).to_have_attribute("aria-pressed", "false")
    assert not CheckIn.objects.exists()

    page.get_by_label("Doesn't fit your week?").fill("Evenings are school runs; mornings might work.")
    page.get_by_role("button", name="This doesn't fit my week").click()
    expect(page.get_by_text("You wrote: “Evenings are school runs; mornings might work.”")).to_be_visible()
    assert HomeworkWord.objects.get().word == "doesnt-fit"
    page.screenshots("doesnt-fit")
    assert violations_on(page) == []


def test_the_therapist_sees_the_week_flagged_first_and_sends_a_nudge(page, homework, therapist, clinic):
    ItemFeeling.say(homework.items.get(slot=1), timezone.localdate(), "hurt")
    calm = make_visit(make_client(clinic, "Dev", email="dev@example.com"), "runners-calves", therapist=therapist,
                      date=timezone.localdate() - datetime.timedelta(days=1))
    CheckIn.objects.create(item=calm.assign(builtin("calf-rolling-foam-roller")), day=timezone.localdate())
    log_in(page, "robin")
    page.get_by_role("link", name="Between visits").click()
    rows = page.locator(".between-row")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("Maya Lindqvist")
    expect(rows.first).to_contain_text("It hurt")
    expect(rows.nth(1)).to_contain_text("1 day ticked this week")
    page.screenshots("week")
    assert violations_on(page) == []

    rows.first.get_by_role("link", name="Send a nudge").click()
    text = page.get_by_label("What it says")
    assert "Hi Maya, a gentle hello from Robin" in text.input_value()
    text.fill("Hi Maya, Robin here. Sorry the tennis ball hurt: leave it for now, and call us if it's still sore.")
    page.screenshots("nudge")
    assert violations_on(page) == []
    page.get_by_role("button", name="Send the nudge").click()
    expect(page.get_by_text("Sending Maya a gentle nudge by email.")).to_be_visible()
    expect(page.locator(".between-row").first).to_contain_text("Nudged")
    nudge = Nudge.objects.get()
    assert nudge.text.startswith("Hi Maya, Robin here.")
    page.screenshots("nudged")
