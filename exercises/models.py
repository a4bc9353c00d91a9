from __future__ import annotations

import copy
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.db.models import Case, Count, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce, Length
from django.db.models.lookups import LessThanOrEqual
from django.templatetags.static import static
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from django.utils.translation import get_language, gettext, ngettext, pgettext

from exercises.translations import KEEPS_CAPITALS, library_text, supported


class BodyArea(models.TextChoices):
    HEAD_NECK = "head_neck", _("Head and neck")
    SHOULDERS = "shoulders", _("Shoulders")
    CHEST = "chest", _("Chest")
    UPPER_BACK = "upper_back", _("Upper back")
    LOWER_BACK = "lower_back", _("Lower back")
    HIPS_GLUTES = "hips_glutes", _("Hips and glutes")
    THIGHS = "thighs", _("Thighs")
    LOWER_LEGS = "lower_legs", _("Calves and shins")
    FEET = "feet", _("Feet")
    ARMS_HANDS = "arms_hands", _("Arms and hands")
    WHOLE_BODY = "whole_body", _("Whole body")


class HowOften(models.TextChoices):
    SEVERAL = "several", _("Several times a day")
    DAILY = "daily", _("Every day")
    WEEKLY = "weekly", _("Some days a week")
    AS_NEEDED = "as_needed", _("When symptoms appear")


class Dose(models.Model):
    """How often and how much: the exercise's default, copied onto each homework item."""

    how_often = models.CharField(max_length=12, choices=HowOften.choices, default=HowOften.DAILY)
    times_per_week = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(6)]
    )
    sets = models.PositiveSmallIntegerField(null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(20)])
    reps = models.PositiveSmallIntegerField(null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(100)])
    hold_seconds = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(600)]
    )
    minutes = models.PositiveSmallIntegerField(null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(120)])

    DOSE_FIELDS = ("how_often", "times_per_week", "sets", "reps", "hold_seconds", "minutes")
    LIMITS = {"times_per_week": 6, "sets": 20, "reps": 100, "hold_seconds": 600, "minutes": 120}

    class Meta:
        abstract = True

    def clean(self) -> None:
        super().clean()
        if self.how_often == HowOften.WEEKLY and not self.times_per_week:
            raise ValidationError({"times_per_week": "Say how many days a week (1 to 6)."})
        if self.how_often != HowOften.WEEKLY:
            self.times_per_week = None
        if not any((self.sets, self.reps, self.hold_seconds, self.minutes)):
            raise ValidationError("Give a dose: sets and reps, a hold in seconds, or minutes.", code="no_dose")

    def how_often_text(self) -> str:
        """In the active language, as are the dose and the other words for people here."""
        if self.how_often == HowOften.WEEKLY and self.times_per_week:
            if self.times_per_week == 2:
                return gettext("Twice a week")
            return ngettext("Once a week", "%(count)d times a week", self.times_per_week) % {
                "count": self.times_per_week
            }
        return str(self.get_how_often_display())

    def dose_text(self) -> str:
        parts = []
        reps = ngettext("%(count)d rep", "%(count)d reps", self.reps or 0) % {"count": self.reps or 0}
        if self.sets and self.reps:
            parts.append(ngettext("%(sets)d set of %(reps)s", "%(sets)d sets of %(reps)s", self.sets)
                         % {"sets": self.sets, "reps": reps} if self.sets > 1 else reps)
        elif self.reps:
            parts.append(reps)
        elif self.sets:
            parts.append(ngettext("%(count)d round", "%(count)d rounds", self.sets) % {"count": self.sets}
                         if self.sets > 1 else gettext("once"))
        if self.hold_seconds:
            parts.append(ngettext("hold %(count)d second", "hold %(count)d seconds", self.hold_seconds)
                         % {"count": self.hold_seconds})
        if self.minutes:
            parts.append(ngettext("%(count)d minute", "%(count)d minutes", self.minutes) % {"count": self.minutes})
        # Translators: between the parts of a dose, "2 sets of 10 reps, hold 3 seconds".
        return pgettext("dose", ", ").join(parts)

    def dose(self) -> dict:
        return {name: getattr(self, name) for name in self.DOSE_FIELDS}


class ComplaintQuerySet(models.QuerySet):
    def for_clinic(self, clinic) -> ComplaintQuerySet:
        """The built-in complaints and the clinic's own."""
        return self.filter(Q(clinic__isnull=True) | Q(clinic=clinic))


