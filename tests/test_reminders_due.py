"""Reminders go on time, once, kindly (aftercare/reminders.py): within a minute of the
chosen time in the client's zone, across daylight-saving changes (Europe/London and
America/New_York, time moved with time-machine); never twice for a day and channel; more
than two hours late is skipped; nothing after the link is turned off, the client deleted
or the homework ended; one message a day per channel, however many items."""

import datetime
import zoneinfo

import pytest
import time_machine
from django.core import mail

from aftercare import reminders
from aftercare.models import ShareLink
from aftercare.reminder_models import Channel, EmailStop, ReminderPlan, ReminderSent, address_hash
from aftercare.worker import run_queued_jobs
from exercises.models import HowOften
from tests.conftest import builtin, make_client, make_visit

LONDON = zoneinfo.ZoneInfo("Europe/London")
NEW_YORK = zoneinfo.ZoneInfo("America/New_York")


def plan_for(client, at="07:30", days="0123456", zone="", email="maya@example.com"):
    return ReminderPlan.objects.create(
        client=client, at=datetime.time.fromisoformat(at), days=days, time_zone=zone,
        email=email, email_confirmed_at=datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc),
    )


@pytest.fixture
def homework(client_, therapist):
    visit = make_visit(client_, "headaches", therapist=therapist, date=datetime.date(2026, 3, 20), rebook_weeks=8)
    visit.assign(builtin("tennis-ball-suboccipital-release"), how_often=HowOften.DAILY)
    visit.assign(builtin("doorway-pec-stretch"), how_often=HowOften.WEEKLY, times_per_week=3)
    ShareLink.issue(client_)
    return visit


def run_minute(local: datetime.datetime) -> list:
    """The schedule's job for the minute `local`, run at that moment, and its batches."""
    mail.outbox.clear()
    with time_machine.travel(local, tick=False):
        minute = local.astimezone(datetime.timezone.utc).replace(second=0, microsecond=0)
        reminders.send_due_reminders.call(minute=minute.isoformat())
        run_queued_jobs()
    return list(mail.outbox)


def test_a_reminder_goes_at_the_chosen_minute_and_not_before(homework, client_):
    plan_for(client_)
    assert run_minute(datetime.datetime(2026, 3, 24, 7, 29, tzinfo=LONDON)) == []
    sent = run_minute(datetime.datetime(2026, 3, 24, 7, 30, tzinfo=LONDON))
    assert [m.to for m in sent] == [["maya@example.com"]]
    # One message, naming both items.
    assert "Tennis ball release" in sent[0].body
    assert "Doorway" in sent[0].body
    assert "Some times is better than no times." in sent[0].body
    # The next minute, and later the same day: nothing more.
    assert run_minute(datetime.datetime(2026, 3, 24, 7, 31, tzinfo=LONDON)) == []
    assert run_minute(datetime.datetime(2026, 3, 24, 9, 0, tzinfo=LONDON)) == []
    row = ReminderSent.objects.get()
    assert (row.channel, row.day, row.sent_at is not None) == (Channel.EMAIL, datetime.date(2026, 3, 24), True)


@pytest.mark.parametrize("zone, before, after", [
    # Europe/London: clocks go forward on 29 March 2026 and back on 25 October 2026.
    (LONDON, datetime.date(2026, 3, 28), datetime.date(2026, 3, 30)),
    (LONDON, datetime.date(2026, 10, 24), datetime.date(2026, 10, 26)),
    # America/New_York: forward on 8 March 2026, back on 1 November 2026.
    (NEW_YORK, datetime.date(2026, 3, 7), datetime.date(2026, 3, 9)),
    (NEW_YORK, datetime.date(2026, 10, 31), datetime.date(2026, 11, 2)),
])
def test_the_time_is_the_clients_wall_clock_on_both_sides_of_a_daylight_saving_change(
    client_, therapist, zone, before, after
):
    visit = make_visit(client_, therapist=therapist, date=before - datetime.timedelta(days=3), rebook_weeks=8)
    visit.assign(builtin("doorway-pec-stretch"), how_often=HowOften.DAILY)
    ShareLink.issue(client_)
    plan_for(client_, zone=zone.key)
    for day in (before, before + datetime.timedelta(days=1), after):
        at = datetime.datetime.combine(day, datetime.time(7, 30), tzinfo=zone)
        assert run_minute(at - datetime.timedelta(minutes=1)) == [], f"early on {day}"
        assert len(run_minute(at)) == 1, f"not sent at 07:30 on {day}"
    # The UTC hour moved across the change; the wall clock didn't.
    utc_hours = {
        row.day: row.sent_at.astimezone(datetime.timezone.utc).hour for row in ReminderSent.objects.all()
    }
    assert utc_hours[before] != utc_hours[after]


