"""The audit log: who did what to which client, and each time a client's link was opened.

A clinic keeps health notes, so it must be able to answer "who gave Maya that stretch, who
emailed her link, who exported her file, when was her page opened" long after the fact.
`AuditEvent` rows are only ever added: the model refuses to change or delete a row, its
QuerySet refuses update() and delete(), and the admin shows them read-only. The one
exception is explicit: when a client is deleted, `scrub_client` unhooks their earlier
events and clears what could tell who they were, and `client_deleted` records the deletion
itself with no personal data ("Client #123 deleted by Robin"). The other exception: when
two records of one client are merged (aftercare/merge.py), `move_client` hands the events of
the record that goes to the one kept, so its history is whole in one place.

The model lives here rather than in models.py so the log reads as one piece; models.py
imports it so Django finds it.
"""

from __future__ import annotations

from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac

from aftercare.addresses import client_address

ADDRESS_SALT = "aftercare.audit.address"
DETAIL_LENGTH = 200


class AppendOnly(Exception):
    """Raised on any attempt to change or remove what the audit log already holds."""


class Action(models.TextChoices):
    # The label is the verb a person reads after the therapist's name.
    CLIENT_CREATED = "client-created", "added the client"
    CLIENT_EDITED = "client-edited", "edited the client's details"
    VISIT_STARTED = "visit-started", "started a visit"
    VISIT_EDITED = "visit-edited", "edited a visit"
    VISIT_DELETED = "visit-deleted", "deleted a visit started by mistake"
    ITEM_ASSIGNED = "item-assigned", "assigned"
    ITEM_CHANGED = "item-changed", "changed the dose or note of"
    ITEM_REMOVED = "item-removed", "removed"
    LINK_ISSUED = "link-issued", "issued the client's link"
    LINK_REPLACED = "link-replaced", "replaced the client's link"
    LINK_REVOKED = "link-revoked", "turned the client's link off"
    LINK_EMAILED = "link-emailed", "emailed the client their link"
    EXPORTED = "exported", "exported everything about the client"
    DELETED = "deleted", "deleted the client"
    MERGED = "client-merged", "merged in another record of the client"
    LINK_OPENED = "link-opened", "opened their link"
    NUDGED = "client-nudged", "sent the client a nudge"
    # The client's own choices about reminders (aftercare/reminders.py), and each one sent:
    # the channel and time, never the address or the phone's subscription.
    REMINDERS_SET = "reminders-set", "set their reminders"
    REMINDER_OPT_IN = "reminder-opt-in", "turned on reminders"
    REMINDERS_STOPPED = "reminders-stopped", "stopped reminders"
    REMINDER_SENT = "reminder-sent", "was sent a reminder"


# Done by the client (or the worker, for a reminder sent), not by someone on the team.
CLIENT_ACTIONS = {Action.REMINDERS_SET, Action.REMINDER_OPT_IN, Action.REMINDERS_STOPPED, Action.REMINDER_SENT}


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnly("The audit log is append-only: events are never changed.")

    def delete(self):
        raise AppendOnly("The audit log is append-only: events are never deleted.")

    def for_client(self, client) -> AuditEventQuerySet:
        return self.filter(client=client)

    def openings(self) -> AuditEventQuerySet:
        return self.filter(action=Action.LINK_OPENED)

    def actions(self) -> AuditEventQuerySet:
        """What the clinic's team did (everything but the client opening their link and the
        reminders sent to them, which the client's page sums up beside it)."""
        return self.exclude(action__in=[Action.LINK_OPENED, Action.REMINDER_SENT])

    def scrub_client(self, clinic_id: int, client_pk: int) -> int:
        """One of the two changes the log allows, made when a client is deleted: their events stay
        (who did what, when, to "Client #<id>") but lose the link to the client, the
        details (exercise names, which fields changed) and the hashed addresses."""
        rows = self.filter(clinic_id=clinic_id, client_number=client_pk)
        return models.QuerySet.update(rows, client=None, detail="", address_hash="")
    def move_client(self, clinic_id: int, from_pk: int, to_client) -> int:
        """The other change the log allows, made when two records of one client are merged:
        every event of the record that goes now belongs to the one kept (who did what and
        when unchanged), so deleting the kept one later scrubs them too."""
        rows = self.filter(clinic_id=clinic_id, client_number=from_pk)
        return models.QuerySet.update(rows, client=to_client, client_number=to_client.pk)


