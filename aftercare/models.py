from __future__ import annotations

import datetime
import hashlib
import secrets
from base64 import urlsafe_b64encode

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import IntegrityError, models, transaction
from django.db.models import Q
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext, pgettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from clients.models import Client, Clinic
from aftercare import audit
from aftercare.audit import AuditEvent  # noqa: F401  (the audit log's model, so Django finds it)
from aftercare.worker import ScheduleTick, WorkerBeat  # noqa: F401  (the job engine's models)
from aftercare.prepared import PreparedFile  # noqa: F401  (files made ahead by jobs)
from aftercare.feedback import HomeworkWord, ItemFeeling, hurt_exercises  # noqa: F401  (the client's word between visits)
from aftercare.nudges import Nudge  # noqa: F401  (the therapist's nudge)
from aftercare.reminder_models import EmailStop, PushSubscription, ReminderPlan, ReminderSent  # noqa: F401  (reminders)
from exercises.models import Dose, Exercise
from outbox.models import SentEmail  # noqa: F401  (moved to outbox; named here where the jobs found it)
from outbox.mail import one_line

MAX_ITEMS = 2
VISIT_DELETED = "This visit was deleted a moment ago (in another tab, or by a colleague), so nothing was added."


class Referral(models.TextChoices):
    CHIROPRACTOR = "chiropractor", _("Chiropractor")
    OSTEOPATH = "osteopath", _("Osteopath")
    PODIATRIST = "podiatrist", _("Podiatrist")
    PHYSIOTHERAPIST = "physiotherapist", _("Physiotherapist")
    GP = "gp", _("GP")
    OTHER = "other", _("Someone else (see note)")


REFERRAL_PHRASES = {
    Referral.CHIROPRACTOR: pgettext_lazy("see", "a chiropractor"),
    Referral.OSTEOPATH: pgettext_lazy("see", "an osteopath"),
    Referral.PODIATRIST: pgettext_lazy("see", "a podiatrist"),
    Referral.PHYSIOTHERAPIST: pgettext_lazy("see", "a physiotherapist"),
    Referral.GP: pgettext_lazy("see", "your GP"),
    Referral.OTHER: pgettext_lazy("see", "someone else"),
}


# A referral note that starts with one of these reads on from "It may help to see…".
JOINING_WORDS = {"for", "about", "to", "if", "when", "with", "because", "as", "after", "before", "a", "an", "the"}


class VisitQuerySet(models.QuerySet):
    def for_clinic(self, clinic) -> VisitQuerySet:
        return self.filter(client__clinic=clinic)

    def on(self, date: datetime.date) -> VisitQuerySet:
        return self.filter(date=date)

    def with_homework(self) -> VisitQuerySet:
        """Visits with at least one homework item (no join, so no duplicates)."""
        return self.filter(models.Exists(HomeworkItem.objects.filter(visit=models.OuterRef("pk"))))


