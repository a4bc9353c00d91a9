"""The built-in library and the seed commands."""

from io import StringIO

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from aftercare.models import HomeworkItem, Visit
from clients.models import Client, Clinic
from exercises.models import Complaint, Condition, Equipment, Exercise, ExerciseComplaint
from exercises.seeding import load_library

ILLUSTRATIONS = settings.BASE_DIR / "static" / "exercises" / "illustrations"


def library_counts():
    return (
        Complaint.objects.count(),
        Equipment.objects.count(),
        Exercise.objects.count(),
        ExerciseComplaint.objects.count(),
        Exercise.equipment.through.objects.count(),
    )


def test_a_new_database_has_the_whole_library(db):
    builtins = Exercise.objects.filter(clinic=None)
    assert builtins.count() >= 40
    helped = Complaint.objects.filter(exercises__clinic=None).distinct()
    assert helped.count() >= 12
    for complaint in Complaint.objects.all():
        assert complaint.exercises.count() >= 3, f"{complaint} has too few exercises"
    assert set(builtins.values_list("kind", flat=True)) == set(Exercise.Kind.values)


def test_every_exercise_is_complete_and_has_its_picture(db):
    for exercise in Exercise.objects.filter(clinic=None).prefetch_related("complaints"):
        assert len(exercise.step_list()) >= 3, exercise.slug
        assert exercise.why and exercise.cautions, exercise.slug
        assert exercise.dose_text(), exercise.slug
        assert exercise.complaints.exists(), exercise.slug
        picture = ILLUSTRATIONS / exercise.illustration
        assert picture.is_file(), f"{exercise.slug}: no {picture.name}"
        svg = picture.read_text()
        assert "<svg" in svg and "http://" not in svg.replace("http://www.w3.org/", ""), exercise.slug


def test_seed_library_is_idempotent(db):
    before = library_counts()
    out = StringIO()
    call_command("seed_library", stdout=out)
    call_command("seed_library", stdout=out)
    assert library_counts() == before
    assert "(0 new)" in out.getvalue()


def _library_rows() -> dict:
    """Every built-in row, by slugs rather than ids, without its change times."""

    def rows(queryset, *fields):
        return sorted(queryset.values_list(*fields), key=repr)

    exercise_fields = [f.name for f in Exercise._meta.concrete_fields
                       if f.name not in {"id", "created_at", "updated_at", "easier", "harder", "clinic", "copied_from"}]
    return {
        "complaints": rows(Complaint.objects.filter(clinic=None), "slug", "name", "body_area", "description", "red_flags"),
        "equipment": rows(Equipment.objects.all(), "slug", "name", "everyday"),
        "conditions": rows(Condition.objects.all(), "slug", "name", "why", "position"),
        "exercises": rows(Exercise.objects.filter(clinic=None), *exercise_fields, "easier__slug", "harder__slug"),
        "needs": rows(Exercise.equipment.through.objects.all(), "exercise__slug", "equipment__slug"),
        "not_for": rows(Exercise.not_for.through.objects.all(), "exercise__slug", "condition__slug"),
        "ranks": rows(ExerciseComplaint.objects.all(), "exercise__slug", "complaint__slug", "rank"),
    }


def test_an_empty_database_gets_in_a_few_inserts_what_row_by_row_would_make(db):
    """load_library writes an empty database's library in bulk; then the row-by-row way,
    which puts every row back as library.py has it, finds nothing to change."""
    Exercise.objects.filter(clinic=None).delete()
    for model in (Complaint, Equipment, Condition):
        model.objects.all().delete()
    with CaptureQueriesContext(connection) as bulk:
        load_library(Complaint, Equipment, Exercise, ExerciseComplaint, Condition)
    assert len(bulk) < 20
    made_in_bulk = _library_rows()
    assert len(made_in_bulk["exercises"]) >= 130 and made_in_bulk["needs"] and made_in_bulk["not_for"]
    with CaptureQueriesContext(connection) as by_row:
        load_library(Complaint, Equipment, Exercise, ExerciseComplaint, Condition)
    assert len(by_row) > 1000  # the row-by-row way did run
    assert _library_rows() == made_in_bulk


def test_seed_library_puts_back_an_edited_builtin_and_keeps_clinic_exercises(clinic):
    tennis = Exercise.objects.get(clinic=None, slug="tennis-ball-suboccipital-release")
    tennis.name = "Changed by hand"
    tennis.save()
    own = Exercise.objects.create(
        clinic=clinic, slug="tennis-ball-suboccipital-release", name="Our version", kind="stretch",
        body_area="head_neck", steps="a", why="b", minutes=2,
    )
    call_command("seed_library", stdout=StringIO())
    tennis.refresh_from_db()
    own.refresh_from_db()
    assert tennis.name != "Changed by hand"
    assert own.name == "Our version"


def test_seed_demo_makes_a_clinic_a_login_and_clients_with_homework(db):
    call_command("seed_demo", stdout=StringIO())
    call_command("seed_demo", stdout=StringIO())
    clinic = Clinic.objects.get(name="Harbour Lane Massage")
    user = get_user_model().objects.get(username="demo")
    assert user.check_password("aftercare-demo")
    assert user.therapist.clinic == clinic and user.therapist.is_owner
    assert Client.objects.filter(clinic=clinic).count() >= 5
    assert Visit.objects.filter(client__clinic=clinic).count() >= 4
    assert HomeworkItem.objects.filter(visit__client__clinic=clinic).count() >= 4
    assert Clinic.objects.filter(name="Harbour Lane Massage").count() == 1
    today = Visit.objects.filter(client__clinic=clinic, date=timezone.localdate())
    assert today.count() == 2 and all(visit.items.count() == 2 for visit in today), "a stack to print today"


def test_the_demo_clinic_has_a_logo_and_a_booking_link_kept_when_run_again(db):
    from PIL import Image

    call_command("seed_demo", stdout=StringIO())
    clinic = Clinic.objects.get(name="Harbour Lane Massage")
    assert clinic.booking_url.startswith("https://")
    with clinic.logo.open("rb") as logo:
        assert Image.open(logo).size[0] > 0
    first_logo = clinic.logo.name
    call_command("seed_demo", stdout=StringIO())
    clinic.refresh_from_db()
    assert clinic.logo.name == first_logo  # not a second copy of the picture
