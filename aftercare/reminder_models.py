"""The rows behind reminders that reach the client (issue 14): what the client chose on
their link page (`ReminderPlan`), the phones that asked for notifications
(`PushSubscription`), addresses that said stop (`EmailStop`) and one row per reminder
claimed before it is sent (`ReminderSent`). The rules and the sending are in
aftercare/reminders.py; models.py imports these so Django finds them."""

from __future__ import annotations

import hashlib

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.crypto import salted_hmac

ADDRESS_SALT = "aftercare.reminders.address"


class Channel(models.TextChoices):
    EMAIL = "email", "email"
    PUSH = "push", "phone notification"


def address_hash(email: str) -> str:
    """A keyed hash of an email address: how a stop is remembered without the address."""
    return salted_hmac(ADDRESS_SALT, email.strip().lower(), algorithm="sha256").hexdigest()


class ReminderPlan(models.Model):
    """What one client chose: the time, the days, the ways. Nothing is sent until they ask
    for it (a row with a time), and email only once its address is confirmed."""

    client = models.OneToOneField("clients.Client", on_delete=models.CASCADE, related_name="reminder_plan")
    at = models.TimeField("time of day", null=True, blank=True)
    # Weekdays as digits, Monday 0 ("0246"): the days a reminder goes.
    days = models.CharField(max_length=7, blank=True)
    # An IANA zone name from the phone; blank means the clinic's (settings.TIME_ZONE).
    time_zone = models.CharField(max_length=64, blank=True)
    email = models.EmailField(blank=True)
    email_confirmed_at = models.DateTimeField(null=True, blank=True)
    # Changes with every confirmation email, so an older confirmation link can't be replayed.
    email_nonce = models.CharField(max_length=32, blank=True)
    # When a calendar app last fetched the subscription (for the therapist's page only).
    calendar_fetched_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Part of the client page's change stamp (aftercare/link_page.py).
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [models.Index(fields=["at", "time_zone"], name="reminderplan_at_idx")]

    def __str__(self) -> str:
        return f"Reminders for client #{self.client_id}"

    @property
    def weekdays(self) -> list[int]:
        return sorted({int(day) for day in self.days if day.isdigit() and int(day) < 7})

    @property
    def emails_on(self) -> bool:
        return bool(self.at and self.email and self.email_confirmed_at)

    @property
    def email_waiting(self) -> bool:
        return bool(self.email and not self.email_confirmed_at and self.email_nonce)


class PushSubscription(models.Model):
    """A browser's push subscription (RFC 8030 endpoint and the RFC 8291 keys)."""

    client = models.ForeignKey("clients.Client", on_delete=models.CASCADE, related_name="push_subscriptions")
    endpoint = models.CharField(max_length=1000)
    # The same phone subscribing again updates its row instead of adding one.
    endpoint_digest = models.CharField(max_length=64, unique=True)
    p256dh = models.CharField(max_length=100)
    auth = models.CharField(max_length=40)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"A phone of client #{self.client_id}"

    @staticmethod
    def digest_of(endpoint: str) -> str:
        return hashlib.sha256(endpoint.encode()).hexdigest()


class EmailStop(models.Model):
    """An address that said stop: it gets no reminder, from any clinic, until it confirms
    again. Held as a keyed hash."""

    address_hash = models.CharField(max_length=64, unique=True)
    stopped_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"A stopped address ({self.stopped_at:%Y-%m-%d})"


class ReminderSent(models.Model):
    """One reminder for a client on one channel on one day of their own calendar, claimed
    (inserted) before it is sent: the unique constraint is what makes "never twice" hold
    with any number of workers, and a worker killed mid-send leaves a claimed row, so the
    reminder is not sent again (at most once)."""

    client = models.ForeignKey("clients.Client", on_delete=models.CASCADE, related_name="reminders_sent")
    channel = models.CharField(max_length=10, choices=Channel.choices)
    day = models.DateField()
    batch = models.CharField(max_length=32)
    claimed_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["client", "channel", "day"], name="one_reminder_a_day_per_channel"),
        ]
        indexes = [
            models.Index(fields=["batch"], name="remindersent_batch_idx"),
            models.Index(fields=["client", "-sent_at"], condition=Q(sent_at__isnull=False), name="remindersent_last_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.channel} reminder for client #{self.client_id} on {self.day}"