class Visit(models.Model):
    client = models.ForeignKey("clients.Client", on_delete=models.CASCADE, related_name="visits")
    therapist = models.ForeignKey(
        "clients.Therapist", on_delete=models.SET_NULL, null=True, blank=True, related_name="visits"
    )
    date = models.DateField(default=timezone.localdate)
    complaints = models.ManyToManyField(
        "exercises.Complaint", blank=True, related_name="visits", verbose_name=_("intake complaints")
    )
    intake_note = models.TextField(_("note"), blank=True, max_length=2000)
    referral = models.CharField(_("suggest they see"), max_length=20, choices=Referral.choices, blank=True)
    referral_note = models.CharField(_("about the referral"), max_length=240, blank=True)
    next_goal = models.CharField(_("goal for next session"), max_length=240, blank=True)
    rebook_weeks = models.PositiveSmallIntegerField(
        _("rebook in"),
        null=True,
        blank=True,
        choices=[(1, _("1 week")), (2, _("2 weeks")), (3, _("3 weeks")), (4, _("4 weeks")), (6, _("6 weeks")), (8, _("8 weeks"))],
    )
    # The therapist's suggestion for reminders, offered first on the client's page.
    reminder_time = models.TimeField(_("remind them at"), null=True, blank=True)
    reminder_words = models.CharField(_("when that is, in their words"), max_length=60, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Part of the client page's change stamp (aftercare/link_page.py).
    updated_at = models.DateTimeField(auto_now=True)

    objects = VisitQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "-created_at"]
        indexes = [
            models.Index(fields=["client", "-date"], name="visit_client_date_idx"),
            # The day's visits (the day page, the day's handouts) without reading every
            # visit the install ever had (bench/scale.py).
            models.Index(fields=["date"], name="visit_date_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=LessThanOrEqual(Length("intake_note"), 2000), name="visit_intake_note_length"),
        ]

    def __str__(self) -> str:
        return f"{self.client} on {self.date:%d %b %Y}"

    @property
    def referral_phrase(self) -> str:
        """Who the client might see, as a client reads it: "an osteopath", "your GP"."""
        return str(REFERRAL_PHRASES.get(self.referral, ""))

    @property
    def referral_sentence(self) -> str:
        """The referral as one sentence a client reads: "It may help to see an osteopath for
        the neck stiffness." The therapist's note follows on, whether it starts "for…",
        "For…" or with something else."""
        if not self.referral:
            return ""
        note = self.referral_note.strip().rstrip(" .,;:…")
        first, _, rest = note.partition(" ")
        if first.lower() in JOINING_WORDS:
            note = f"{first.lower()} {rest}".strip()
        # In the active language (a client's paper is printed in theirs).
        if self.referral == Referral.OTHER:
            who, note = (note, "") if note else (pgettext("see", "someone else"), "")
            sentence = gettext("It may help to see %(who)s") % {"who": who}
        elif not note:
            sentence = gettext("It may help to see %(who)s") % {"who": self.referral_phrase}
        elif first.lower() in JOINING_WORDS:
            sentence = gettext("It may help to see %(who)s %(note)s") % {"who": self.referral_phrase, "note": note}
        else:
            sentence = gettext("It may help to see %(who)s: %(note)s") % {"who": self.referral_phrase, "note": note}
        return sentence if sentence.endswith(("!", "?", "…")) else f"{sentence}."

    @property
    def rebook_by(self) -> datetime.date | None:
        if self.rebook_weeks:
            return self.date + datetime.timedelta(weeks=self.rebook_weeks)
        return None

    def suggestions(self):
        """Exercises for this visit's complaints, best first, none that is not for one of
        the client's health flags (a subquery); the client's home equipment counts once
        anybody has asked (reading that runs a query, once per client instance), and floor
        exercises go last for a client who can't get down to the floor. An exercise that
        hurt this client is left out (a subquery): the therapist can still choose it from
        the library, on purpose."""
        client = self.client
        return (
            Exercise.objects.available_to(client.clinic_id)
            .exclude(pk__in=hurt_exercises(client.pk))
            .suggested_for(
                self.complaints.all(),
                client.at_home,
                conditions=Client.conditions.through.objects.filter(client=client.pk).values("condition"),
                floor_ok=not client.no_floor,
            )
            .with_pictures()
            .prefetch_related("equipment")
        )

    def delete_if_empty(self) -> bool:
        """Delete this visit unless it has homework (False then). Locks the visit row first,
        as assign() does, so an item added at the same moment either lands first (and the
        visit stays) or finds the visit gone. Visit.DoesNotExist when it already is."""
        with transaction.atomic():
            if Visit.objects.select_for_update().filter(pk=self.pk).first() is None:
                raise Visit.DoesNotExist
            if self.items.exists():
                return False
            self.delete()
        return True

    def assign(self, exercise: Exercise, **details) -> HomeworkItem:
        """Add `exercise` as homework, with the exercise's own dose unless `details` say
        otherwise. Refuses a third item, and the same exercise twice, with ValidationError."""
        if not (exercise.clinic_id is None or exercise.clinic_id == self.client.clinic_id):
            raise ValidationError("That exercise isn't in this clinic's library.", code="other_clinic")
        item = HomeworkItem(visit=self, exercise=exercise, **{**exercise.dose(), **details})
        with transaction.atomic():
            # Locks the visit row (PostgreSQL), so two assigns for one visit run one after
            # the other; on SQLite the IMMEDIATE transaction already does. The unique slot is
            # what finally guarantees the rule, whatever writes the row.
            if Visit.objects.select_for_update().filter(pk=self.pk).first() is None:
                raise ValidationError(VISIT_DELETED, code="deleted")
            taken = list(self.items.values_list("slot", "exercise_id"))
            if any(exercise_id == exercise.pk for _, exercise_id in taken):
                raise ValidationError(f"{exercise.name} is already part of this visit's homework.", code="duplicate")
            free = sorted({1, 2} - {slot for slot, _ in taken})
            if not free:
                raise ValidationError(
                    "This visit already has two homework items, the most we give so a client "
                    "can keep up. Remove one to add this instead.",
                    code="full",
                )
            item.slot = free[0]
            item.full_clean(exclude=["visit", "exercise", "slot"])
            try:
                with transaction.atomic():
                    item.save()
            except IntegrityError:
                raise ValidationError(
                    "Someone else just added homework to this visit. Have a look, then try again.",
                    code="race",
                ) from None
        return item


class HomeworkItem(Dose):
    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="items")
    exercise = models.ForeignKey(Exercise, on_delete=models.PROTECT, related_name="homework_items")
    slot = models.PositiveSmallIntegerField(editable=False)
    note = models.TextField(_("personal note"), blank=True, max_length=1000)
    created_at = models.DateTimeField(auto_now_add=True)
    # Part of the client page's change stamp (aftercare/link_page.py).
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["slot"]
        constraints = [
            # The two-item rule, held by the database: every item takes slot 1 or 2, and a
            # slot is taken once per visit.
            models.CheckConstraint(condition=Q(slot__in=[1, 2]), name="homework_slot_1_or_2"),
            models.UniqueConstraint(fields=["visit", "slot"], name="homework_two_per_visit"),
            models.UniqueConstraint(fields=["visit", "exercise"], name="homework_exercise_once_per_visit"),
            # The note's limit (the form's too) keeps a handout under a second.
            models.CheckConstraint(condition=LessThanOrEqual(Length("note"), 1000), name="homework_note_length"),
        ]

    def __str__(self) -> str:
        return f"{self.exercise} for {self.visit}"


