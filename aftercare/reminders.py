"""Reminders that reach the client (issue 14): the rules, the due-reminder query and the
sending, on the job engine's worker and schedule.

- **What is due.** Every minute the schedule runs `send_due_reminders` (one worker takes
  each minute, aftercare/worker.py). It looks for plans whose time today, in the client's
  own zone (the phone's, else the clinic's TIME_ZONE), fell in the last two hours up to
  this minute, on one of the client's days, with no reminder claimed yet for that local
  day and channel. The time is a wall-clock time, so it follows daylight saving: 07:30 is
  07:30 on both sides of a change. A reminder more than two hours late (workers down) is
  skipped, not sent in the night.
- **Once.** The due clients are handed out in batches (REMINDER_BATCH) as jobs, so several
  workers share a busy minute. A batch first *claims* each reminder by inserting its row
  (client, channel, local day) into `ReminderSent`, whose unique constraint turns away a
  second claim from any worker; only then does it send. A worker killed mid-send leaves
  its claims behind, so a reminder is sent at most once, never twice.
- **Only what should go.** Nothing for a client whose link is revoked or expired, who was
  deleted (their rows go with them), whose homework has ended (`homework_end`), or whose
  address said stop (`EmailStop`) or was never confirmed.
"""

from __future__ import annotations

import datetime
import logging
import secrets
import uuid
import zoneinfo
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db.models import Exists, OuterRef, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.dates import WEEKDAYS_ABBR
from django.utils.formats import date_format
from django.utils.text import get_text_list
from django.utils.translation import gettext, gettext_lazy, pgettext
from django_tasks import task

from aftercare import audit
from aftercare.calendar import DEFAULT_WEEKS, WEEKDAYS_FOR
from aftercare.reminder_models import (
    Channel, EmailStop, PushSubscription, ReminderPlan, ReminderSent, address_hash,
)
from exercises.models import HowOften
from exercises.translations import supported
from outbox.mail import one_line, send_once

logger = logging.getLogger("aftercare.reminders")

LATE = datetime.timedelta(hours=2)
# Django's own short weekday names, translated by its own catalogues ("lun.", "Mo").
DAY_NAMES = [WEEKDAYS_ABBR[day] for day in range(7)]
EVERY_DAY = gettext_lazy("every day")
DAY_CODES = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]
DEFAULT_TIME = datetime.time(19, 0)
CONFIRM_SALT = "aftercare.reminders.confirm"
STOP_SALT = "aftercare.reminders.stop"
CONFIRM_DAYS = 3


# --- the rules -----------------------------------------------------------------------


@lru_cache(maxsize=64)
def zone_named(name: str) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(name or settings.TIME_ZONE)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo(settings.TIME_ZONE)


@lru_cache(maxsize=1)
def zone_names() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def repeating(items) -> list:
    """The items a reminder names: those given daily or some days a week (never "when
    symptoms appear" ones, which remind nobody)."""
    return [item for item in items if item.how_often != HowOften.AS_NEEDED]


def default_days(items) -> str:
    """The days that follow the homework: every day for a daily item, the calendar file's
    spread-out days for "N times a week", none when every item is "when symptoms appear"."""
    items = list(items)
    if any(item.how_often in (HowOften.DAILY, HowOften.SEVERAL) for item in items):
        return "0123456"
    times = max((item.times_per_week or 0 for item in items if item.how_often == HowOften.WEEKLY), default=0)
    if times:
        return "".join(str(DAY_CODES.index(code)) for code in WEEKDAYS_FOR[min(times, 6)])
    return ""


def homework_end(visit) -> datetime.date:
    """The last day reminders go for a visit's homework. There is no booking model: the
    next session is the visit's "rebook in" date, and reminders carry on for a week past
    it (a session booked a little late); without one, DEFAULT_WEEKS (six) from the visit,
    as the calendar file does."""
    if visit.rebook_by:
        return visit.rebook_by + datetime.timedelta(weeks=1)
    return visit.date + datetime.timedelta(weeks=DEFAULT_WEEKS)