def test_a_time_the_spring_change_skips_comes_as_the_clock_jumps(homework, client_):
    plan_for(client_, at="01:30")  # London's clocks go 01:00 -> 02:00 on 29 March 2026
    day = datetime.date(2026, 3, 29)
    assert run_minute(datetime.datetime(2026, 3, 29, 0, 59, tzinfo=LONDON)) == []
    jump = datetime.datetime(2026, 3, 29, 1, 0, tzinfo=datetime.timezone.utc)  # 02:00 BST
    assert len(run_minute(jump)) == 1
    assert ReminderSent.objects.get().day == day


def test_a_time_the_autumn_change_shows_twice_is_sent_once(homework, client_):
    homework.date = datetime.date(2026, 10, 20)
    homework.save()
    plan_for(client_, at="01:30")  # London shows 01:00-02:00 twice on 25 October 2026
    first = datetime.datetime(2026, 10, 25, 0, 30, tzinfo=datetime.timezone.utc)  # 01:30 BST
    second = datetime.datetime(2026, 10, 25, 1, 30, tzinfo=datetime.timezone.utc)  # 01:30 GMT
    assert len(run_minute(first)) == 1
    assert run_minute(second) == []


def test_the_phones_zone_is_used_when_the_page_knows_it(homework, client_):
    plan_for(client_, zone="America/New_York")
    assert run_minute(datetime.datetime(2026, 4, 2, 7, 30, tzinfo=LONDON)) == []
    assert len(run_minute(datetime.datetime(2026, 4, 2, 7, 30, tzinfo=NEW_YORK))) == 1


def test_a_reminder_missed_by_a_worker_down_for_a_while_goes_when_it_is_back_within_two_hours(homework, client_):
    plan_for(client_)
    assert len(run_minute(datetime.datetime(2026, 4, 2, 9, 15, tzinfo=LONDON))) == 1


def test_a_reminder_more_than_two_hours_late_is_skipped_not_sent_at_night(homework, client_):
    plan_for(client_, at="21:00")
    assert run_minute(datetime.datetime(2026, 4, 2, 23, 5, tzinfo=LONDON)) == []
    assert not ReminderSent.objects.exists()


def test_a_batch_job_that_runs_more_than_two_hours_late_sends_nothing(homework, client_):
    plan_for(client_)
    minute = datetime.datetime(2026, 4, 2, 7, 30, tzinfo=LONDON)
    with time_machine.travel(minute + datetime.timedelta(hours=2, minutes=5), tick=False):
        result = reminders.send_reminders.call(Channel.EMAIL, [client_.pk], minute.astimezone(datetime.timezone.utc).isoformat())
    assert result == {"skipped": "more than two hours late"}
    assert mail.outbox == []


def test_only_on_the_days_chosen(homework, client_):
    plan_for(client_, days="024")  # Mon, Wed, Fri
    tuesday = datetime.datetime(2026, 3, 31, 7, 30, tzinfo=LONDON)
    assert run_minute(tuesday) == []
    assert len(run_minute(tuesday + datetime.timedelta(days=1))) == 1


def test_nothing_after_the_link_is_turned_off(homework, client_):
    plan_for(client_)
    ShareLink.objects.filter(client=client_).update(revoked_at=datetime.datetime(2026, 3, 21, tzinfo=datetime.timezone.utc))
    assert run_minute(datetime.datetime(2026, 4, 2, 7, 30, tzinfo=LONDON)) == []


def test_nothing_after_the_homework_has_ended(homework, client_):
    plan_for(client_)
    # Rebook in 8 weeks from 20 March: 15 May; reminders carry on a week past it.
    assert len(run_minute(datetime.datetime(2026, 5, 22, 7, 30, tzinfo=LONDON))) == 1
    assert run_minute(datetime.datetime(2026, 5, 23, 7, 30, tzinfo=LONDON)) == []


