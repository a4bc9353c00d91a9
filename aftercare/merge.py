"""Merging two records of one client (a duplicate added in a hurry): everything of the
record that goes moves to the one kept, and the record that goes is deleted.

What moves: visits (with their homework items, check-ins, and the client's feelings and
words on them), links, nudges, the audit history, and reminders: the other's reminder plan
when the kept record has none (where both have one, the kept record's stays as it is and the
other's goes, its address with it: the client chose the kept one's more recently or not,
and one plan a client is what the page shows), this phone's notifications of both (the
newest PHONES_PER_CLIENT), and the reminders already sent today, so nothing goes twice. The kept record's own details stay; the blanks in them (a last name, an email, a
phone, any detail empty, unset or unticked) are filled in from the other, and every list
(what they have at home, and any list a client gains later) is added together. One live
link is kept: the kept client's, or the other's if the kept one has none; every other link is
turned off (and moves too, so the history of both stays readable)."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone

from aftercare import audit
from aftercare.models import CheckIn, HomeworkItem, ShareLink, Visit
from aftercare.nudges import Nudge
from aftercare.reminder_models import PushSubscription, ReminderPlan, ReminderSent
from aftercare.webpush import PHONES_PER_CLIENT
from clients.models import Client

SAME_CLIENT = "That's the same record twice. Choose the other record of this client to merge into this one."


def _fill_in_blanks(kept: Client, other: Client) -> None:
    """Every detail a person gives, read from the model so a field added later is merged
    too: a blank, unset or unticked one on the kept record takes the other's."""
    for field in Client._meta.concrete_fields:
        if field.primary_key or not field.editable or field.name == "clinic":
            continue
        if not getattr(kept, field.attname) and getattr(other, field.attname):
            setattr(kept, field.attname, getattr(other, field.attname))


@dataclass(frozen=True)
class Moving:
    """What a merge will move, for the page that asks first."""

    visits: int
    items: int
    check_ins: int
    links: int
    events: int


def what_moves(other: Client) -> Moving:
    return Moving(
        visits=Visit.objects.filter(client=other).count(),
        items=HomeworkItem.objects.filter(visit__client=other).count(),
        check_ins=CheckIn.objects.filter(item__visit__client=other).count(),
        links=ShareLink.objects.filter(client=other).count(),
        events=audit.AuditEvent.objects.for_client(other).count(),
    )


def _move_reminders(kept: Client, other: Client, now) -> None:
    if not ReminderPlan.objects.filter(client=kept).exists():
        ReminderPlan.objects.filter(client=other).update(client=kept, updated_at=now)
    else:
        ReminderPlan.objects.filter(client=kept).update(updated_at=now)  # the page's stamp: phones changed
    PushSubscription.objects.filter(client=other).update(client=kept)
    extra = PushSubscription.objects.filter(client=kept).order_by("-created_at").values_list("pk", flat=True)[PHONES_PER_CLIENT:]
    PushSubscription.objects.filter(pk__in=list(extra)).delete()
    # "Never twice a day per channel" holds across the two: a day either was sent on stays sent.
    ReminderSent.objects.filter(client=other).exclude(
        day__in=ReminderSent.objects.filter(client=kept, channel=models.OuterRef("channel")).values("day")
    ).update(client=kept)


def merge(kept: Client, other: Client, *, by) -> Client:
    """Move everything of `other` to `kept`, then delete `other`. Both rows are locked
    first (PostgreSQL; SQLite's IMMEDIATE transaction holds the write lock already), so a
    simultaneous merge, delete or edit of either waits, then finds the merge done.
    ValidationError for the same record twice or records of two clinics."""
    if kept.pk == other.pk:
        raise ValidationError(SAME_CLIENT, code="same")
    if kept.clinic_id != other.clinic_id:
        raise ValidationError("Those records belong to two clinics.", code="other_clinic")
    with transaction.atomic():
        # In pk order, so two merges of the same pair can't lock each other out.
        locked = {c.pk: c for c in Client.objects.select_for_update().filter(pk__in=[kept.pk, other.pk]).order_by("pk")}
        if len(locked) != 2:
            raise ValidationError("One of them was deleted or merged a moment ago. Have a look, then try again.", code="gone")
        kept, other = locked[kept.pk], locked[other.pk]
        moving = what_moves(other)
        now = timezone.now()

        links = list(ShareLink.objects.filter(client__in=[kept, other], revoked_at__isnull=True))
        live = [link for link in links if link.is_live()]
        keep = next((link for link in live if link.client_id == kept.pk), None) or next(iter(live), None)
        ShareLink.objects.filter(pk__in=[link.pk for link in links if link != keep]).update(revoked_at=now)
        ShareLink.objects.filter(client=other).update(client=kept)

        # updated_at moves on: the client's page is cached by a stamp that reads it.
        Visit.objects.filter(client=other).update(client=kept, updated_at=now)
        audit.AuditEvent.objects.move_client(other.clinic_id, other.pk, kept)
        # Nudges move too, but for a week in which both had one (one a week, the database says).
        Nudge.objects.filter(client=other).exclude(week__in=Nudge.objects.filter(client=kept).values("week")).update(client=kept)
        _move_reminders(kept, other, now)

        _fill_in_blanks(kept, other)
        kept.save()
        for field in Client._meta.many_to_many:
            getattr(kept, field.name).add(*getattr(other, field.name).all())
        detail = (
            f"client #{other.pk}, {other.full_name}: {moving.visits} visit{'s' if moving.visits != 1 else ''}, "
            f"{moving.links} link{'s' if moving.links != 1 else ''}"
        )
        audit.record(kept, audit.Action.MERGED, by=by, detail=detail)
        other.delete()
    return kept