def due_day(plan: ReminderPlan, minute: datetime.datetime) -> datetime.date | None:
    """The client's local day whose reminder is due at `minute`: their clock passed the
    chosen time within the last two hours, on one of their days. None when nothing is due.

    Read on the wall clock, so daylight saving needs nothing of its own: a time the spring
    change skips comes as the clock jumps past it, and one the autumn change shows twice
    comes the first time (the day's claim keeps the second away)."""
    if plan.at is None:
        return None
    zone = zone_named(plan.time_zone)
    start = (minute - LATE).astimezone(zone).replace(tzinfo=None)
    end = minute.astimezone(zone).replace(tzinfo=None)
    for day in sorted({start.date(), end.date()}):
        if day.weekday() in plan.weekdays and start < datetime.datetime.combine(day, plan.at) <= end:
            return day
    return None


def days_text(days: str) -> str:
    """A plan's days in the active language: "Mon, Wed, Fri", or "every day"."""
    if len(days) >= 7:
        return str(EVERY_DAY)
    return ", ".join(str(DAY_NAMES[int(d)]) for d in days)


def names_text(items) -> str:
    """The items' exercise names as a sentence in the active language ("A and B")."""
    return str(get_text_list([item.exercise.name for item in items], gettext("and")))


def client_language(client) -> str:
    """The language everything a client receives is in (see docs/translating.md)."""
    return supported(client.speaks)


def in_language(items: list, language: str) -> list:
    """The items with their exercise's texts in `language` (unsaved copies, as the link
    page shows them)."""
    for item in items:
        item.exercise = item.exercise.in_language(language)
    return items


def masked(email: str) -> str:
    """An address as the client's page shows it: enough to recognise, not to read off."""
    name, _, domain = email.partition("@")
    return f"{name[:1]}•••@{domain}" if domain else ""


# --- tokens in emails -----------------------------------------------------------------


# Both tokens carry the client's language ("l") when it is known, so the pages they open
# speak it without a query; a token without one (older emails) opens in the browser's.


def confirm_token(plan: ReminderPlan, language: str = "") -> str:
    data = {"c": plan.client_id, "a": address_hash(plan.email)[:24], "n": plan.email_nonce}
    return signing.dumps({**data, "l": language} if language else data, salt=CONFIRM_SALT)


def stop_token(client_id: int, email: str, language: str = "") -> str:
    # No expiry: a stop link works as long as the emails it came with might be read.
    data = {"c": client_id, "a": address_hash(email)[:24]}
    return signing.dumps({**data, "l": language} if language else data, salt=STOP_SALT)


def token_language(data: dict) -> str | None:
    """The language a token says its client reads, if it is one the app speaks."""
    from exercises.translations import language_for

    return language_for(data.get("l")) if isinstance(data.get("l"), str) else None


class BadToken(Exception):
    pass


def read_token(token: str, salt: str, max_age: datetime.timedelta | None = None) -> dict:
    try:
        data = signing.loads(token, salt=salt, max_age=max_age)
    except signing.SignatureExpired:
        raise BadToken("expired") from None
    except (signing.BadSignature, ValueError, TypeError):
        raise BadToken("tampered") from None
    if not isinstance(data, dict) or not isinstance(data.get("c"), int) or not isinstance(data.get("a"), str):
        raise BadToken("tampered")
    return data


# --- what the client chooses ----------------------------------------------------------


def plan_for(client) -> ReminderPlan:
    return ReminderPlan.objects.get_or_create(client=client)[0]


def ask_to_confirm(plan: ReminderPlan, site_url: str) -> bool:
    """Send the confirmation email (double opt-in) for the plan's address, from a job; a
    new nonce makes any earlier confirmation link stale. False when this client has asked
    for too many today (nothing is sent)."""
    from django.core.cache import cache

    key = f"reminder-confirmations:{plan.client_id}:{timezone.localdate()}"
    cache.add(key, 0, 60 * 60 * 24)
    try:
        count = cache.incr(key)
    except ValueError:
        count = 1
    if count > settings.REMINDER_CONFIRMATIONS_PER_DAY:
        return False
    plan.email_nonce = secrets.token_hex(8)
    plan.email_confirmed_at = None
    plan.save(update_fields=["email_nonce", "email_confirmed_at", "updated_at"])
    send_confirmation.enqueue(plan.client_id, plan.email_nonce, site_url)
    return True