def test_nothing_for_a_client_deleted_after_the_minutes_job(homework, client_):
    plan_for(client_)
    minute = datetime.datetime(2026, 4, 2, 7, 30, tzinfo=LONDON)
    with time_machine.travel(minute, tick=False):
        reminders.send_due_reminders.call(minute=minute.astimezone(datetime.timezone.utc).isoformat())
        client_.delete()
        run_queued_jobs()
    assert mail.outbox == []


def test_nothing_to_an_unconfirmed_or_stopped_address(homework, client_):
    plan = plan_for(client_)
    ReminderPlan.objects.filter(pk=plan.pk).update(email_confirmed_at=None)
    assert run_minute(datetime.datetime(2026, 4, 2, 7, 30, tzinfo=LONDON)) == []
    ReminderPlan.objects.filter(pk=plan.pk).update(email_confirmed_at=datetime.datetime(2026, 4, 1, tzinfo=datetime.timezone.utc))
    EmailStop.objects.create(address_hash=address_hash("MAYA@example.com "))
    assert run_minute(datetime.datetime(2026, 4, 3, 7, 30, tzinfo=LONDON)) == []


def test_nothing_is_sent_until_the_client_asks(homework, client_):
    ReminderPlan.objects.create(client=client_, days="0123456", email="maya@example.com")
    assert run_minute(datetime.datetime(2026, 4, 2, 19, 0, tzinfo=LONDON)) == []


def test_one_message_a_day_per_client_even_when_several_minutes_find_it(homework, client_):
    plan_for(client_)
    minute = datetime.datetime(2026, 4, 2, 7, 30, tzinfo=LONDON)
    with time_machine.travel(minute, tick=False):
        for late in (0, 1, 2):  # three minutes' jobs, all run before any batch
            at = minute + datetime.timedelta(minutes=late)
            reminders.send_due_reminders.call(minute=at.astimezone(datetime.timezone.utc).isoformat())
        run_queued_jobs()
    assert len(mail.outbox) == 1


def test_a_batch_run_again_after_its_worker_was_lost_sends_nothing_twice(homework, client_):
    """A worker killed mid-send: its job runs again on another; the claim stops a second send."""
    plan_for(client_)
    other = make_client(client_.clinic, "Ana", email="ana@example.com")
    visit = make_visit(other, date=datetime.date(2026, 3, 20))
    visit.assign(builtin("doorway-pec-stretch"), how_often=HowOften.DAILY)
    ShareLink.issue(other)
    plan_for(other, email="ana@example.com")
    minute = datetime.datetime(2026, 4, 2, 7, 30, tzinfo=LONDON)
    iso = minute.astimezone(datetime.timezone.utc).isoformat()
    with time_machine.travel(minute, tick=False):
        first = reminders.send_reminders.call(Channel.EMAIL, [client_.pk, other.pk], iso)
        again = reminders.send_reminders.call(Channel.EMAIL, [client_.pk, other.pk], iso)
    assert first["sent"] == 2 and again["sent"] == 0
    assert sorted(m.to[0] for m in mail.outbox) == ["ana@example.com", "maya@example.com"]


def test_a_claim_left_by_a_killed_worker_is_never_sent_again(homework, client_):
    plan_for(client_)
    ReminderSent.objects.create(client=client_, channel=Channel.EMAIL, day=datetime.date(2026, 4, 2), batch="killed")
    assert run_minute(datetime.datetime(2026, 4, 2, 7, 30, tzinfo=LONDON)) == []


def test_when_symptoms_appear_homework_sets_no_days(client_, therapist):
    visit = make_visit(client_, therapist=therapist)
    item = visit.assign(builtin("psoas-release"), how_often=HowOften.AS_NEEDED)
    assert reminders.default_days([item]) == ""
    item.how_often, item.times_per_week = HowOften.WEEKLY, 3
    assert reminders.default_days([item]) == "024"


def test_a_client_whose_homework_ended_is_settled_for_the_day_once(homework, client_):
    plan_for(client_)
    minute = datetime.datetime(2026, 6, 1, 7, 30, tzinfo=LONDON)  # long after the homework ended
    assert run_minute(minute) == []
    later = (minute + datetime.timedelta(minutes=1)).astimezone(datetime.timezone.utc)
    assert reminders.due_clients(later) == {}, "the next minutes don't look at them again"
    assert ReminderSent.objects.get().sent_at is None
