"""A gentle nudge, on the therapist's say-so: from the week page, a kind line to a client
who has gone quiet, at most once a week per client, never sent by the app on its own.

`Nudge.send()` records it (the database holds one per client per calendar week, and the
client's row is locked so the last seven days are checked without a race) with its audit
entry (who, when, which way), and the job `send_nudge` delivers it.

Delivery: for now by email, to the client record's address, through the engine's send-once
path (a SentEmail key per nudge, a "not now" from the mail server tried again later). When
the client's own reminder ways arrive (issue 14: a confirmed email address, a phone's push
subscription), the lead routes `send_nudge` through whichever way the client chose there;
`Nudge.way` records which one it went by."""

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
from django.utils import timezone
from django_tasks import task

logger = logging.getLogger("aftercare.nudges")

NUDGE_LENGTH = 600
NUDGE_GAP = datetime.timedelta(days=7)
NO_WAY = "{name} has no way to be reached yet: add their email address on their record, then nudge."


class Way(models.TextChoices):
    EMAIL = "email", "by email"


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
        """How a nudge can reach `client`, or None: nobody can be nudged without a way."""
        return Way.EMAIL if client.email else None

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
                    raise ValidationError("This client was deleted a moment ago.", code="gone")
                last = cls.objects.filter(client=client).order_by("-created_at").values_list("created_at", flat=True).first()
                if cls.next_allowed(last):
                    raise ValidationError(cls.too_soon(client, last), code="too_soon")
                nudge = cls.objects.create(
                    client=client, therapist=by, way=way, text=text, week=today - datetime.timedelta(days=today.weekday()),
                    created_at=now,
                )
                audit.record(client, audit.Action.NUDGED, by=by, detail=nudge.get_way_display())
        except IntegrityError:
            # A colleague's nudge in the same week, a moment ago.
            raise ValidationError(cls.too_soon(client, now), code="too_soon") from None
        send_nudge.enqueue(nudge.pk, site_url)
        return nudge

    @classmethod
    def too_soon(cls, client, last: datetime.datetime) -> str:
        allowed = cls.next_allowed(last) or timezone.now()
        return (
            f"{client.first_name} had a nudge on {timezone.localtime(last):%A %-d %B}. One a week is plenty: "
            f"the next can go from {timezone.localtime(allowed):%A %-d %B}."
        )


def default_text(client, therapist, clinic) -> str:
    who = therapist.user.first_name or therapist.display_name
    return (
        f"Hi {client.first_name}, a gentle hello from {who} at {clinic.name}. No pressure at all: "
        "whenever a quiet moment comes up this week, your homework is there for you. "
        "Some times is better than no times. If it doesn't fit your week, tell us and we'll find something that does."
    )


def email_key(nudge_id: int) -> str:
    return f"nudge-{nudge_id}"


@task
def send_nudge(nudge_id: int, site_url: str, attempt: int = 1) -> str:
    """Deliver one nudge, once however often the job runs. By email for now (see the
    module's docstring: the client's chosen reminder ways take over when they arrive).
    The client's link goes with it when they have a live one; it is made here, never
    stored with the job."""
    from aftercare import tasks
    from aftercare.models import SentEmail, ShareLink

    nudge = Nudge.objects.select_related("client__clinic", "therapist__user").filter(pk=nudge_id).first()
    if nudge is None:
        return "client gone"  # deleted since, and the nudge with them
    client = nudge.client
    if not client.email:
        return "no way to reach them"
    key = email_key(nudge.pk)
    if SentEmail.objects.filter(key=key).exists():
        return "already sent"
    link = ShareLink.objects.filter(client=client, revoked_at__isnull=True).first()
    body = nudge.text
    if link is not None and link.is_live():
        body += f"\n\nYour homework: {site_url}{link.path}"
    therapist = nudge.therapist
    reply_to = [a for a in [therapist and therapist.user.email, client.clinic.email] if a]
    try:
        EmailMessage(
            subject=f"A gentle hello from {client.clinic.name}", body=body, to=[client.email], reply_to=reply_to[:1]
        ).send()
    except Exception as error:
        if not tasks.is_temporary(error) or attempt >= settings.EMAIL_RETRIES:
            raise
        delay = settings.EMAIL_RETRY_SECONDS * 2 ** (attempt - 1)
        logger.warning("Nudge %s: %s; trying again in %s s (try %s)", nudge.pk, error, delay, attempt + 1)
        send_nudge.using(run_after=timezone.now() + datetime.timedelta(seconds=delay)).enqueue(nudge.pk, site_url, attempt + 1)
        return f"not now: {error}"
    try:
        SentEmail.objects.create(key=key, attempts=attempt)
    except IntegrityError:
        pass
    Nudge.objects.filter(pk=nudge.pk).update(sent_at=timezone.now())
    return "sent"