def confirm(token: str) -> tuple[str, ReminderPlan | None]:
    """Turn email reminders on from a confirmation link: ("confirmed" | "already" | "stale"
    | "expired" | "tampered", plan)."""
    try:
        data = read_token(token, CONFIRM_SALT, max_age=datetime.timedelta(days=CONFIRM_DAYS))
    except BadToken as error:
        return str(error), None
    plan = ReminderPlan.objects.select_related("client").filter(client=data["c"]).first()
    if plan is None or not plan.email or address_hash(plan.email)[:24] != data["a"]:
        return "stale", None
    if plan.email_confirmed_at and not plan.email_nonce:
        return "already", plan
    if not data.get("n") or data["n"] != plan.email_nonce:
        return "stale", plan
    updated = ReminderPlan.objects.filter(pk=plan.pk, email_nonce=data["n"]).update(
        email_confirmed_at=timezone.now(), email_nonce="", updated_at=timezone.now()
    )
    if not updated:  # the same link, twice at once
        return "already", plan
    EmailStop.objects.filter(address_hash=address_hash(plan.email)).delete()
    audit.client_event(plan.client_id, plan.client.clinic_id, audit.Action.REMINDER_OPT_IN, "email").save()
    return "confirmed", plan


def stop_email(token: str) -> str:
    """The stop link (and RFC 8058 one-click): the address gets nothing more, from any
    clinic, until it confirms again. "stopped" | "tampered"; a stop twice is a stop."""
    try:
        data = read_token(token, STOP_SALT)
    except BadToken as error:
        return str(error)
    plan = ReminderPlan.objects.select_related("client").filter(client=data["c"]).first()
    stopped_now = False
    if plan and plan.email and address_hash(plan.email)[:24] == data["a"]:
        EmailStop.objects.get_or_create(address_hash=address_hash(plan.email))
        stopped_now = bool(
            ReminderPlan.objects.filter(pk=plan.pk).exclude(email_confirmed_at=None, email_nonce="").update(
                email_confirmed_at=None, email_nonce="", updated_at=timezone.now()
            )
        )
    if stopped_now:
        audit.client_event(plan.client_id, plan.client.clinic_id, audit.Action.REMINDERS_STOPPED, "email").save()
    return "stopped"


def stop_all(client) -> None:
    """One tap on the page: no time, no email, no phones."""
    plan = ReminderPlan.objects.filter(client=client).first()
    if plan:
        plan.at = None
        plan.email_confirmed_at = None
        plan.email_nonce = ""
        plan.save(update_fields=["at", "email_confirmed_at", "email_nonce", "updated_at"])
    PushSubscription.objects.filter(client=client).delete()
    audit.client_event(client.pk, client.clinic_id, audit.Action.REMINDERS_STOPPED, "all").save()


# --- what the therapist sees ----------------------------------------------------------


@dataclass(frozen=True)
class Summary:
    ways: list[str]
    at: datetime.time | None
    days: str
    last_sent: datetime.datetime | None


def summary(client) -> Summary | None:
    """Which ways the client chose and when the last reminder went (never whether it was
    read). One query."""
    from django.db.models import Subquery

    last = ReminderSent.objects.filter(client=OuterRef("client"), sent_at__isnull=False).order_by("-sent_at")
    plan = (
        ReminderPlan.objects.filter(client=client)
        .annotate(
            phones=Exists(PushSubscription.objects.filter(client=OuterRef("client"))),
            last_sent=Subquery(last.values("sent_at")[:1]),
        )
        .first()
    )
    if plan is None:
        return None
    ways = []
    if plan.emails_on:
        ways.append(gettext("email"))
    elif plan.email_waiting:
        ways.append(gettext("email (not confirmed yet)"))
    if plan.phones:
        ways.append(gettext("phone notifications"))
    if plan.calendar_fetched_at:
        looked = date_format(timezone.localtime(plan.calendar_fetched_at), pgettext("day and short month", "j M"))
        ways.append(gettext("calendar (last looked %(day)s)") % {"day": looked})
    return Summary(ways=ways if plan.at or plan.calendar_fetched_at else [], at=plan.at, days=days_text(plan.days), last_sent=plan.last_sent)


# --- what is due ------------------------------------------------------------------------