class Complaint(models.Model):
    """Something a client comes in with, as they would say it at intake. Built-in (no
    clinic) or a clinic's own."""

    clinic = models.ForeignKey(
        "clients.Clinic",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="complaints",
        help_text="Empty for the built-in complaints.",
    )
    slug = models.SlugField(max_length=80)
    name = models.CharField(max_length=80)
    body_area = models.CharField(max_length=20, choices=BodyArea.choices)
    description = models.CharField(max_length=240, blank=True)
    red_flags = models.TextField(
        "see a doctor first if",
        blank=True,
        help_text="One sign per line, short, in a client's words: when to see a doctor before any homework.",
    )
    # A clinic's own complaint in other languages, {"fr": {"name": ..., "red_flags": ...}}:
    # what a client reading that language sees (in_language()).
    translations = models.JSONField(default=dict, blank=True)
    # Part of the client page's change stamp (aftercare/link_page.py): the page prints red flags.
    updated_at = models.DateTimeField(auto_now=True)

    objects = ComplaintQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["slug"], condition=Q(clinic__isnull=True), name="complaint_builtin_slug_unique"
            ),
            models.UniqueConstraint(fields=["clinic", "slug"], name="complaint_clinic_slug_unique"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_builtin(self) -> bool:
        return self.clinic_id is None

    def red_flag_list(self) -> list[str]:
        return [line.strip() for line in self.red_flags.splitlines() if line.strip()]

    TRANSLATED_FIELDS = ("name", "description", "red_flags")

    def in_language(self, language: str | None = None) -> Complaint:
        """This complaint as a client reading `language` (the active one by default) sees
        it: a copy, never to be saved, with the clinic's own text in that language where it
        wrote one, else the library's translation; else the text as the clinic wrote it."""
        return _in_language(self, language)

    def set_texts(self, language: str, texts: dict) -> None:
        _set_texts(self, language, texts)

    def make_slug(self) -> str:
        """A slug from the name that no other complaint of the clinic has (runs a query)."""
        base = slugify(self.name)[:70] or "complaint"
        taken = set(
            Complaint.objects.filter(clinic_id=self.clinic_id, slug__startswith=base)
            .exclude(pk=self.pk)
            .values_list("slug", flat=True)
        )
        slug, n = base, 2
        while slug in taken:
            slug, n = f"{base}-{n}", n + 1
        return slug


class Condition(models.Model):
    """A health flag on a client (pregnancy, osteoporosis...): exercises that are not for
    it are left out of their suggestions, and carry a warning when found by search."""

    slug = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=80)
    why = models.CharField(
        max_length=240, blank=True, help_text="What it changes, for the therapist: which exercises give way."
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name


class Equipment(models.Model):
    slug = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=80)
    everyday = models.BooleanField(
        default=False,
        help_text="Most homes have one (a wall, a towel, a chair): ticked for a client until the therapist unticks it.",
    )

    class Meta:
        ordering = ["everyday", "name"]
        verbose_name_plural = "equipment"

    def __str__(self) -> str:
        return self.name


