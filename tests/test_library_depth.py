"""The library is deep enough for every clinic and complete on every exercise: counts,
the things a client can do with nothing at home, the new fields, the text slips of #16,
and a reload that keeps every homework item on the same exercise."""

from django.core.management import call_command

from aftercare.models import HomeworkItem
from exercises import library
from exercises.models import Complaint, Exercise, HowOften, Position
from tests.conftest import builtin, make_client, make_visit

ADDED_FOR_16 = ["sciatica-like", "pregnancy-back-hip", "post-event-soreness", "shoulder-cuff", "outer-elbow",
                "inner-elbow", "wrist-hand-thumb", "desk-posture", "shins", "stiff-mid-back"]

# The 65 exercises the library had before #16: their slugs keep working.
FIRST_SLUGS = [
    "tennis-ball-suboccipital-release", "chin-tucks", "upper-trap-stretch", "levator-scapulae-stretch",
    "tennis-ball-levator-release", "neck-turns", "temple-scalp-massage", "jaw-muscle-massage", "jaw-rest-position",
    "jaw-controlled-opening", "warm-towel-jaw", "doorway-pec-stretch", "wall-angels", "band-pull-aparts",
    "towel-chest-opener", "foam-roller-upper-back", "tennis-ball-between-shoulder-blades", "thread-the-needle",
    "cross-body-shoulder-stretch", "shoulder-pendulum", "towel-shoulder-stretch", "band-external-rotation",
    "shoulder-rolls", "shrug-and-drop", "wrist-flexor-stretch", "wrist-extensor-stretch", "forearm-ball-rolling",
    "hand-tendon-glides", "band-wrist-extension", "knees-to-chest", "lying-spinal-twist", "cat-cow", "childs-pose",
    "pelvic-tilts", "glute-bridge", "bird-dog", "psoas-release", "figure-four-stretch", "tennis-ball-glute-release",
    "seated-piriformis-stretch", "clamshells", "kneeling-hip-flexor-stretch", "standing-hip-flexor-stretch",
    "standing-quad-stretch", "towel-hamstring-stretch", "seated-hamstring-stretch", "step-hamstring-stretch",
    "foam-roller-hamstrings", "hamstring-walkouts", "standing-outer-hip-stretch", "foam-roller-outer-thigh",
    "tennis-ball-outer-hip-release", "side-lying-leg-raise", "calf-rolling-foam-roller", "calf-rolling-tennis-ball",
    "wall-calf-stretch", "bent-knee-calf-stretch", "slow-heel-raises", "frozen-bottle-foot-roll", "towel-foot-stretch",
    "massage-ball-foot-roll", "towel-toe-scrunches", "belly-breathing", "legs-up-the-wall", "body-scan-relaxation",
]


def test_at_least_130_exercises_and_26_complaints_each_with_four(db):
    assert Exercise.objects.filter(clinic=None).count() >= 130
    assert Complaint.objects.filter(clinic=None).count() >= 26
    for complaint in Complaint.objects.filter(clinic=None):
        assert complaint.exercises.count() >= 4, complaint.slug
    assert set(ADDED_FOR_16) <= set(Complaint.objects.values_list("slug", flat=True))


def test_every_complaint_has_two_things_to_do_with_nothing_at_home(db):
    for complaint in Complaint.objects.filter(clinic=None):
        nothing = [e for e in complaint.exercises.prefetch_related("equipment") if not e.equipment.all()]
        assert len(nothing) >= 2, complaint.slug


def test_every_exercise_is_complete_with_the_new_fields(db):
    for exercise in Exercise.objects.filter(clinic=None):
        exercise.full_clean()  # its dose holds, its choices are real
        assert exercise.feel and exercise.mistake and exercise.quick, exercise.slug
        assert exercise.position in Position.values, exercise.slug
        if exercise.position == Position.FLOOR:
            assert exercise.off_floor, f"{exercise.slug}: a floor exercise needs its chair or bed version, or says none"
        steps = " ".join(exercise.step_list()).lower()
        if exercise.side == "each":
            assert any(w in steps for w in ("side", "swap", "other", "each", "both")), exercise.slug


def test_easier_and_harder_versions_point_both_ways_sensibly(db):
    linked = Exercise.objects.filter(clinic=None, harder__isnull=False)
    assert linked.count() >= 10
    for exercise in linked:
        assert exercise.harder_id != exercise.pk


def test_the_slips_named_in_the_issue_are_fixed(db):
    jaw = builtin("jaw-rest-position")
    assert jaw.how_often == HowOften.SEVERAL and jaw.how_often_text() == "Several times a day"
    needle = builtin("thread-the-needle")
    assert needle.dose_text() == "6 reps, hold 5 seconds" and "Do 6" in needle.steps and "5 seconds" in needle.steps
    trap = builtin("upper-trap-stretch")
    assert trap.sets == 2 and "twice" in trap.steps
    hip = builtin("tennis-ball-outer-hip-release")
    assert "front of the hip bone" not in hip.name and "off the bone" in hip.steps
    assert builtin("levator-scapulae-stretch").name.startswith("Nose-to-pocket")


def test_the_first_65_slugs_are_all_still_there(db):
    assert set(FIRST_SLUGS) <= {row["slug"] for row in library.EXERCISES}
    assert Exercise.objects.filter(clinic=None, slug__in=FIRST_SLUGS).count() == 65


def test_reloading_the_library_keeps_every_homework_item_on_the_same_exercise(clinic):
    visit = make_visit(make_client(clinic), "headaches")
    items = [visit.assign(builtin(slug)) for slug in ("jaw-rest-position", "thread-the-needle")]
    before = {item.pk: (item.exercise_id, item.exercise.slug) for item in items}
    call_command("seed_library", verbosity=0)
    after = {item.pk: (item.exercise_id, item.exercise.slug) for item in HomeworkItem.objects.select_related("exercise")}
    assert after == before