def due_clients(minute: datetime.datetime) -> dict[str, list[int]]:
    """Client ids with a reminder due at `minute` on each channel, not yet claimed. One
    query per zone in use and channel (a handful), then an exact check of each candidate's
    moment in Python (daylight saving included)."""
    from aftercare.models import ShareLink

    zones = list(ReminderPlan.objects.filter(at__isnull=False).values_list("time_zone", flat=True).distinct())
    due: dict[str, list[int]] = {Channel.EMAIL: [], Channel.PUSH: []}
    for name in zones:
        zone = zone_named(name)
        start, end = (minute - LATE).astimezone(zone), minute.astimezone(zone)
        for day in sorted({start.date(), end.date()}):
            # The same wall-clock window as due_day(), as a filter.
            window = Q(at__lte=end.time()) if day == end.date() else Q()
            if day == start.date():
                window &= Q(at__gt=start.time())
            candidates = ReminderPlan.objects.filter(
                window, time_zone=name, days__contains=str(day.weekday()),
                client__in=ShareLink.objects.live().values("client"),
            )
            for channel, ready in (
                (Channel.EMAIL, Q(email_confirmed_at__isnull=False) & ~Q(email="")),
                (Channel.PUSH, Q(Exists(PushSubscription.objects.filter(client=OuterRef("client"))))),
            ):
                rows = candidates.filter(ready).exclude(
                    Exists(ReminderSent.objects.filter(client=OuterRef("client"), channel=channel, day=day))
                ).only("client_id", "at", "days", "time_zone")
                due[channel].extend(plan.client_id for plan in rows if due_day(plan, minute) == day)
    return {channel: sorted(set(ids)) for channel, ids in due.items() if ids}


@task
def send_due_reminders(minute: str) -> dict:
    """The schedule's every-minute job: hand the due reminders to batch jobs."""
    at = datetime.datetime.fromisoformat(minute)
    if timezone.now() - at > LATE:
        return {"skipped": "more than two hours late"}
    handed = {}
    for channel, ids in due_clients(at).items():
        size = settings.REMINDER_BATCH
        for start in range(0, len(ids), size):
            send_reminders.enqueue(channel, ids[start:start + size], minute)
        handed[channel] = len(ids)
    return handed


@dataclass
class Reminder:
    plan: ReminderPlan
    client: object
    day: datetime.date
    link: object
    visit: object
    items: list


def _latest_homework(client_ids) -> dict[int, tuple]:
    """Each client's newest visit with homework and its items: two queries for all."""
    from aftercare.models import HomeworkItem, Visit

    latest = {}
    for visit in Visit.objects.filter(client__in=client_ids).with_homework().order_by("client_id", "-date", "-created_at"):
        latest.setdefault(visit.client_id, visit)
    items: dict[int, list] = {}
    for item in HomeworkItem.objects.filter(visit__in=[v.pk for v in latest.values()]).select_related("exercise"):
        items.setdefault(item.visit_id, []).append(item)
    return {client_id: (visit, items.get(visit.pk, [])) for client_id, visit in latest.items()}


def reminders_due(channel: str, client_ids, minute: datetime.datetime) -> list[Reminder]:
    """The batch's reminders that should still go, checked afresh (a client may have
    stopped, been deleted or had their link turned off since the minute's job)."""
    from aftercare.models import ShareLink

    plans = list(ReminderPlan.objects.filter(client__in=client_ids).select_related("client__clinic"))
    links = {link.client_id: link for link in ShareLink.objects.live().filter(client__in=client_ids)}
    homework = _latest_homework(client_ids)
    stopped = set()
    if channel == Channel.EMAIL:
        hashes = {address_hash(plan.email) for plan in plans if plan.email}
        stopped = set(EmailStop.objects.filter(address_hash__in=hashes).values_list("address_hash", flat=True))
    found, ended = [], []
    for plan in plans:
        day = due_day(plan, minute)
        visit, items = homework.get(plan.client_id, (None, []))
        if day is None or plan.client_id not in links:
            continue
        if not items or day > homework_end(visit):
            ended.append(ReminderSent(client_id=plan.client_id, channel=channel, day=day, batch="homework-ended"))
            continue
        if channel == Channel.EMAIL and (not plan.emails_on or address_hash(plan.email) in stopped):
            continue
        found.append(Reminder(plan, plan.client, day, links[plan.client_id], visit, repeating(items) or items))
    # The day is settled for these too (nothing to send), so the next minutes' jobs don't
    # look at them again; their rows never get a sent_at.
    ReminderSent.objects.bulk_create(ended, ignore_conflicts=True)
    return found