class ExerciseQuerySet(models.QuerySet):
    def for_clinic(self, clinic) -> ExerciseQuerySet:
        """Everything the clinic may look at: the built-in library and its own, retired too."""
        return self.filter(Q(clinic__isnull=True) | Q(clinic=clinic))

    def available_to(self, clinic) -> ExerciseQuerySet:
        """The built-in library plus the clinic's own, without retired exercises: what can
        be given as new homework. A built-in the clinic has made its own version of gives
        way to that version."""
        copied = Exercise.objects.filter(clinic=clinic, based_on__isnull=False).values("based_on")
        return self.for_clinic(clinic).filter(retired=False).exclude(pk__in=copied)

    def with_pictures(self) -> ExerciseQuerySet:
        """Fetches every uploaded picture in one query, so picture_url() costs none."""
        return self.prefetch_related("pictures")

    def search(self, text: str, clinic=None) -> ExerciseQuerySet:
        """Every word in the name or in a complaint it helps (built-in or the clinic's own)."""
        qs = self
        for word in text.split():
            qs = qs.filter(
                Q(name__icontains=word)
                | Q(complaints__name__icontains=word, complaints__clinic__isnull=True)
                | Q(complaints__name__icontains=word, complaints__clinic=clinic)
            )
        return qs.distinct()

    def not_for_any(self, conditions) -> ExerciseQuerySet:
        """Leaves out exercises that are not for any of `conditions` (ids, or a QuerySet of
        them, which stays a subquery)."""
        flagged = Exercise.not_for.through.objects.filter(condition_id__in=conditions).values("exercise")
        return self.exclude(pk__in=flagged)

    def suggested_for(
        self, complaints: Iterable, at_home: Iterable | None, *, conditions=None, floor_ok: bool = True
    ) -> ExerciseQuerySet:
        """Exercises that help any of `complaints`, best first, none that is not for one of
        the client's `conditions`.

        `at_home` is the equipment ids the client has (None while nobody has asked: then
        equipment reorders nothing; an empty list: nothing at home). In order:
        - with `floor_ok` False (the client can't get down to the floor), floor exercises last;
        - the ones the client can do with what they have;
        - each complaint's first choice (rank 1), so the exercise a therapist reaches for
          first stays first whenever the client can do it;
        - then those that use something the client owns (a ball they bought goes to use);
        - then by rank, then the ones that help more of the complaints at once.
        """
        if isinstance(complaints, models.QuerySet):
            complaint_ids = complaints.values("pk")  # stays a subquery
        else:
            complaint_ids = [getattr(c, "pk", c) for c in complaints]
        links = ExerciseComplaint.objects.filter(exercise=OuterRef("pk"), complaint_id__in=complaint_ids)
        qs = self.filter(pk__in=ExerciseComplaint.objects.filter(complaint_id__in=complaint_ids).values("exercise"))
        if conditions is not None:
            qs = qs.not_for_any(conditions)
        qs = qs.annotate(
            best_rank=Subquery(links.order_by("rank").values("rank")[:1]),
            complaints_helped=Subquery(
                links.order_by().values("exercise").annotate(n=Count("pk")).values("n")
            ),
        )
        if at_home is None:
            qs = qs.annotate(missing_count=Value(0), owned_count=Value(0))
        else:
            at_home = list(at_home)
            kit = Exercise.equipment.through.objects.filter(exercise=OuterRef("pk")).order_by().values("exercise")
            count = lambda rows: Coalesce(Subquery(rows.annotate(n=Count("pk")).values("n")), Value(0))  # noqa: E731
            qs = qs.annotate(
                missing_count=count(kit.exclude(equipment_id__in=at_home)),
                owned_count=count(kit.filter(equipment_id__in=at_home, equipment__everyday=False)),
            )
        floor_last = Value(0) if floor_ok else Case(When(position=Position.FLOOR, then=Value(1)), default=Value(0))
        first_choice = Case(When(best_rank=1, then=Value(0)), default=Value(1))
        qs = qs.annotate(floor_last=floor_last, not_first_choice=first_choice)
        return qs.order_by(
            "floor_last", "missing_count", "not_first_choice", "-owned_count", "best_rank", "-complaints_helped", "name"
        )


class Side(models.TextChoices):
    NONE = "", _("No side")
    BOTH = "both", _("Both sides at once")
    EACH = "each", _("Each side in turn")
    LEFT = "left", _("Left side")
    RIGHT = "right", _("Right side")


class Position(models.TextChoices):
    STANDING = "standing", _("Standing")
    CHAIR = "chair", _("Sitting on a chair")
    BED = "bed", _("Lying on a bed")
    FLOOR = "floor", _("On the floor")


