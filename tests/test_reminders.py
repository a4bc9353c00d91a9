"""/h/<token>/reminders.ics: a repeating event per item, in the client's own calendar."""

import datetime

import pytest
from django.core.cache import cache
from icalendar import Calendar
from pytest_django.asserts import assertContains

from aftercare.calendar import WEEKDAYS_FOR, first_day
from aftercare.models import ShareLink
from exercises.models import HowOften
from tests.conftest import builtin


@pytest.fixture(autouse=True)
def fresh_throttle():
    cache.clear()


@pytest.fixture
def path(visit):
    visit.assign(builtin("tennis-ball-suboccipital-release"), how_often=HowOften.DAILY)
    visit.assign(builtin("doorway-pec-stretch"), how_often=HowOften.WEEKLY, times_per_week=3)
    return ShareLink.issue(visit.client)


def events(response):
    calendar = Calendar.from_ical(response.content)
    return {str(event["summary"]): event for event in calendar.walk("VEVENT")}


def test_one_repeating_event_per_item_at_the_chosen_time(client, path):
    response = client.get(f"{path}reminders.ics", {"time": "07:30"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    assert "attachment" in response["Content-Disposition"]
    found = events(response)
    assert len(found) == 2
    daily = next(e for name, e in found.items() if "Tennis ball" in name or "tennis" in name.lower())
    weekly = next(e for name, e in found.items() if e is not daily)
    assert daily["RRULE"]["FREQ"] == ["DAILY"]
    assert weekly["RRULE"]["FREQ"] == ["WEEKLY"]
    assert weekly["RRULE"]["BYDAY"] == ["MO", "WE", "FR"]
    for event in found.values():
        start = event.decoded("DTSTART")
        assert (start.hour, start.minute) == (7, 30)
        assert "UNTIL" in event["RRULE"]
        alarms = event.walk("VALARM")
        assert len(alarms) == 1 and str(alarms[0]["ACTION"]) == "DISPLAY"
        assert path in str(event["DESCRIPTION"])


def test_the_bare_calendar_address_reminds_at_seven_in_the_evening(client, path):
    for query in ({}, {"time": ""}):
        response = client.get(f"{path}reminders.ics", query)
        assert response.status_code == 200
        starts = {e.decoded("DTSTART").strftime("%H:%M") for e in events(response).values()}
        assert starts == {"19:00"}
    assert client.head(f"{path}reminders.ics").status_code == 200


def test_a_weekly_event_starts_on_one_of_its_own_days(client, path):
    weekly = next(e for e in events(client.get(f"{path}reminders.ics", {"time": "19:00"})).values() if e["RRULE"]["FREQ"] == ["WEEKLY"])
    assert weekly.decoded("DTSTART").weekday() in (0, 2, 4)


def test_when_symptoms_appear_gets_no_reminder(client, visit):
    visit.assign(builtin("psoas-release"), how_often=HowOften.AS_NEEDED)
    path = ShareLink.issue(visit.client)
    assert events(client.get(f"{path}reminders.ics", {"time": "19:00"})) == {}


def test_a_second_download_keeps_the_same_uids(client, path, visit):
    first = {e["UID"] for e in events(client.get(f"{path}reminders.ics", {"time": "07:30"})).values()}
    ShareLink.replace(visit.client)
    new_path = ShareLink.issue(visit.client)
    second = {e["UID"] for e in events(client.get(f"{new_path}reminders.ics", {"time": "21:00"})).values()}
    assert first == second and len(first) == 2


def test_it_is_valid_rfc_5545_with_its_time_zone(client, path):
    body = client.get(f"{path}reminders.ics", {"time": "07:30"}).content.decode()
    assert body.startswith("BEGIN:VCALENDAR\r\n")
    assert "VERSION:2.0" in body and "PRODID:" in body
    assert "BEGIN:VTIMEZONE" in body and "TZID:Europe/London" in body
    assert all(len(line.encode()) <= 75 for line in body.split("\r\n"))


def test_the_calendar_file_is_private_too(client, path):
    response = client.get(f"{path}reminders.ics", {"time": "07:30"})
    assert response["Referrer-Policy"] == "no-referrer"
    assert "noindex" in response["X-Robots-Tag"]
    assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize("time", ["25:00", "seven", "7.30pm"])
def test_a_bad_time_is_explained_on_the_page(client, path, time):
    response = client.get(f"{path}reminders.ics", {"time": time})
    assertContains(response, "Choose a time", status_code=400)
    assertContains(response, "Hi Maya", status_code=400)


def test_a_dead_link_gets_no_calendar(client, path, visit):
    ShareLink.replace(visit.client)
    assert client.get(f"{path}reminders.ics", {"time": "07:30"}).status_code == 404


@pytest.mark.parametrize("times", range(1, 7))
def test_spread_out_days_have_as_many_days_as_asked(times):
    assert len(WEEKDAYS_FOR[times]) == times


def test_first_day_finds_the_next_matching_weekday():
    from icalendar import vRecur

    tuesday = datetime.date(2026, 11, 24)
    assert first_day(vRecur(freq="WEEKLY", byday=["MO", "TH"]), tuesday) == datetime.date(2026, 11, 26)
    assert first_day(vRecur(freq="DAILY"), tuesday) == tuesday
