"""Reminders for the client's own calendar: one repeating event per homework item."""

from __future__ import annotations

import datetime
import zoneinfo

from django.conf import settings
from django.utils import translation
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext
from icalendar import Alarm, Calendar, Event, vRecur

from exercises.models import HowOften
from exercises.translations import supported

# Spread-out days for "N times a week", so there is a rest day between where possible.
WEEKDAYS_FOR = {
    1: ["MO"],
    2: ["MO", "TH"],
    3: ["MO", "WE", "FR"],
    4: ["MO", "TU", "TH", "SA"],
    5: ["MO", "TU", "WE", "FR", "SA"],
    6: ["MO", "TU", "WE", "TH", "FR", "SA"],
}
DEFAULT_WEEKS = 6
REMINDER_MINUTES = 10


def repeat_rule(item) -> vRecur | None:
    """How the reminder repeats, matching how often the item is to be done; None for
    "when symptoms appear", which gets no reminder."""
    if item.how_often in (HowOften.DAILY, HowOften.SEVERAL):  # one reminder a day either way
        return vRecur(freq="DAILY")
    if item.how_often == HowOften.WEEKLY and item.times_per_week:
        return vRecur(freq="WEEKLY", byday=WEEKDAYS_FOR[min(item.times_per_week, 6)])
    return None


def uid_for(item) -> str:
    # Keyed, so a UID doesn't reveal how many items the app holds.
    return f"homework-{salted_hmac('aftercare.reminder-uid', str(item.pk)).hexdigest()[:20]}@aftercare"


def first_day(rule: vRecur, starting: datetime.date) -> datetime.date:
    """The first day on or after `starting` that the rule repeats on: the event's start
    must be one of its own occurrences."""
    days = rule.get("BYDAY")
    if not days:
        return starting
    names = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]
    wanted = {names.index(day) for day in days}
    return next(
        starting + datetime.timedelta(days=n) for n in range(7) if (starting.weekday() + n) % 7 in wanted
    )


def reminders(
    items, *, at: datetime.time, starting: datetime.date, until: datetime.date | None, link_url: str,
    language: str | None = None, zone: str = "", byday: list[str] | None = None, feed: bool = False,
) -> bytes:
    """An RFC 5545 calendar with a repeating event for each item. A UID depends only on its
    item, so a second download (another time of day, a replaced link) updates the events
    rather than adding more. `byday` (the client's own days) overrides how often; `feed`
    marks a calendar subscription, asking calendar apps to look again every hour. In
    `language`, by default the client's (the items' visit and client come loaded with
    them, as handouts.visits_with_items() loads them)."""
    if language is None and items:
        language = items[0].visit.client.speaks
    with translation.override(supported(language)):
        return _calendar(items, at=at, starting=starting, until=until, link_url=link_url, zone=zone, byday=byday, feed=feed)


def _calendar(
    items, *, at: datetime.time, starting: datetime.date, until: datetime.date | None, link_url: str,
    zone: str, byday: list[str] | None, feed: bool,
) -> bytes:
    zone = zoneinfo.ZoneInfo(zone or settings.TIME_ZONE)
    until = until or starting + datetime.timedelta(weeks=DEFAULT_WEEKS)
    calendar = Calendar()
    calendar.add("prodid", "-//Aftercare//Homework reminders//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", gettext("Aftercare homework"))
    if feed:
        calendar.add("refresh-interval", datetime.timedelta(hours=1), parameters={"VALUE": "DURATION"})
        calendar.add("x-published-ttl", "PT1H")
    stamp = datetime.datetime.now(tz=datetime.timezone.utc)
    for item in items:
        rule = repeat_rule(item)
        if rule is None:
            continue
        if byday:
            rule = vRecur(freq="WEEKLY", byday=byday)
        rule["until"] = datetime.datetime.combine(until, at, tzinfo=zone).astimezone(datetime.timezone.utc)
        start = datetime.datetime.combine(first_day(rule, starting), at, tzinfo=zone)
        event = Event()
        event.add("uid", uid_for(item))
        event.add("dtstamp", stamp)
        event.add("dtstart", start)
        event.add("duration", datetime.timedelta(minutes=REMINDER_MINUTES))
        event.add("rrule", rule)
        name = item.exercise.in_language().name
        event.add("summary", gettext("%(exercise)s (your homework)") % {"exercise": name})
        details = [item.how_often_text(), item.dose_text(), item.note, gettext("Some times is better than no times."), link_url]
        event.add("description", "\n".join(part for part in details if part))
        event.add("url", link_url)
        event.add("transp", "TRANSPARENT")
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", gettext("Time for %(exercise)s") % {"exercise": name})
        alarm.add("trigger", datetime.timedelta(0))
        event.add_component(alarm)
        calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()
