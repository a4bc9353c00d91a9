"""The two-item rule: visit.assign() and the database itself."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, close_old_connections, connection, transaction

from aftercare.models import HomeworkItem, Visit
from exercises.models import Exercise, HowOften
from tests.conftest import builtin, make_client, make_visit


def test_it_copies_the_exercise_dose_when_nothing_else_is_given(visit):
    exercise = builtin("tennis-ball-suboccipital-release")
    item = visit.assign(exercise)
    assert item.slot == 1
    assert item.dose() == exercise.dose()
    assert item.note == ""


def test_details_override_the_exercise_dose(visit):
    item = visit.assign(
        builtin("doorway-pec-stretch"), how_often=HowOften.WEEKLY, times_per_week=3, hold_seconds=45, note="After work"
    )
    item.refresh_from_db()
    assert (item.how_often, item.times_per_week, item.hold_seconds, item.note) == ("weekly", 3, 45, "After work")
    assert item.how_often_text() == "3 times a week"


def test_it_refuses_a_third_item(visit):
    visit.assign(builtin("tennis-ball-suboccipital-release"))
    visit.assign(builtin("doorway-pec-stretch"))
    with pytest.raises(ValidationError, match="already has two homework items"):
        visit.assign(builtin("psoas-release"))
    assert visit.items.count() == 2


def test_it_refuses_the_same_exercise_twice(visit):
    visit.assign(builtin("psoas-release"))
    with pytest.raises(ValidationError, match="already part of this visit"):
        visit.assign(builtin("psoas-release"))
    assert visit.items.count() == 1


def test_a_removed_item_frees_its_slot(visit):
    first = visit.assign(builtin("tennis-ball-suboccipital-release"))
    visit.assign(builtin("doorway-pec-stretch"))
    first.delete()
    again = visit.assign(builtin("psoas-release"))
    assert again.slot == 1


def test_it_refuses_a_weekly_item_without_days(visit):
    with pytest.raises(ValidationError) as caught:
        visit.assign(builtin("psoas-release"), how_often=HowOften.WEEKLY, times_per_week=None)
    assert "times_per_week" in caught.value.message_dict
    assert not visit.items.exists()


def test_it_refuses_another_clinics_exercise(visit, other_clinic):
    theirs = Exercise.objects.create(
        clinic=other_clinic, slug="theirs", name="Their stretch", kind="stretch", body_area="thighs",
        steps="Stretch", why="Because", hold_seconds=30,
    )
    with pytest.raises(ValidationError):
        visit.assign(theirs)


def test_the_database_refuses_a_third_row_however_it_is_written(visit):
    visit.assign(builtin("tennis-ball-suboccipital-release"))
    visit.assign(builtin("doorway-pec-stretch"))
    exercise = builtin("psoas-release")
    for slot in (1, 2, 3, 0):
        with pytest.raises(IntegrityError), transaction.atomic():
            HomeworkItem.objects.create(visit=visit, exercise=exercise, slot=slot, hold_seconds=30)
    with pytest.raises(IntegrityError), transaction.atomic():
        HomeworkItem.objects.bulk_create([HomeworkItem(visit=visit, exercise=exercise, slot=3, hold_seconds=30)])
    assert visit.items.count() == 2


def test_the_database_refuses_the_same_exercise_twice(visit):
    exercise = builtin("psoas-release")
    HomeworkItem.objects.create(visit=visit, exercise=exercise, slot=1, hold_seconds=30)
    with pytest.raises(IntegrityError), transaction.atomic():
        HomeworkItem.objects.create(visit=visit, exercise=exercise, slot=2, hold_seconds=30)


def assign_at_once(visit: Visit, exercises: list[Exercise]) -> list[str]:
    """Each exercise assigned from its own thread and database connection, all released at
    the same moment, as simultaneous requests would be."""
    start = threading.Barrier(len(exercises))
    outcomes = []

    def add(exercise):
        try:
            start.wait()
            Visit.objects.get(pk=visit.pk).assign(exercise)
            outcomes.append("added")
        except ValidationError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=add, args=(exercise,)) for exercise in exercises]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    close_old_connections()
    return sorted(outcomes)


@pytest.mark.django_db(transaction=True)
def test_simultaneous_assigns_never_make_a_third_item(clinic):
    visit = make_visit(make_client(clinic), "headaches")
    exercises = list(Exercise.objects.filter(clinic=None).order_by("pk")[:6])
    assert assign_at_once(visit, exercises) == ["added", "added"] + ["refused"] * 4
    assert sorted(visit.items.values_list("slot", flat=True)) == [1, 2]


@pytest.mark.django_db(transaction=True)
def test_simultaneous_assigns_of_one_exercise_keep_one(clinic):
    visit = make_visit(make_client(clinic), "headaches")
    assert assign_at_once(visit, [builtin("psoas-release")] * 4) == ["added"] + ["refused"] * 3
    assert visit.items.count() == 1
