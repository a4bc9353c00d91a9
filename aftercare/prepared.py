"""Files a job makes ahead for a person: a client's export (to download, for a while), a
visit's handout and a day's handouts (so "Print" answers from a ready file).

Each lives in the media storage under storage.PREPARED (MEDIA_ROOT or the bucket, so any
web process can hand out what any worker made), is never served at /media/, and goes
with its row: a client deleted takes their exports and handouts with them, and the day's
handouts stacks of the days they came (each prints every client of that day).

A handout is keyed by a *stamp* of what it is made from (aftercare.handouts.visit_stamp):
a change to the visit, its homework, an exercise, a picture, the client, the clinic or
the link gives a new stamp, so a stale handout is never served; one not ready yet is made
on the spot."""

from __future__ import annotations

import datetime
import secrets

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import models, transaction
from django.db.models.signals import post_delete, pre_delete
from django.dispatch import receiver
from django.utils import timezone

from aftercare.storage import PREPARED


class Kind(models.TextChoices):
    EXPORT = "export", "client export"
    VISIT_HANDOUT = "visit", "visit handout"
    DAY_HANDOUTS = "day", "day's handouts"


class PreparedFile(models.Model):
    kind = models.CharField(max_length=10, choices=Kind.choices)
    clinic = models.ForeignKey("clients.Clinic", on_delete=models.CASCADE, related_name="+")
    client = models.ForeignKey("clients.Client", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    visit = models.ForeignKey("aftercare.Visit", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    date = models.DateField(null=True, blank=True)
    # What a handout was made from, and the address its QR code opens.
    stamp = models.CharField(max_length=64, blank=True)
    # What the database said of the handout's sources just before they were read to make
    # it (aftercare.handouts.SOURCES_SQL): "Print" serves the file while they still say so.
    sources = models.TextField(blank=True, default="")
    requested_by = models.ForeignKey("clients.Therapist", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    file = models.CharField(max_length=255, blank=True)  # the storage's name, once ready
    created_at = models.DateTimeField(default=timezone.now)
    ready_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField()

    class Meta:
        app_label = "aftercare"
        constraints = [
            # One handout per visit and stamp, one stack per clinic, day and stamp: two
            # workers (or a worker and "Print") making the same one keep one.
            models.UniqueConstraint(fields=["visit", "stamp"], condition=models.Q(kind="visit"), name="one_handout_per_stamp"),
            models.UniqueConstraint(fields=["clinic", "date", "stamp"], condition=models.Q(kind="day"), name="one_day_stack_per_stamp"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def is_ready(self) -> bool:
        return self.ready_at is not None

    def has_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    def keep(self, data: bytes, suffix: str) -> bool:
        """Store what the job made and mark it ready; False (and nothing kept) when the row
        went meanwhile (its client deleted) or another run got there first."""
        name = default_storage.save(f"{PREPARED}{self.kind}/{secrets.token_hex(16)}{suffix}", ContentFile(data))
        with transaction.atomic():
            kept = PreparedFile.objects.filter(pk=self.pk, ready_at=None).update(file=name, ready_at=timezone.now())
        if not kept:
            default_storage.delete(name)
        return bool(kept)

    def read(self) -> bytes:
        with default_storage.open(self.file, "rb") as file:
            return file.read()


def expiry(minutes: float) -> datetime.datetime:
    return timezone.now() + datetime.timedelta(minutes=minutes)


def export_expiry() -> datetime.datetime:
    return expiry(settings.EXPORT_DOWNLOAD_MINUTES)


@receiver(post_delete, sender=PreparedFile)
def delete_prepared_file(sender, instance: PreparedFile, **kwargs) -> None:
    # Once the deletion is committed, as for pictures.
    if instance.file:
        name = instance.file
        transaction.on_commit(lambda: default_storage.delete(name))


@receiver(pre_delete, sender="clients.Client")
def delete_day_stacks_of_client(sender, instance, **kwargs) -> None:
    """A day's stack holds the handout of every client of that day: a client deleted takes
    the stacks of their visits' days with them (their files once committed, above); the
    next "Print" of that day makes one without them."""
    from aftercare.models import Visit

    days = Visit.objects.filter(client=instance.pk).values("date")
    PreparedFile.objects.filter(kind=Kind.DAY_HANDOUTS, clinic=instance.clinic_id, date__in=days).delete()
