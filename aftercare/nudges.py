"""A gentle nudge, on the therapist's say-so: from the week page, a kind line to a client
who has gone quiet, at most once a week per client, never sent by the app on its own.

`Nudge.send()` records it (the database holds one per client per calendar week, and the
client's row is locked so the last seven days are checked without a race) with its audit
entry (who, when, which way), and the job `send_nudge` delivers it.

Delivery goes the way the client chose for their reminders (aftercare/reminders.py): their
confirmed reminder address, else this phone's notifications when they subscribed one;
when they chose neither, the address on their record, as "Email the link" uses it. An
address that said stop (`EmailStop`) gets nothing, whichever way it came. Email goes
through the engine's send-once path (outbox.mail.send_once: one key per nudge, a "not now"
from the mail server tried again later); `Nudge.way` records which way it went."""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import IntegrityError, models, transaction
from django.db.models import Q
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext, gettext_lazy, pgettext
from django_tasks import task

logger = logging.getLogger("aftercare.nudges")

NUDGE_LENGTH = 600
NUDGE_GAP = datetime.timedelta(days=7)
NO_WAY = (
    "{name} has no way to be reached yet: they haven't turned on reminders on their page, and "
    "there is no email address on their record (or it asked us to stop). Add one, then nudge."
)


class Way(models.TextChoices):
    EMAIL = "email", gettext_lazy("by email")
    PUSH = "push", gettext_lazy("on their phone")


class Nudge(models.Model):
    client = models.ForeignKey("clients.Client", on_delete=models.CASCADE, related_name="nudges")
    therapist = models.ForeignKey(
        "clients.Therapist", on_delete=models.SET_NULL, null=True, blank=True, related_name="nudges"
    )
    way = models.CharField(max_length=10, choices=Way.choices)
    text = models.TextField(max_length=NUDGE_LENGTH)
    # The Monday of the week it was sent in: one nudge per client per week, held by the
    # database whoever writes the row.
    week = models.DateField()
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["client", "week"], name="nudge_once_a_week"),
            models.CheckConstraint(condition=LessThanOrEqual(Length("text"), NUDGE_LENGTH), name="nudge_text_length"),
            models.CheckConstraint(condition=Q(way__in=Way.values), name="nudge_way_known"),
        ]

    def __str__(self) -> str:
        return f"Nudge to {self.client_id} {self.get_way_display()} on {self.created_at:%Y-%m-%d}"

    @staticmethod
    def way_for(client) -> str | None:
        """How a nudge can reach `client`, or None (see reach())."""
        return reach(client)[0]

    @staticmethod
    def next_allowed(last: datetime.datetime | None) -> datetime.datetime | None:
        """When the next nudge may go, given the last one; None: now."""
        if last is None:
            return None
        last_monday = timezone.localdate(last) - datetime.timedelta(days=timezone.localdate(last).weekday())
        # Seven days on, and in another calendar week (what the database holds).
        soonest = max(last + NUDGE_GAP, timezone.make_aware(
            datetime.datetime.combine(last_monday + datetime.timedelta(weeks=1), datetime.time.min)
        ))
        return soonest if soonest > timezone.now() else None

    @classmethod
    def send(cls, client, text: str, *, by, site_url: str) -> Nudge:
        """Record a nudge to `client` and its audit entry, and queue its delivery.
        ValidationError when the client has no way to be reached or had one this week."""
        from aftercare import audit
        from clients.models import Client

        way = cls.way_for(client)
        if way is None:
            raise ValidationError(NO_WAY.format(name=client.first_name), code="no_way")
        client.clinic.check_can_email_clients()
        now = timezone.now()
        today = timezone.localdate(now)
        try:
            with transaction.atomic():
                if Client.objects.select_for_update().filter(pk=client.pk).first() is None:
                    raise ValidationError(gettext("This client was deleted a moment ago."), code="gone")
                last = cls.objects.filter(client=client).order_by("-created_at").values_list("created_at", flat=True).first()
                if cls.next_allowed(last):
                    raise ValidationError(cls.too_soon(client, last), code="too_soon")
                nudge = cls.objects.create(
                    client=client, therapist=by, way=way, text=text, week=today - datetime.timedelta(days=today.weekday()),
                    created_at=now,
                )
                with translation.override("en"):  # the audit log's words stay as written
                    way_words = str(nudge.get_way_display())
                audit.record(client, audit.Action.NUDGED, by=by, detail=way_words)
        except IntegrityError:
            # A colleague's nudge in the same week, a moment ago.
            raise ValidationError(cls.too_soon(client, now), code="too_soon") from None
        send_nudge.enqueue(nudge.pk, site_url)
        return nudge

    @classmethod
    def too_soon(cls, client, last: datetime.datetime) -> str:
        allowed = cls.next_allowed(last) or timezone.now()
        day = pgettext("date with weekday, no year", "l j F")
        return gettext(
            "%(name)s had a nudge on %(last)s. One a week is plenty: the next can go from %(next)s."
        ) % {
            "name": client.first_name,
            "last": date_format(timezone.localtime(last), day),
            "next": date_format(timezone.localtime(allowed), day),
        }