class Exercise(Dose):
    class Kind(models.TextChoices):
        STRETCH = "stretch", _("Stretch")
        SELF_MASSAGE = "self_massage", _("Self-massage")
        STRENGTHENING = "strengthening", _("Strengthening")
        MOBILITY = "mobility", _("Mobility")
        RELAXATION = "relaxation", _("Relaxation")

    clinic = models.ForeignKey(
        "clients.Clinic",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="exercises",
        help_text="Empty for the built-in library.",
    )
    slug = models.SlugField(max_length=80)
    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    body_area = models.CharField(max_length=20, choices=BodyArea.choices)
    complaints = models.ManyToManyField(
        Complaint, through="ExerciseComplaint", related_name="exercises", verbose_name=_("what it helps")
    )
    equipment = models.ManyToManyField(
        Equipment, blank=True, related_name="exercises", verbose_name=_("what it needs")
    )
    # Limits nobody writing for a client reaches (the built-in library's longest steps are
    # under 500 characters) that keep a handout under a second; the database holds them too.
    steps = models.TextField(help_text=_("One step per line."), max_length=3000)
    why = models.TextField(_("why it helps"), max_length=1000)
    cautions = models.TextField(blank=True, max_length=1000)
    illustration = models.CharField(
        max_length=120, blank=True, help_text="A built-in drawing in static/exercises/illustrations/."
    )
    not_for = models.ManyToManyField(
        Condition,
        blank=True,
        related_name="exercises_to_avoid",
        verbose_name=_("not for"),
        help_text="Health flags this is not for: never suggested to those clients, and a warning when found.",
    )
    side = models.CharField(max_length=5, choices=Side.choices, blank=True, default=Side.NONE)
    position = models.CharField(
        _("starting position"), max_length=10, choices=Position.choices, default=Position.STANDING
    )
    off_floor = models.CharField(
        _("without getting down to the floor"),
        max_length=300,
        blank=True,
        help_text=_("For a floor exercise: its chair or bed version, or that there is none."),
    )
    feel = models.CharField(_("what you should feel"), max_length=240, blank=True)
    mistake = models.CharField(_("a common mistake"), max_length=240, blank=True)
    quick = models.CharField(
        _("if you only have a moment"), max_length=300, blank=True, help_text=_("A 30-second version.")
    )
    easier = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="harder_versions",
        verbose_name=_("easier version"),
    )
    harder = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="easier_versions",
        verbose_name=_("harder version"),
    )
    based_on = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="copies",
        help_text="The built-in exercise this clinic version was copied from; it stands in for it.",
    )
    retired = models.BooleanField(
        default=False, help_text="Retired exercises are no longer suggested or found for new homework."
    )
    # A clinic's own exercise in other languages, {"fr": {"name": ..., "steps": ...}}: what a
    # client reading that language sees (in_language()). One row, so the client page and
    # handouts read it with the exercise and its updated_at stamps it.
    translations = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ExerciseQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["slug"], condition=Q(clinic__isnull=True), name="exercise_builtin_slug_unique"
            ),
            models.UniqueConstraint(fields=["clinic", "slug"], name="exercise_clinic_slug_unique"),
            *(
                models.CheckConstraint(condition=LessThanOrEqual(Length(field), most), name=f"exercise_{field}_length")
                for field, most in [("steps", 3000), ("why", 1000), ("cautions", 1000)]
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_builtin(self) -> bool:
        return self.clinic_id is None

    def step_list(self) -> list[str]:
        return [line.strip() for line in self.steps.splitlines() if line.strip()]

    TRANSLATED_FIELDS = ("name", "steps", "why", "cautions", "off_floor", "feel", "mistake", "quick")

    def in_language(self, language: str | None = None) -> Exercise:
        """This exercise as a client reading `language` (the active one by default) sees it:
        a copy, never to be saved, with the clinic's own text in that language where it
        wrote one (`translations`), else the library's translation (a built-in, or a
        clinic's copy of one that kept the library's words), else the text as the clinic
        wrote it, in the clinic's language."""
        return _in_language(self, language)

    def set_texts(self, language: str, texts: dict) -> None:
        _set_texts(self, language, texts)

    def first_picture(self) -> ExercisePicture | None:
        """The clinic's own first picture. Built-ins never have one, so they never query;
        a clinic exercise queries unless its pictures were prefetched (with_pictures())."""
        if self.clinic_id is None or self.pk is None:
            return None
        pictures = list(self.pictures.all())
        return min(pictures, key=lambda p: (p.position, p.pk)) if pictures else None

    def picture_url(self) -> str:
        picture = self.first_picture()
        if picture:
            return picture.image.url
        return self.illustration_url()

    def thumbnail_url(self) -> str:
        picture = self.first_picture()
        if picture:
            return picture.thumbnail.url
        return self.illustration_url()

    def illustration_url(self) -> str:
        if self.illustration:
            return static(f"exercises/illustrations/{self.illustration}")
        return static("exercises/illustrations/placeholder.svg")

    def make_slug(self) -> str:
        """A slug from the name that no other exercise of the same clinic has (runs a query)."""
        base = slugify(self.name)[:70] or "exercise"
        taken = set(
            Exercise.objects.filter(clinic_id=self.clinic_id, slug__startswith=base)
            .exclude(pk=self.pk)
            .values_list("slug", flat=True)
        )
        slug, n = base, 2
        while slug in taken:
            slug, n = f"{base}-{n}", n + 1
        return slug

    def copy_for(self, clinic) -> Exercise:
        """A clinic's own version of this exercise, with its complaints (and ranks), its
        equipment and its drawing; the clinic can then change anything on it."""
        copy = Exercise(
            clinic=clinic,
            based_on=self if self.is_builtin else None,
            **{name: getattr(self, name) for name in self.COPIED_FIELDS},
        )
        copy.slug = copy.make_slug()
        copy.save()
        copy.equipment.set(self.equipment.all())
        copy.not_for.set(self.not_for.all())
        ExerciseComplaint.objects.bulk_create(
            ExerciseComplaint(exercise=copy, complaint_id=link.complaint_id, rank=link.rank)
            for link in self.complaint_links.filter(Q(complaint__clinic__isnull=True) | Q(complaint__clinic=clinic))
        )
        return copy

    def add_pictures(self, files) -> None:
        """Keeps pictures clean_upload() made, after the ones the exercise already has."""
        start = max((p.position for p in self.pictures.all()), default=-1) + 1
        for position, file in enumerate(files, start=start):
            ExercisePicture.objects.create(exercise=self, image=file, thumbnail=file.thumbnail, position=position)

    COPIED_FIELDS = (
        "name", "kind", "body_area", "steps", "why", "cautions", "illustration", *Dose.DOSE_FIELDS,
        "side", "position", "off_floor", "feel", "mistake", "quick", "easier_id", "harder_id",
    )

    def missing_from(self, at_home: Iterable[int] | None) -> list[Equipment]:
        """What this needs that the client does not have (uses prefetched equipment). While
        nobody has asked (None), everyday things count as there."""
        have = set(at_home or ())
        return [e for e in self.equipment.all() if e.pk not in have and not (e.everyday and at_home is None)]

    def conflicts_with(self, conditions: Iterable[Condition]) -> list[Condition]:
        """The client's health flags this exercise is not for (uses prefetched not_for)."""
        mine = {c.pk for c in self.not_for.all()}
        return [c for c in conditions if c.pk in mine]

    @property
    def on_floor(self) -> bool:
        return self.position == Position.FLOOR

    def side_text(self) -> str:
        return self.get_side_display() if self.side else ""

    def where_text(self) -> str:
        """Starting position and side in a few words: "On the floor · each side in turn"."""
        parts = [str(self.get_position_display())]
        if self.side:
            side = str(self.get_side_display())
            parts.append(side if get_language() in KEEPS_CAPITALS else side.lower())
        return " · ".join(parts)


def _in_language(original, language: str | None):
    language = supported(language or get_language())
    own = (original.translations or {}).get(language) or {}
    shown = copy.copy(original)
    for field in original.TRANSLATED_FIELDS:
        setattr(shown, field, own.get(field) or library_text(getattr(original, field), language))
    return shown


def _set_texts(instance, language: str, texts: dict) -> None:
    """Keep `texts` as the instance's text in `language` (none: forget it). Locks the row
    first, so two people writing two languages at once both keep theirs."""
    with transaction.atomic():
        row = type(instance).objects.select_for_update().get(pk=instance.pk)
        translations = dict(row.translations or {})
        if texts:
            translations[language] = texts
        else:
            translations.pop(language, None)
        type(instance).objects.filter(pk=instance.pk).update(translations=translations, updated_at=timezone.now())
    instance.translations = translations


class ExerciseComplaint(models.Model):
    exercise = models.ForeignKey(Exercise, on_delete=models.CASCADE, related_name="complaint_links")
    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="exercise_links")
    rank = models.PositiveSmallIntegerField(
        default=50, help_text="1 is what a therapist reaches for first for this complaint."
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["exercise", "complaint"], name="exercise_complaint_unique"),
        ]


def picture_path(instance, filename: str) -> str:
    return f"exercises/{filename}"


class ExercisePicture(models.Model):
    """A clinic's own picture of one of its exercises, as clean_upload() re-encoded it."""

    exercise = models.ForeignKey(Exercise, on_delete=models.CASCADE, related_name="pictures")
    image = models.ImageField(upload_to=picture_path, width_field="width", height_field="height")
    thumbnail = models.ImageField(upload_to=picture_path)
    width = models.PositiveIntegerField(default=0, editable=False)
    height = models.PositiveIntegerField(default=0, editable=False)
    position = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return f"Picture {self.position + 1} of {self.exercise}"


@receiver(post_delete, sender=ExercisePicture)
def delete_picture_files(sender, instance: ExercisePicture, **kwargs) -> None:
    # Once the deletion is committed: an edit that fails later (a bucket that stops
    # answering halfway) rolls the picture's row back, and its files must still be there.
    names = [file.name for file in (instance.image, instance.thumbnail) if file]
    storage = instance.image.storage
    transaction.on_commit(lambda: [storage.delete(name) for name in names])
