"""Between visits: the client's word on their homework, and what the therapist reads of it.

On the client's link page a client says how an item felt ("getting easier", "about the
same", "it hurt"), once a day per item, and about the homework as a whole: "not today" or
"this doesn't fit my week", with a short note if they like. They tick missed days
afterwards too (the last seven; see TICKABLE_DAYS). The therapist reads it on the week page
(`between_rows`) and at the next visit ("since last time", `attach_since_last_time`); an
exercise that hurt a client is left out of that client's suggestions (`hurt_exercises`).

The models live here so the feature reads as one piece; models.py imports them so Django
finds them. What the link page shows of them is part of its change stamp
(aftercare/link_page.py, LOOKUP_SQL)."""

from __future__ import annotations

import datetime

from django.db import IntegrityError, models, transaction
from django.db.models import Case, Count, Exists, IntegerField, OuterRef, Q, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce, Length
from django.db.models.lookups import LessThanOrEqual
from django.utils.translation import gettext_lazy

# Today and the six days before it: a missed day can be ticked (or unticked) afterwards.
TICKABLE_DAYS = 7
# The week page lists the clients with homework from this far back.
BETWEEN_WEEKS = 6
# "Link never opened" is a flag once the homework is this many days old.
UNOPENED_AFTER_DAYS = 3
WORD_NOTE_LENGTH = 280


class Feeling(models.TextChoices):
    EASIER = "easier", gettext_lazy("Getting easier")
    SAME = "same", gettext_lazy("About the same")
    HURT = "hurt", gettext_lazy("It hurt")


class Word(models.TextChoices):
    NOT_TODAY = "not-today", gettext_lazy("Not today")
    DOESNT_FIT = "doesnt-fit", gettext_lazy("This doesn't fit my week")