def default_text(client, therapist, clinic) -> str:
    """The nudge the therapist starts from, in the client's language (they read it)."""
    from aftercare.reminders import client_language

    who = therapist.user.first_name or therapist.display_name
    with translation.override(client_language(client)):
        return gettext(
            "Hi %(name)s, a gentle hello from %(therapist)s at %(clinic)s. No pressure at all: "
            "whenever a quiet moment comes up this week, your homework is there for you. "
            "Some times is better than no times. If it doesn't fit your week, tell us and we'll find something that does."
        ) % {"name": client.first_name, "therapist": who, "clinic": clinic.name}


def email_key(nudge_id: int) -> str:
    return f"nudge-{nudge_id}"


def reach(client) -> tuple[str | None, str]:
    """How a nudge reaches `client` and, by email, at which address: the way they chose for
    reminders (their confirmed address, else their phone), else the address on their
    record; (None, "") when there is none. An address that said stop is no way. Three
    queries at most."""
    from aftercare.reminder_models import EmailStop, PushSubscription, ReminderPlan, address_hash

    plan = ReminderPlan.objects.filter(client=client).first()
    confirmed = plan.email if plan is not None and plan.email and plan.email_confirmed_at else ""
    addresses = [a for a in (confirmed, client.email) if a]
    stopped = set(
        EmailStop.objects.filter(address_hash__in=[address_hash(a) for a in addresses]).values_list("address_hash", flat=True)
    ) if addresses else set()
    open_addresses = [a for a in addresses if address_hash(a) not in stopped]
    if confirmed and confirmed in open_addresses:
        return Way.EMAIL, confirmed
    if PushSubscription.objects.filter(client=client).exists():
        return Way.PUSH, ""
    if open_addresses:
        return Way.EMAIL, open_addresses[0]
    return None, ""


def address_for(client) -> str:
    """The address a nudge by email goes to now; blank when none may have it."""
    from aftercare.reminder_models import EmailStop, ReminderPlan, address_hash

    plan = ReminderPlan.objects.filter(client=client).first()
    for address in (plan.email if plan and plan.email_confirmed_at else "", client.email):
        if address and not EmailStop.objects.filter(address_hash=address_hash(address)).exists():
            return address
    return ""


@task
def send_nudge(nudge_id: int, site_url: str, attempt: int = 1) -> str:
    """Deliver one nudge the way it was recorded, once however often the job runs. The
    client's link goes with it when they have a live one; it is made here, never stored
    with the job."""
    from aftercare import webpush
    from aftercare.models import ShareLink
    from aftercare.reminder_models import PushSubscription
    from aftercare.reminders import client_language
    from outbox.mail import one_line, send_once

    nudge = Nudge.objects.select_related("client__clinic", "therapist__user").filter(pk=nudge_id).first()
    if nudge is None:
        return "client gone"  # deleted since, and the nudge with them
    client = nudge.client
    link = ShareLink.objects.filter(client=client, revoked_at__isnull=True).first()
    page = f"{site_url}{link.path}" if link is not None and link.is_live() else ""
    if nudge.way == Way.PUSH:
        if nudge.sent_at is not None:
            return "already sent"
        with translation.override(client_language(client)):
            title = gettext("A gentle hello from %(clinic)s") % {"clinic": client.clinic.name}
        payload = {"title": title[:120], "body": nudge.text[:240], "url": page or site_url}
        delivered = [webpush.send(phone, payload) for phone in PushSubscription.objects.filter(client=client)]
        if not any(delivered):
            return "no phone took it"
        Nudge.objects.filter(pk=nudge.pk).update(sent_at=timezone.now())
        return "sent"

    def make():
        address = address_for(client)
        if not address:
            return "no way to reach them"
        with translation.override(client_language(client)):
            body = nudge.text + ("\n\n" + gettext("Your homework: %(url)s") % {"url": page} if page else "")
            subject = gettext("A gentle hello from %(clinic)s") % {"clinic": client.clinic.name}
        therapist = nudge.therapist
        reply_to = [a for a in [therapist and therapist.user.email, client.clinic.email] if a]
        return EmailMessage(subject=one_line(subject), body=body, to=[address], reply_to=reply_to[:1])

    def again(when):
        send_nudge.using(run_after=when).enqueue(nudge.pk, site_url, attempt + 1)

    outcome = send_once(email_key(nudge.pk), make, attempt=attempt, again=again)
    if outcome in ("sent", "sent again"):
        Nudge.objects.filter(pk=nudge.pk).update(sent_at=timezone.now())
    return outcome