def claim(channel: str, reminders: list[Reminder]) -> tuple[list[Reminder], str]:
    """Insert each reminder's row; keep those this batch inserted (and the batch's name).
    Two queries."""
    batch = uuid.uuid4().hex
    ReminderSent.objects.bulk_create(
        [ReminderSent(client_id=r.plan.client_id, channel=channel, day=r.day, batch=batch) for r in reminders],
        ignore_conflicts=True,
    )
    ours = set(ReminderSent.objects.filter(batch=batch).values_list("client_id", flat=True))
    return [r for r in reminders if r.plan.client_id in ours], batch


def reminder_email(reminder: Reminder, site_url: str) -> EmailMultiAlternatives:
    """The reminder email, every word of it in the client's language."""
    language = client_language(reminder.client)
    with translation.override(language):
        in_language(reminder.items, language)
        return _reminder_email(reminder, site_url)


def _reminder_email(reminder: Reminder, site_url: str) -> EmailMultiAlternatives:
    client, clinic = reminder.client, reminder.client.clinic
    page = f"{site_url}{reminder.link.path}"
    stop = f"{site_url}{reverse('reminder-stop', args=[stop_token(client.pk, reminder.plan.email, translation.get_language())])}"
    context = {
        "client": client, "clinic": clinic, "items": reminder.items, "page": page, "stop": stop,
        "done": [(item, f"{page}#tick-{item.pk}") for item in reminder.items],
    }
    subject = gettext("A reminder from %(clinic)s: %(exercises)s") % {
        "clinic": clinic.name, "exercises": names_text(reminder.items),
    }
    message = EmailMultiAlternatives(
        subject=one_line(subject),
        body=render_to_string("emails/reminder.txt", context),
        to=[reminder.plan.email],
        reply_to=[clinic.email] if clinic.email else None,
        headers={"List-Unsubscribe": f"<{stop}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"},
    )
    message.attach_alternative(render_to_string("emails/reminder.html", context), "text/html")
    return message


def push_payload(reminder: Reminder, site_url: str) -> dict:
    """The phone notification, in the client's language."""
    language = client_language(reminder.client)
    with translation.override(language):
        in_language(reminder.items, language)
        return {
            "title": (gettext("Time for %(exercises)s") % {"exercises": names_text(reminder.items)})[:120],
            "body": gettext("A few minutes whenever suits you. Some times is better than no times."),
            "url": f"{site_url}{reminder.link.path}",
        }


@task
def send_reminders(channel: str, client_ids: list[int], minute: str) -> dict:
    """Send one batch: check, claim, send, record. Safe to run again: a claimed reminder is
    never sent twice."""
    from aftercare import webpush
    from aftercare.audit import AuditEvent

    at = datetime.datetime.fromisoformat(minute)
    if timezone.now() - at > LATE:
        return {"skipped": "more than two hours late"}
    mine, batch = claim(channel, reminders_due(channel, client_ids, at))
    site_url = settings.AFTERCARE_SITE_URL
    sent, failed = [], 0
    if channel == Channel.EMAIL and mine:
        with get_connection() as connection:
            for reminder in mine:
                try:
                    connection.send_messages([reminder_email(reminder, site_url)])
                except Exception:
                    failed += 1
                    logger.exception("A reminder email to client #%s failed (not tried again today)", reminder.plan.client_id)
                else:
                    sent.append(reminder)
    elif channel == Channel.PUSH and mine:
        phones: dict[int, list] = {}
        for subscription in PushSubscription.objects.filter(client__in=[r.plan.client_id for r in mine]):
            phones.setdefault(subscription.client_id, []).append(subscription)
        for reminder in mine:
            payload = push_payload(reminder, site_url)
            delivered = [webpush.send(subscription, payload) for subscription in phones.get(reminder.plan.client_id, [])]
            if any(delivered):
                sent.append(reminder)
            else:
                failed += 1
    now = timezone.now()
    ReminderSent.objects.filter(batch=batch, client__in=[r.plan.client_id for r in sent]).update(sent_at=now)
    AuditEvent.objects.bulk_create([
        audit.client_event(r.plan.client_id, r.client.clinic_id, audit.Action.REMINDER_SENT,
                           f"{Channel(channel).label}, {timezone.localtime(now):%H:%M}")
        for r in sent
    ])
    return {"sent": len(sent), "failed": failed, "claimed elsewhere": len(client_ids) - len(mine)}