class AuditEvent(models.Model):
    clinic = models.ForeignKey("clients.Clinic", on_delete=models.CASCADE, related_name="audit_events")
    # Kept when the client is deleted (then null); client_number still ties their events
    # together, without saying who they were.
    client = models.ForeignKey(
        "clients.Client", on_delete=models.SET_NULL, null=True, blank=True, related_name="audit_events"
    )
    client_number = models.PositiveBigIntegerField("client #")
    # Nobody for the client opening their link, or a link made while printing handouts.
    actor = models.ForeignKey(
        "clients.Therapist", on_delete=models.SET_NULL, null=True, blank=True, related_name="audit_events"
    )
    actor_name = models.CharField("who", max_length=150, blank=True)
    action = models.CharField(max_length=20, choices=Action.choices)
    detail = models.CharField(max_length=DETAIL_LENGTH, blank=True)
    # A keyed hash (HMAC with the secret key) of the address a link was opened from: the
    # same address gives the same hash, so repeated openings from one phone show up, but
    # the address itself can't be read back, not even by trying all four billion.
    address_hash = models.CharField(max_length=64, blank=True)
    at = models.DateTimeField(default=timezone.now)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["client", "-at"], name="audit_client_at_idx"),
            models.Index(fields=["clinic", "client_number"], name="audit_clinic_client_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.sentence} · {timezone.localtime(self.at):%d %b %Y %H:%M}"

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            raise AppendOnly("The audit log is append-only: events are never changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnly("The audit log is append-only: events are never deleted.")

    @property
    def sentence(self) -> str:
        """How a person reads it: "Sam assigned 'Doorway pec stretch'"."""
        if self.action == Action.LINK_OPENED:
            return "The client opened their link" if self.client_id else f"Client #{self.client_number} opened their link"
        if self.action in CLIENT_ACTIONS:
            return f"The client {self.get_action_display()}" + (f" ({self.detail})" if self.detail else "")
        if self.action == Action.LINK_ISSUED and not self.actor_name:
            return "A new link was made for the client"
        if self.action == Action.DELETED:
            return f"Client #{self.client_number} deleted by {self.who}"
        text = f"{self.who} {self.get_action_display()}"
        if self.action in (Action.ITEM_ASSIGNED, Action.ITEM_CHANGED, Action.ITEM_REMOVED):
            text += f" '{self.detail}'" if self.detail else " a homework item"
        elif self.detail:
            text += f" ({self.detail})"
        return text

    @property
    def who(self) -> str:
        return self.actor_name or "Someone"


def record(client, action: str, *, by=None, detail: str = "") -> AuditEvent:
    """Add one event about `client`, done by the therapist `by` (one INSERT; the
    therapist's login is already loaded by `therapist_required`)."""
    return AuditEvent.objects.create(
        clinic_id=client.clinic_id,
        client=client,
        client_number=client.pk,
        actor=by,
        actor_name=by.display_name if by else "",
        action=action,
        detail=detail[:DETAIL_LENGTH],
    )


def record_unless_deleted(client, action: str, *, by=None, detail: str = "") -> AuditEvent | None:
    """record(), or None when the client was deleted a moment ago (by a colleague, in
    another tab): their row is gone, so the database refuses the event."""
    try:
        with transaction.atomic():
            return record(client, action, by=by, detail=detail)
    except IntegrityError:
        return None


def hash_address(request) -> str:
    return salted_hmac(ADDRESS_SALT, client_address(request), algorithm="sha256").hexdigest()


def link_opened(link, request) -> bool:
    """The client's page was opened: one INSERT, no reads. `link` is a ShareLink with its
    client loaded, or the page's own lookup (aftercare/link_page.py), which carries the ids.
    False when the client was deleted between finding the link and now (the page is then a
    404)."""
    try:
        AuditEvent.objects.create(
            clinic_id=link.clinic_id,
            client_id=link.client_id,
            client_number=link.client_id,
            action=Action.LINK_OPENED,
            address_hash=hash_address(request),
        )
    except IntegrityError:
        return False
    return True


def client_event(client_id: int, clinic_id: int, action: str, detail: str = "") -> AuditEvent:
    """An event the client made (or a reminder sent to them): nobody on the team did it."""
    return AuditEvent(
        clinic_id=clinic_id, client_id=client_id, client_number=client_id, action=action, detail=detail[:DETAIL_LENGTH]
    )


def client_deleted(client, *, by) -> AuditEvent:
    """Scrub the client's earlier events and record the deletion, without personal data.
    Run it in the same transaction as the delete."""
    AuditEvent.objects.scrub_client(client.clinic_id, client.pk)
    return AuditEvent.objects.create(
        clinic_id=client.clinic_id,
        client=None,
        client_number=client.pk,
        actor=by,
        actor_name=by.display_name,
        action=Action.DELETED,
    )