class ItemFeeling(models.Model):
    """How one homework item felt to the client on one day: their last tap that day."""

    item = models.ForeignKey("aftercare.HomeworkItem", on_delete=models.CASCADE, related_name="feelings")
    day = models.DateField()
    feeling = models.CharField(max_length=10, choices=Feeling.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    # Part of the client page's change stamp (aftercare/link_page.py).
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["day"]
        constraints = [
            models.UniqueConstraint(fields=["item", "day"], name="feeling_once_a_day"),
            models.CheckConstraint(condition=Q(feeling__in=Feeling.values), name="feeling_known"),
        ]

    def __str__(self) -> str:
        return f"{self.item_id} felt {self.feeling} on {self.day}"

    @classmethod
    def say(cls, item, day: datetime.date, feeling: str) -> ItemFeeling:
        """Record (or change) how `item` felt on `day`: the same tap twice is one row."""
        for _ in range(2):
            try:
                with transaction.atomic():
                    row, _ = cls.objects.update_or_create(item=item, day=day, defaults={"feeling": feeling})
                return row
            except IntegrityError:  # the same tap a moment ago made the row: update that one
                continue
        return cls.objects.get(item=item, day=day)


class HomeworkWord(models.Model):
    """The client's word on a visit's homework as a whole, on one day."""

    visit = models.ForeignKey("aftercare.Visit", on_delete=models.CASCADE, related_name="words")
    day = models.DateField()
    word = models.CharField(max_length=12, choices=Word.choices)
    note = models.CharField(max_length=WORD_NOTE_LENGTH, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Part of the client page's change stamp (aftercare/link_page.py).
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["day", "created_at"]
        constraints = [
            models.UniqueConstraint(fields=["visit", "day", "word"], name="word_once_a_day"),
            models.CheckConstraint(condition=Q(word__in=Word.values), name="word_known"),
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("note"), WORD_NOTE_LENGTH), name="word_note_length"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_word_display()} on {self.day}"

    @classmethod
    def say(cls, visit, day: datetime.date, word: str, note: str = "") -> HomeworkWord:
        """Record the word; saying it again the same day keeps one row (the newest note,
        or the earlier one when this time has none)."""
        for _ in range(2):
            try:
                with transaction.atomic():
                    row, created = cls.objects.get_or_create(visit=visit, day=day, word=word, defaults={"note": note})
                    if not created:
                        row.note = note or row.note
                        row.save(update_fields=["note", "updated_at"])
                return row
            except IntegrityError:
                continue
        return cls.objects.get(visit=visit, day=day, word=word)


def tickable_days(today: datetime.date, given: datetime.date | None = None) -> list[datetime.date]:
    """The days a client may tick: the last seven, oldest first, none before the homework
    was given."""
    days = [today - datetime.timedelta(days=n) for n in range(TICKABLE_DAYS - 1, -1, -1)]
    return [day for day in days if given is None or day >= given]


def can_tick(day: datetime.date, today: datetime.date) -> bool:
    return today - datetime.timedelta(days=TICKABLE_DAYS - 1) <= day <= today


# ---- the client's page -------------------------------------------------------------


def page_annotations(today: datetime.date) -> dict:
    """What the link page's one homework query adds for each item: the days ticked in the
    last seven (as a bit mask, day n back is bit n), how it felt today and lately, and the
    client's newest word on its visit. Subqueries: no extra query."""
    from aftercare.models import CheckIn

    days = tickable_days(today)
    mask = (
        CheckIn.objects.filter(item=OuterRef("pk"), day__gte=days[0], day__lte=today)
        .order_by()
        .values("item")
        .annotate(
            mask=Sum(
                Case(*[When(day=day, then=Value(1 << (today - day).days)) for day in days], default=Value(0)),
                output_field=IntegerField(),
            )
        )
        .values("mask")[:1]
    )
    feelings = ItemFeeling.objects.filter(item=OuterRef("pk")).order_by("-day")
    words = HomeworkWord.objects.filter(visit=OuterRef("visit_id")).order_by("-day", "-updated_at")
    return {
        "recent_mask": Coalesce(Subquery(mask), 0),
        "feeling_today": Subquery(feelings.filter(day=today).values("feeling")[:1]),
        "latest_feeling": Subquery(feelings.values("feeling")[:1]),
        "latest_feeling_day": Subquery(feelings.values("day")[:1]),
        "word": Subquery(words.values("word")[:1]),
        "word_day": Subquery(words.values("day")[:1]),
        "word_note": Subquery(words.values("note")[:1]),
    }


def attach_days(items, today: datetime.date) -> None:
    """Give each item of the page `recent_days`: [(day, ticked)] for the days the client can
    tick, oldest first (from the annotations above)."""
    for item in items:
        mask = getattr(item, "recent_mask", 0) or 0
        item.recent_days = [(day, bool(mask & (1 << (today - day).days))) for day in tickable_days(today, item.visit.date)]
        item.recent_count = sum(1 for _, ticked in item.recent_days if ticked)


# ---- the visit page ----------------------------------------------------------------


def attach_since_last_time(items) -> None:
    """Give each of last time's items `felt` (every day's word, oldest first) and `hurt`,
    and their visit `client_words` (the client's words on that homework). Two queries."""
    items = list(items)
    if not items:
        return
    by_item: dict[int, list[ItemFeeling]] = {item.pk: [] for item in items}
    for feeling in ItemFeeling.objects.filter(item__in=items).order_by("day"):
        by_item[feeling.item_id].append(feeling)
    words = list(HomeworkWord.objects.filter(visit__in={item.visit_id for item in items}).order_by("day", "created_at"))
    for item in items:
        item.felt = by_item[item.pk]
        item.hurt = any(f.feeling == Feeling.HURT for f in item.felt)
        item.visit.client_words = [word for word in words if word.visit_id == item.visit_id]


def hurt_exercises(client_id: int):
    """The exercises that hurt this client (any day's "it hurt" on an item of theirs), as
    a subquery of exercise ids."""
    return ItemFeeling.objects.filter(item__visit__client=client_id, feeling=Feeling.HURT).values("item__exercise")


# ---- the therapist's week ----------------------------------------------------------


class Flag(models.IntegerChoices):
    HURT = 1, gettext_lazy("It hurt")
    DOESNT_FIT = 2, gettext_lazy("Doesn't fit their week")
    UNOPENED = 3, gettext_lazy("Link never opened")
    NONE = 9, ""


def between_rows(clinic, today: datetime.date, *, therapist=None):
    """The clinic's clients with homework from the last BETWEEN_WEEKS weeks, each with the
    days they ticked this week and last, their newest word, when they were last nudged
    and a flag; flagged first ("it hurt", then "doesn't fit my week", then "link never
    opened" after UNOPENED_AFTER_DAYS days), newest homework next. `therapist`: only the
    clients whose newest homework they gave. One query for any page of it, whatever the
    number of clients: every figure is a subquery of the row."""
    from aftercare.audit import Action, AuditEvent
    from aftercare.models import CheckIn, Visit
    from aftercare.nudges import Nudge
    from aftercare.reminder_models import PushSubscription, ReminderPlan
    from clients.models import Client

    since = today - datetime.timedelta(weeks=BETWEEN_WEEKS)
    monday = today - datetime.timedelta(days=today.weekday())
    last_monday = monday - datetime.timedelta(weeks=1)
    homework = Visit.objects.filter(client=OuterRef("pk"), date__gte=since, date__lte=today).with_homework().order_by(
        "-date", "-created_at"
    )

    def days_ticked(first: datetime.date, last: datetime.date):
        ticks = (
            CheckIn.objects.filter(item__visit__client=OuterRef("pk"), day__gte=first, day__lte=last)
            .order_by()
            .values("item__visit__client")
            .annotate(n=Count("day", distinct=True))
            .values("n")[:1]
        )
        return Coalesce(Subquery(ticks), 0)

    feelings = ItemFeeling.objects.filter(item__visit__client=OuterRef("pk"), day__gte=since).order_by("-day", "-updated_at")
    words = HomeworkWord.objects.filter(visit__client=OuterRef("pk"), day__gte=since).order_by("-day", "-updated_at")
    later_feeling = ItemFeeling.objects.filter(item=OuterRef("item"), day__gt=OuterRef("day"))
    rows = (
        Client.objects.for_clinic(clinic)
        .filter(Exists(homework))
        .annotate(
            homework_visit=Subquery(homework.values("pk")[:1]),
            homework_date=Subquery(homework.values("date")[:1]),
            homework_therapist=Subquery(homework.values("therapist")[:1]),
        )
    )
    if therapist is not None:
        rows = rows.filter(homework_therapist=therapist.pk)
    rows = rows.annotate(
        this_week=days_ticked(monday, today),
        last_week=days_ticked(last_monday, monday - datetime.timedelta(days=1)),
        # Hurt: an item of the newest homework whose latest word is "it hurt".
        hurt=Exists(
            ItemFeeling.objects.filter(item__visit=OuterRef("homework_visit"), feeling=Feeling.HURT).exclude(
                Exists(later_feeling)
            )
        ),
        doesnt_fit=Exists(HomeworkWord.objects.filter(visit=OuterRef("homework_visit"), word=Word.DOESNT_FIT)),
        opened=Exists(
            AuditEvent.objects.filter(
                client=OuterRef("pk"), action=Action.LINK_OPENED, at__date__gte=OuterRef("homework_date")
            )
        ),
        feeling=Subquery(feelings.values("feeling")[:1]),
        feeling_day=Subquery(feelings.values("day")[:1]),
        feeling_at=Subquery(feelings.values("updated_at")[:1]),
        feeling_exercise=Subquery(feelings.values("item__exercise__name")[:1]),
        word=Subquery(words.values("word")[:1]),
        word_day=Subquery(words.values("day")[:1]),
        word_at=Subquery(words.values("updated_at")[:1]),
        word_note=Subquery(words.values("note")[:1]),
        last_nudge=Subquery(Nudge.objects.filter(client=OuterRef("pk")).order_by("-created_at").values("created_at")[:1]),
        # A nudge can reach them: an address on their record or confirmed for reminders, or
        # a phone that takes notifications (aftercare/nudges.py decides, row by row, on send).
        reachable=Q(email__gt="") | Exists(PushSubscription.objects.filter(client=OuterRef("pk"))) | Exists(
            ReminderPlan.objects.filter(client=OuterRef("pk"), email__gt="", email_confirmed_at__isnull=False)
        ),
    ).annotate(
        flag=Case(
            When(hurt=True, then=Value(Flag.HURT)),
            When(doesnt_fit=True, then=Value(Flag.DOESNT_FIT)),
            When(
                Q(opened=False, homework_date__lte=today - datetime.timedelta(days=UNOPENED_AFTER_DAYS)),
                then=Value(Flag.UNOPENED),
            ),
            default=Value(Flag.NONE),
            output_field=IntegerField(),
        )
    )
    return rows.order_by("flag", "-homework_date", "first_name", "last_name", "pk")


def latest_word(row) -> dict | None:
    """The newest of a week row's feeling and word, as the page shows it."""
    feeling = {"day": row.feeling_day, "at": row.feeling_at, "text": Feeling(row.feeling).label,
               "about": row.feeling_exercise, "hurt": row.feeling == Feeling.HURT} if row.feeling else None
    word = {"day": row.word_day, "at": row.word_at, "text": Word(row.word).label, "note": row.word_note} if row.word else None
    if feeling and word:
        return max(feeling, word, key=lambda said: (said["day"], said["at"]))
    return feeling or word
