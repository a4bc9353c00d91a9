"""Printing in a real browser: the therapist's handout from the visit summary, the front
desk's day page and its PDF, and the client's own handout from their link on a phone.
(How a PDF link is followed in Chromium: tests/pdfs.py.)"""

import re

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from aftercare.models import ShareLink
from tests.conftest import builtin, log_in, make_client, make_visit
from tests.pdfs import clicked_pdf, read_pdf

pytestmark = [pytest.mark.browser]

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def todays_visits(therapist, clinic):
    maya = make_client(clinic, "Maya", last_name="Lindqvist")
    first = make_visit(maya, "headaches", therapist=therapist, date=timezone.localdate(),
                       next_goal="Check the blind spot without the pull.", rebook_weeks=3)
    first.assign(builtin("tennis-ball-suboccipital-release"), note="Gently on the right.")
    first.assign(builtin("doorway-pec-stretch"))
    ines = make_client(clinic, "Ines", last_name="Okafor")
    second = make_visit(ines, "low-back", therapist=therapist, date=timezone.localdate())
    second.assign(builtin("doorway-pec-stretch"), note="Any doorway at work counts.")
    bare = make_visit(make_client(clinic, "Tom", last_name="Nohomework"), "headaches", therapist=therapist,
                      date=timezone.localdate())
    return first, second, bare


def test_the_therapist_prints_the_handout_from_the_visit_summary(page, todays_visits):
    visit = todays_visits[0]
    log_in(page, "robin")
    page.goto(reverse("aftercare:visit-detail", args=[visit.pk]))
    expect(page.get_by_role("link", name="Print handout")).to_be_visible()
    page.screenshots("visit-summary")

    pdf = clicked_pdf(page, page.get_by_role("link", name="Print handout"))
    count, text = read_pdf(pdf, "browser-visit-handout")
    assert count == 1
    for words in ("Maya's homework", "Tennis ball", "Doorway", "Gently on the right.", "Tick the days you did it"):
        assert words in text, words
    assert "Lindqvist" not in text  # first name only on paper
    # The link is a short-lived address signed for this browser (aftercare/printing.py),
    # answered from the ready file; the same PDF by it, with the therapist's session.
    href = page.get_by_role("link", name="Print handout").get_attribute("href")
    assert href.startswith(f"/print/visit.{visit.pk}.") and href.endswith(".pdf")
    response = page.request.get(href)
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    assert "Maya's homework" in read_pdf(response.body(), "browser-visit-handout-fetched")[1]


def test_the_day_page_lists_todays_visits_and_prints_them_in_one_pdf(page, todays_visits):
    log_in(page, "robin")
    page.get_by_role("link", name="Today's visits").click()
    for name in ("Maya Lindqvist", "Ines Okafor", "Tom Nohomework"):
        expect(page.get_by_role("link", name=name, exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Add homework for Tom Nohomework")).to_be_visible()
    page.screenshots("day-page")

    day_link = page.get_by_role("link", name=re.compile(r"Print the day's handouts \(2 pages\)"))
    assert f"/print/day.{timezone.localdate():%Y-%m-%d}." in day_link.get_attribute("href")
    count, text = read_pdf(clicked_pdf(page, day_link), "browser-day-handouts")
    assert count == 2
    assert "Maya's homework" in text and "Ines's homework" in text and "Tom" not in text

    single = page.get_by_role("link", name="Handout for Ines Okafor")
    count, text = read_pdf(clicked_pdf(page, single), "browser-day-one-handout")
    assert count == 1 and "Ines's homework" in text and "Maya" not in text


def test_the_client_downloads_their_handout_on_a_phone(page, todays_visits):
    visit = todays_visits[0]
    path = ShareLink.issue(visit.client)
    page.set_viewport_size(PHONE)
    page.goto(path)
    button = page.get_by_role("link", name="Download your handout")
    expect(button).to_be_visible()
    button.scroll_into_view_if_needed()
    page.screenshots("client-phone")
    # Reachable on a phone: inside the screen's width, and big enough to tap.
    box = button.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"] and box["height"] >= 32

    count, text = read_pdf(clicked_pdf(page, button), "browser-client-handout")
    assert count == 1
    assert "Maya's homework" in text and "Tennis ball" in text
    # The handout's QR code opens this very page.
    # The printed short link, wrapped anywhere (text extraction may drop a line-ending "-").
    assert path.replace("-", "") in text.replace(" ", "").replace("-", "")