class ShareLinkQuerySet(models.QuerySet):
    def live(self) -> ShareLinkQuerySet:
        return self.filter(revoked_at__isnull=True, expires_at__gt=timezone.now())

    def find(self, token: str) -> ShareLink | None:
        """The live link for `token`, with its client and clinic; None for unknown, revoked
        and expired alike. One query."""
        if not ShareLink.could_be(token):
            return None
        link = self.live().select_related("client__clinic").filter(digest=ShareLink.digest_of(token)).first()
        return link if link and link.matches(token) else None


class ShareLink(models.Model):
    """The client's private link, `/h/<token>/`.

    The token is derived from a random salt with a keyed signature (the secret key), so the
    same link can be shown again, and the database alone never gives it away: it holds the
    salt and a SHA-256 digest of the token to look the link up by."""

    client = models.ForeignKey("clients.Client", on_delete=models.CASCADE, related_name="share_links")
    salt = models.CharField(max_length=32, editable=False)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ShareLinkQuerySet.as_manager()

    class Meta:
        constraints = [
            # One link per client that hasn't been revoked; an expired one is revoked when
            # its replacement is issued.
            models.UniqueConstraint(
                fields=["client"], condition=Q(revoked_at__isnull=True), name="sharelink_one_live_per_client"
            ),
        ]

    def __str__(self) -> str:
        return f"Link for {self.client} ({'live' if self.is_live() else 'ended'})"

    @staticmethod
    def _token_for(salt: str, secret: str | None = None) -> str:
        signature = salted_hmac("aftercare.ShareLink", salt, secret=secret, algorithm="sha256").digest()
        return urlsafe_b64encode(signature).rstrip(b"=").decode()

    @staticmethod
    def digest_of(token: str) -> str:
        """What the database holds to look a link up by its token."""
        return hashlib.sha256(token.encode()).hexdigest()

    @property
    def token(self) -> str:
        """The token under the key the link was made with: the secret key, or one of
        SECRET_KEY_FALLBACKS after a rotation, so the link a client has, printed or
        emailed, stays the link (README, "Rotating the secret key"). Once that key is
        dropped from the fallbacks the link no longer opens."""
        if not settings.SECRET_KEY_FALLBACKS:
            return self._token_for(self.salt)
        for secret in [settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS]:
            token = self._token_for(self.salt, secret)
            if constant_time_compare(self.digest_of(token), self.digest):
                return token
        return self._token_for(self.salt)

    @property
    def path(self) -> str:
        return reverse("client-page", args=[self.token])

    def is_live(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()

    @classmethod
    def issue(cls, client, *, by=None) -> str:
        """The path of the client's live link, making one if there is none."""
        return cls.current(client, by=by).path

    @classmethod
    def current(cls, client, *, by=None) -> ShareLink:
        link = cls.objects.filter(client=client, revoked_at__isnull=True).first()
        if link and link.is_live():
            return link
        try:
            with transaction.atomic():
                if link:
                    link.revoke()
                return cls._create(client, by=by)
        except IntegrityError:
            # Issued by a simultaneous request a moment ago: that one is the client's link.
            return cls.objects.get(client=client, revoked_at__isnull=True)

    @classmethod
    def shown(cls, client, *, by=None) -> ShareLink:
        """The link the clinic shows and prints for the client (visit summary, handouts):
        their newest link if the therapist turned it off (shown as off, never replaced by a
        new one), else their live link, made when they have none or it expired. Printing or
        looking never changes a live link. One query, or a few when a link is made."""
        return cls.shown_for([client], by=by)[client.pk]

    @classmethod
    def shown_for(cls, clients, *, by=None) -> dict[int, ShareLink]:
        """`shown` for many clients at once (the day's handouts), by client pk: one query
        for all of them, plus a few for each client whose link has to be made."""
        clients = list(clients)
        latest = {}
        for link in cls.objects.filter(client__in=clients).order_by("client_id", "-created_at"):
            latest.setdefault(link.client_id, link)
        shown = {}
        for client in clients:
            link = latest.get(client.pk)
            if link and (link.revoked_at is not None or link.is_live()):
                shown[client.pk] = link
            else:
                shown[client.pk] = cls.current(client, by=by)
        return shown

    @classmethod
    def replace(cls, client, *, by=None, replacing: int | None = None) -> ShareLink:
        """Revoke the client's link and give them a new one (the old one then 404s).

        `replacing` is the link the therapist was looking at: when a live link other than
        it is already there (a double-click, a colleague a moment ago), that one is the new
        link and nothing changes. The client's row is locked first, so replaces queue
        instead of meeting on the one-live-link constraint. Client.DoesNotExist when the
        client was deleted meanwhile."""
        with transaction.atomic():
            if Client.objects.select_for_update().filter(pk=client.pk).first() is None:
                raise Client.DoesNotExist
            unrevoked = cls.objects.filter(client=client, revoked_at__isnull=True).first()
            if replacing is not None and unrevoked and unrevoked.pk != replacing and unrevoked.is_live():
                return unrevoked
            cls.objects.filter(client=client, revoked_at__isnull=True).update(revoked_at=timezone.now())
            return cls._create(client, by=by, action=audit.Action.LINK_REPLACED)

    @classmethod
    def _create(cls, client, *, by=None, action: str = audit.Action.LINK_ISSUED) -> ShareLink:
        """A new link, recorded in the audit log (by whom, when a therapist's page made it;
        nobody when printing the day's handouts did)."""
        salt = secrets.token_hex(16)  # 128 random bits
        link = cls.objects.create(
            client=client,
            salt=salt,
            digest=cls.digest_of(cls._token_for(salt)),
            expires_at=timezone.now() + datetime.timedelta(days=client.clinic.link_lifetime_days),
        )
        audit.record(client, action, by=by)
        return link

    @staticmethod
    def could_be(token: str) -> bool:
        """Worth looking up: anything longer is a guess, never hashed or queried."""
        return bool(token) and len(token) <= 100

    def matches(self, token: str) -> bool:
        """The digest found this link; the token itself must match too, compared in
        constant time."""
        return self.token_matches(self.salt, token)

    @classmethod
    def token_matches(cls, salt: str, token: str) -> bool:
        """`token` is the link's, under the secret key or one of its fallbacks."""
        secrets_in_use = [settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS]
        return any(constant_time_compare(cls._token_for(salt, secret), token) for secret in secrets_in_use)

    @property
    def clinic_id(self) -> int:
        return self.client.clinic_id

    @classmethod
    def find(cls, token: str) -> ShareLink | None:
        """The live link for `token`; None for unknown, revoked and expired alike."""
        return cls.objects.find(token)

    def revoke(self) -> None:
        self.revoked_at = timezone.now()
        self.save(update_fields=["revoked_at"])

    def email(self, url: str, *, therapist=None) -> EmailMessage:
        """The email that gives the client the link, replies going to the therapist or the
        clinic. Refuses (ValidationError) while the clinic's own email isn't confirmed."""
        client = self.client
        client.clinic.check_can_email_clients()
        context = {"client": client, "clinic": client.clinic, "therapist": therapist, "url": url}
        reply_to = [address for address in [therapist and therapist.user.email, client.clinic.email] if address]
        from django.utils import translation

        from exercises.translations import supported

        # In the client's language, whoever sends it (see docs/translating.md).
        with translation.override(supported(client.speaks)):
            return EmailMessage(
                subject=one_line(gettext("Your homework from %(clinic)s") % {"clinic": client.clinic.name}),
                body=render_to_string("emails/homework_link.txt", context),
                to=[client.email],
                reply_to=reply_to[:1],
            )

    def send(self, url: str, *, therapist=None) -> None:
        """Email the link now, in this process (jobs send it once: aftercare.tasks.email_link)."""
        self.email(url, therapist=therapist).send()


class CheckInQuerySet(models.QuerySet):
    def in_week_of(self, day: datetime.date) -> CheckInQuerySet:
        monday = day - datetime.timedelta(days=day.weekday())
        return self.filter(day__gte=monday, day__lte=monday + datetime.timedelta(days=6))


class CheckIn(models.Model):
    """The client tapped "I did it today" for one homework item on one day."""

    item = models.ForeignKey(HomeworkItem, on_delete=models.CASCADE, related_name="check_ins")
    day = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CheckInQuerySet.as_manager()

    class Meta:
        ordering = ["day"]
        constraints = [models.UniqueConstraint(fields=["item", "day"], name="checkin_once_a_day")]

    def __str__(self) -> str:
        return f"{self.item} done on {self.day}"


def attach_tick_history(items, today: datetime.date, weeks: int = 8) -> None:
    """Give each homework item `ticks` (every check-in since it was given) and `weeks`:
    [(monday, count)] for the weeks from its visit to today, the last `weeks` of them. One
    query for all the items."""
    items = list(items)
    days: dict[int, list[datetime.date]] = {item.pk: [] for item in items}
    for item_id, day in CheckIn.objects.filter(item__in=items).values_list("item_id", "day"):
        days[item_id].append(day)
    this_monday = today - datetime.timedelta(days=today.weekday())
    for item in items:
        start = item.visit.date - datetime.timedelta(days=item.visit.date.weekday())
        mondays = []
        monday = max(start, this_monday - datetime.timedelta(weeks=weeks - 1))
        while monday <= this_monday:
            mondays.append(monday)
            monday += datetime.timedelta(weeks=1)
        item.ticks = len(days[item.pk])
        item.weeks = [
            (monday, sum(1 for day in days[item.pk] if monday <= day < monday + datetime.timedelta(weeks=1)))
            for monday in mondays
        ]

