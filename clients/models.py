from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Exists, OuterRef, Q, Value
from django.db.models.functions import Length, Replace
from django.db.models.lookups import LessThanOrEqual
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

INVITE_SALT = "aftercare.clients.invite"
INVITE_DAYS = 7
CONFIRM_SALT = "aftercare.clients.confirm-email"
CONFIRM_DAYS = 3
CONFIRM_EMAIL_FIRST = (
    "Confirm your email address first: open the link we emailed you when you signed up "
    "(the client list can send it again). Until then, client links can't be emailed."
)


class Clinic(models.Model):
    class PaperSize(models.TextChoices):
        A4 = "A4", "A4"
        LETTER = "Letter", _("US Letter")

    name = models.CharField(max_length=120)
    address = models.TextField(blank=True, max_length=300)  # a handout's footer, held by the database too
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)
    booking_url = models.URLField(_("booking link"), blank=True)
    paper_size = models.CharField(max_length=10, choices=PaperSize.choices, default=PaperSize.A4)
    language = models.CharField(
        _("the clinic's language"),
        max_length=8,
        choices=settings.LANGUAGES,
        default="en",
        help_text=_(
            "New clients get their page and handouts in this language, and your own exercises are "
            "written in it. Each client's can be changed on their record."
        ),
    )
    link_lifetime_days = models.PositiveSmallIntegerField(
        _("how long client links last (days)"), default=180
    )
    logo = models.ImageField(upload_to="clinics/", blank=True)
    equipment = models.ManyToManyField(
        "exercises.Equipment",
        blank=True,
        related_name="clinics",
        verbose_name=_("equipment offered to clients"),
        help_text="What you ask clients about. None ticked means the whole list.",
    )
    # A clinic made in the admin is vouched for by whoever made it; one that signed up on
    # its own starts empty here and can't email client links until its owner confirms.
    email_confirmed_at = models.DateTimeField(null=True, blank=True, default=timezone.now)
    checklist_dismissed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Part of the client page's cache key: a new name or booking link shows at once.
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=LessThanOrEqual(Length("address"), 300), name="clinic_address_length"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def email_confirmed(self) -> bool:
        return self.email_confirmed_at is not None

    def check_can_email_clients(self) -> None:
        """Client links go out by email only once the clinic's owner has confirmed theirs:
        a sign-up can't use us to mail strangers. ValidationError says what to do."""
        if not self.email_confirmed:
            raise ValidationError(CONFIRM_EMAIL_FIRST, code="unconfirmed")

    def confirmation_token(self, email: str) -> str:
        """Signed (it can't be made up), dated (it expires after CONFIRM_DAYS), and tied to
        the address it was sent to."""
        return signing.dumps({"clinic": self.pk, "email": email.lower()}, salt=CONFIRM_SALT)

    @classmethod
    def confirm_email(cls, token: str) -> Clinic | None:
        """Mark the clinic's email confirmed from the link's token; None when the token is
        made up, expired, or for an address no owner of the clinic has any more."""
        try:
            data = signing.loads(token, salt=CONFIRM_SALT, max_age=datetime.timedelta(days=CONFIRM_DAYS))
        except signing.BadSignature:
            return None
        owner = (
            Therapist.objects.current()
            .filter(clinic_id=data.get("clinic"), is_owner=True, user__email__iexact=data.get("email", ""))
            .select_related("clinic")
            .first()
        )
        if owner is None:
            return None
        clinic = owner.clinic
        if not clinic.email_confirmed:
            Clinic.objects.filter(pk=clinic.pk, email_confirmed_at__isnull=True).update(email_confirmed_at=timezone.now())
            clinic.email_confirmed_at = timezone.now()
        return clinic

    def offered_equipment(self):
        """The equipment a client form offers: the clinic's list, or all of it while the
        list is empty (runs a query to find out)."""
        from exercises.models import Equipment

        if self.equipment.exists():
            return self.equipment.all()
        return Equipment.objects.all()

    def first_run_steps(self, owner: Therapist) -> list[FirstRunStep]:
        """The owner's first-run checklist, each step ticked off by the data itself, never
        by a click: a logo, a booking link, someone else invited or on the team, a first
        client (a sample one will do). One query for the last two."""
        found = (
            Clinic.objects.filter(pk=self.pk)
            .values_list(
                Exists(Therapist.objects.filter(clinic=OuterRef("pk")).exclude(pk=owner.pk)),
                Exists(Invite.objects.filter(clinic=OuterRef("pk"))),
                Exists(Client.objects.filter(clinic=OuterRef("pk"))),
            )
            .first()
        )
        teammates, invites, clients = found or (False, False, False)
        team = teammates or invites
        return [
            FirstRunStep("logo", _("Add your logo: it heads every handout and client page"), bool(self.logo)),
            FirstRunStep("booking", _("Add your booking link, so clients can rebook from their page"), bool(self.booking_url)),
            FirstRunStep("team", _("Invite the rest of your team"), bool(team)),
            FirstRunStep("client", _("Add a first client (a sample one will do) and try a visit, to see what clients get"), bool(clients)),
        ]

    def shows_checklist(self, therapist: Therapist) -> bool:
        """Owners see it until they dismiss it (then nobody runs its query)."""
        return therapist.is_owner and self.checklist_dismissed_at is None