@task
def send_confirmation(client_id: int, nonce: str, site_url: str, attempt: int = 1) -> str:
    """The double opt-in email: once per nonce, whatever runs it again (outbox.mail.send_once:
    a mail server's "not now" is tried again, a worker lost mid-send sends no second copy)."""

    def make():
        plan = ReminderPlan.objects.select_related("client__clinic").filter(client=client_id).first()
        if plan is None or not plan.email or plan.email_nonce != nonce:
            return "stale"
        clinic = plan.client.clinic
        language = client_language(plan.client)
        context = {
            "client": plan.client, "clinic": clinic,
            "confirm": f"{site_url}{reverse('reminder-confirm', args=[confirm_token(plan, language)])}",
            "days": CONFIRM_DAYS,
        }
        with translation.override(language):
            message = EmailMultiAlternatives(
                subject=one_line(gettext("Confirm your homework reminders from %(clinic)s") % {"clinic": clinic.name}),
                body=render_to_string("emails/reminder_confirm.txt", context),
                to=[plan.email],
                reply_to=[clinic.email] if clinic.email else None,
            )
            message.attach_alternative(render_to_string("emails/reminder_confirm.html", context), "text/html")
        return message

    def again(when):
        send_confirmation.using(run_after=when).enqueue(client_id, nonce, site_url, attempt + 1)

    return send_once(f"reminder-confirm-{nonce}", make, attempt=attempt, again=again)


# --- the link page's part -------------------------------------------------------------


def page_part(client, latest, items, token: str, form=None) -> dict:
    """What templates/link/_reminders.html needs. No query: the plan comes with the page's
    homework (link_page._page_visits) and is part of the page's change stamp."""
    from urllib.parse import urlsplit

    from aftercare import webpush
    from aftercare.reminder_forms import ReminderSettingsForm

    plan = getattr(client, "reminder_plan", None)
    suggested = latest.reminder_time if latest else None
    chosen = plan is not None and plan.at is not None
    at = plan.at if chosen else suggested or DEFAULT_TIME
    days = plan.days if chosen else default_days(items)
    if form is None:
        form = ReminderSettingsForm(
            initial={"at": at, "days": [int(d) for d in days], "by_email": bool(plan and plan.email)},
            known_email=client.email,
        )
    site = settings.AFTERCARE_SITE_URL
    feed = reverse("client-calendar", args=[token])
    return {
        "reminder_plan": plan,
        "reminders_chosen": chosen,
        "reminder_settings": form,
        "reminder_days": days_text(plan.days) if chosen else str(EVERY_DAY),
        "suggested_time": suggested,
        "suggested_words": latest.reminder_words if latest else "",
        "known_email": masked(client.email),
        "plan_email": masked(plan.email) if plan and plan.email else "",
        "webcal_url": f"webcal://{urlsplit(site).netloc}{feed}",
        "calendar_url": f"{site}{feed}",
        "push_key": webpush.public_key(),
    }


def share_text(client, clinic_name: str, visit, url: str) -> str:
    """What the therapist sends through their own phone's apps (no SMS provider is set up):
    the link, and the suggested reminder time when there is one."""
    with translation.override(client_language(client)):
        text = gettext("Hi %(name)s, here's your homework from %(clinic)s: %(url)s") % {
            "name": client.first_name, "clinic": clinic_name, "url": url,
        }
        if visit.reminder_time:
            when = f"{visit.reminder_time:%H:%M}" + (f", {visit.reminder_words}" if visit.reminder_words else "")
            text += " " + gettext("You can set a reminder there; we thought %(when)s might suit you.") % {"when": when}
    return text