@dataclass(frozen=True)
class FirstRunStep:
    key: str
    label: str
    done: bool


class TherapistQuerySet(models.QuerySet):
    def current(self) -> TherapistQuerySet:
        return self.filter(removed_at__isnull=True)


class Therapist(models.Model):
    """A login's place in a clinic. Every page a therapist sees is scoped to this clinic."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="therapist")
    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="therapists")
    is_owner = models.BooleanField(default=False)
    # Their pages' language; empty: the browser's. Set on "Your details".
    language = models.CharField(max_length=8, choices=settings.LANGUAGES, blank=True)
    removed_at = models.DateTimeField(
        null=True, blank=True, help_text="Removed from the team: can't log in; their past visits stay."
    )

    objects = TherapistQuerySet.as_manager()

    class Meta:
        ordering = ["-is_owner", "user__first_name", "user__username"]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.user.get_full_name() or self.user.get_username()

    @property
    def is_removed(self) -> bool:
        return self.removed_at is not None

    def _other_owners(self) -> int:
        """Locks the clinic's team rows (PostgreSQL) so two owners stepping down at once
        can't both succeed; must run inside a transaction."""
        team = list(Therapist.objects.select_for_update().filter(clinic_id=self.clinic_id).current())
        return sum(1 for t in team if t.is_owner and t.pk != self.pk)

    def set_owner(self, is_owner: bool) -> None:
        """Give or take the owner role; a clinic always keeps at least one owner."""
        with transaction.atomic():
            if not is_owner and self.is_owner and not self._other_owners():
                raise ValidationError(
                    f"{self.display_name} is the clinic's only owner. Make someone else an owner first.",
                    code="last_owner",
                )
            self.is_owner = is_owner
            self.save(update_fields=["is_owner"])

    def remove(self) -> None:
        """Take them off the team: they can't log in any more, and every visit they saw
        keeps their name."""
        with transaction.atomic():
            if self.is_owner and not self._other_owners():
                raise ValidationError(
                    f"{self.display_name} is the clinic's only owner. Make someone else an owner first.",
                    code="last_owner",
                )
            self.removed_at = timezone.now()
            self.is_owner = False
            self.save(update_fields=["removed_at", "is_owner"])
            self.user.is_active = False
            self.user.save(update_fields=["is_active"])


class Invite(models.Model):
    """An invite link to join a clinic's team. The link is signed (it can't be made up),
    expires after INVITE_DAYS and works once."""

    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="invites")
    invited_by = models.ForeignKey(Therapist, on_delete=models.SET_NULL, null=True, related_name="+")
    name = models.CharField(_("who it's for"), max_length=120, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    used_at = models.DateTimeField(null=True, blank=True)
    used_by = models.ForeignKey(Therapist, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Invite to {self.clinic} ({self.name or 'anyone'})"

    @property
    def token(self) -> str:
        return signing.dumps(self.pk, salt=INVITE_SALT)

    @property
    def expires_at(self):
        return self.created_at + datetime.timedelta(days=INVITE_DAYS)

    def is_open(self) -> bool:
        return self.used_at is None and self.revoked_at is None and timezone.now() < self.expires_at

    @classmethod
    def find(cls, token: str) -> Invite | None:
        """The open invite a link stands for, or None (made up, expired, used or revoked)."""
        try:
            pk = signing.loads(token, salt=INVITE_SALT, max_age=datetime.timedelta(days=INVITE_DAYS))
        except signing.BadSignature:
            return None
        invite = cls.objects.filter(pk=pk).select_related("clinic").first()
        return invite if invite and invite.is_open() else None

    def accept(self, user) -> Therapist:
        """Put `user` on the team; refuses if someone used the link a moment ago."""
        with transaction.atomic():
            claimed = Invite.objects.filter(pk=self.pk, used_at__isnull=True, revoked_at__isnull=True).update(
                used_at=timezone.now()
            )
            if not claimed:
                raise ValidationError("This invite has just been used. Ask for a new one.", code="used")
            therapist = Therapist.objects.create(user=user, clinic_id=self.clinic_id)
            Invite.objects.filter(pk=self.pk).update(used_by=therapist)
        return therapist


# The last nine digits tell two numbers apart with or without the country code
# ("+44 7700 900123" and "07700 900123"); fewer than six typed are too few to say anything.
PHONE_DIGITS_COMPARED = 9
PHONE_DIGITS_COMPARED_MIN = 6


def _digits_of(field: str):
    expression = models.F(field)
    for mark in (" ", "-", "(", ")", ".", "+", "/"):
        expression = Replace(expression, Value(mark), Value(""))
    return expression


class ClientQuerySet(models.QuerySet):
    def for_clinic(self, clinic: Clinic) -> ClientQuerySet:
        return self.filter(clinic=clinic)

    def possible_duplicates(self, *, first_name: str = "", last_name: str = "", email: str = "", phone: str = "") -> ClientQuerySet:
        """Clients who may be the person about to be added: the same first name (and the
        same last name, unless either has none), the same email, or a phone number ending in
        the same digits (spaces, dashes, brackets and a leading + or 0 don't count)."""
        same = Q(pk__in=[])
        qs = self
        first, last = first_name.strip(), last_name.strip()
        if first:
            name = Q(first_name__iexact=first)
            if last:
                name &= Q(last_name__iexact=last) | Q(last_name="")
            same |= name
        if email.strip():
            same |= Q(email__iexact=email.strip())
        digits = re.sub(r"\D", "", phone)
        if len(digits) >= PHONE_DIGITS_COMPARED_MIN:
            qs = qs.annotate(phone_digits=_digits_of("phone"))
            same |= Q(phone_digits__endswith=digits[-PHONE_DIGITS_COMPARED:])
        return qs.filter(same)

    def search(self, text: str) -> ClientQuerySet:
        """Every word must match the start of a first name, last name or email."""
        qs = self
        # No stored name holds a NUL (forms refuse it), and PostgreSQL refuses one even in a
        # search: it separates words like a space.
        for word in text.replace("\x00", " ").split():
            qs = qs.filter(
                Q(first_name__istartswith=word) | Q(last_name__istartswith=word) | Q(email__istartswith=word)
            )
        return qs


class Client(models.Model):
    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="clients")
    first_name = models.CharField(max_length=60)
    last_name = models.CharField(max_length=60, blank=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    equipment = models.ManyToManyField(
        "exercises.Equipment", blank=True, related_name="clients", verbose_name=_("what they have at home")
    )
    equipment_recorded_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When someone asked what they have at home. Empty: not asked yet; set with no equipment: nothing at home.",
    )
    conditions = models.ManyToManyField(
        "exercises.Condition", blank=True, related_name="clients", verbose_name=_("health flags")
    )
    no_floor = models.BooleanField(
        _("can't get down to the floor"), default=False, help_text=_("Floor exercises go to the end of their suggestions.")
    )
    # Everything the client receives is in it: their page, handouts, calendar and emails.
    # A new client gets the clinic's (save() fills it in).
    language = models.CharField(
        _("their language"),
        max_length=8,
        choices=settings.LANGUAGES,
        blank=True,
        help_text=_("Their page, handouts and reminders are in this language."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ClientQuerySet.as_manager()

    class Meta:
        ordering = ["first_name", "last_name", "pk"]
        indexes = [
            models.Index(fields=["clinic", "first_name", "last_name"], name="client_clinic_name_idx"),
            models.Index(fields=["clinic", "last_name"], name="client_clinic_last_idx"),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def save(self, *args, **kwargs):
        if not self.language:
            self.language = self.clinic.language
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "language"}
        super().save(*args, **kwargs)

    @property
    def speaks(self) -> str:
        """The language everything they receive is in: theirs, or the clinic's for a row
        written without save() (bulk_create)."""
        return self.language or self.clinic.language

    @cached_property
    def at_home(self) -> list[int] | None:
        """Ids of the equipment they have at home; None while nobody has asked (no query
        then), an empty list for nothing at home. Runs a query the first time it is read."""
        if self.equipment_recorded_at is None:
            return None
        return list(self.equipment.values_list("pk", flat=True))

    def record_equipment(self, equipment) -> None:
        """What they have at home, asked today (an empty list: nothing at home)."""
        self.equipment.set(equipment)
        self.equipment_recorded_at = timezone.now()
        self.save(update_fields=["equipment_recorded_at", "updated_at"])
        self.__dict__.pop("at_home", None)
