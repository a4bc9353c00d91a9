"""Health flags on the client (exercises.Condition): suggestions never include an exercise
that is not for one of them; found by search it carries a warning, and giving it asks the
therapist to confirm. The floor flag and "nothing at home" reorder what comes first."""

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st
from pytest_django.asserts import assertContains, assertNotContains

import tests.fuzz  # noqa: F401  (loads the derandomized "ci" Hypothesis profile)
from aftercare.models import HomeworkItem
from exercises import library
from exercises.models import Complaint, Condition, Exercise, Position
from tests.conftest import builtin, make_client, make_visit

FLAGS = [row["slug"] for row in library.CONDITIONS]
COMPLAINTS = [row["slug"] for row in library.COMPLAINTS]


@given(
    flags=st.lists(st.sampled_from(FLAGS), max_size=4, unique=True),
    complaints=st.lists(st.sampled_from(COMPLAINTS), min_size=1, max_size=3, unique=True),
    no_floor=st.booleans(),
)
def test_suggestions_never_include_an_exercise_not_for_the_clients_flags(clinic, flags, complaints, no_floor):
    client = make_client(clinic, flags=tuple(flags), no_floor=no_floor)
    visit = make_visit(client, *complaints)
    suggested = list(visit.suggestions().prefetch_related("not_for"))
    for exercise in suggested:
        assert not {c.slug for c in exercise.not_for.all()} & set(flags), (exercise.slug, flags)
    # ...and everything else that helps is still there: nothing is lost but what is forbidden.
    helps = Exercise.objects.filter(clinic=None, complaints__slug__in=complaints).distinct()
    allowed = {e.slug for e in helps if not {c.slug for c in e.not_for.all()} & set(flags)}
    assert {e.slug for e in suggested} == allowed


def test_every_builtin_exercise_has_its_flags_decided(db):
    """not_for comes from library.not_for(): each exercise's own list plus the written rules."""
    for row in library.EXERCISES:
        exercise = builtin(row["slug"])
        assert sorted(c.slug for c in exercise.not_for.all()) == sorted(row["not_for"]), row["slug"]
        if {"tennis-ball", "foam-roller", "massage-ball"} & set(row["equipment"]):
            assert "blood-thinners" in row["not_for"], row["slug"]
    assert Condition.objects.count() >= 9


@pytest.mark.parametrize("flag, slug", [
    ("pregnancy", "psoas-release"),
    ("osteoporosis", "tennis-ball-between-shoulder-blades"),
    ("osteoporosis", "lying-spinal-twist"),
    ("blood-thinners", "calf-rolling-tennis-ball"),
    ("joint-replacement", "figure-four-stretch"),
    ("head-down", "legs-up-the-wall"),
    ("varicose-veins", "calf-rolling-foam-roller"),
])
def test_the_gaps_the_issue_named_are_closed(db, flag, slug):
    assert builtin(slug).not_for.filter(slug=flag).exists()


def test_the_seeds_examples_give_way_to_a_flag_and_something_else_leads(clinic):
    client = make_client(clinic, flags=("blood-thinners",))
    first = make_visit(client, "headaches").suggestions()[0]
    assert first.slug != "tennis-ball-suboccipital-release"
    assert not first.not_for.filter(slug="blood-thinners").exists()


def test_found_by_search_an_exercise_not_for_the_client_shows_a_warning(as_therapist, clinic, therapist):
    client = make_client(clinic, flags=("pregnancy",))
    visit = make_visit(client, "stubborn-piriformis", therapist=therapist)
    page = as_therapist.get(reverse("aftercare:visit-homework", args=[visit.pk]))
    assert "psoas-release" not in [ex.slug for ex, _ in page.context["suggestions"]]
    assertContains(page, "Pregnancy")
    found = as_therapist.get(reverse("aftercare:visit-homework", args=[visit.pk]), {"q": "psoas"})
    rows = {ex.slug: conflicts for ex, _, conflicts in found.context["results"].rows}
    assert [c.slug for c in rows["psoas-release"]] == ["pregnancy"]
    assertContains(found, "Not for pregnancy: check before you give it.")


def test_giving_an_exercise_not_for_the_client_asks_to_confirm(as_therapist, clinic, therapist):
    client = make_client(clinic, flags=("pregnancy",))
    visit = make_visit(client, "stubborn-piriformis", therapist=therapist)
    psoas = builtin("psoas-release")
    url = reverse("aftercare:item-add", args=[visit.pk, psoas.pk])
    assertContains(as_therapist.get(url), "Not usually for Maya")
    dose = {"how_often": "daily", "minutes": 10, "note": ""}
    refused = as_therapist.post(url, dose)
    assert refused.status_code == 400 and not HomeworkItem.objects.filter(visit=visit).exists()
    assertContains(refused, "Tick to confirm", status_code=400)
    as_therapist.post(url, {**dose, "confirm": "on"})
    assert HomeworkItem.objects.get(visit=visit).exercise == psoas


def test_an_exercise_without_conflicts_needs_no_confirmation(as_therapist, clinic, therapist):
    visit = make_visit(make_client(clinic, flags=("pregnancy",)), "headaches", therapist=therapist)
    url = reverse("aftercare:item-add", args=[visit.pk, builtin("chin-tucks").pk])
    assertNotContains(as_therapist.get(url), "Not usually for")
    as_therapist.post(url, {"how_often": "daily", "sets": 2, "reps": 10, "note": ""})
    assert visit.items.count() == 1


def test_cant_get_down_to_the_floor_keeps_floor_exercises_out_of_the_first_suggestions(clinic):
    for complaint in COMPLAINTS:
        visit = make_visit(make_client(clinic, no_floor=True), complaint)
        suggestions = list(visit.suggestions())
        on_floor = [ex.position == Position.FLOOR for ex in suggestions]
        assert on_floor == sorted(on_floor), f"{complaint}: a floor exercise before one off the floor"
        if not all(on_floor):
            assert not on_floor[0], complaint
    psoas_first = make_visit(make_client(clinic), "stubborn-piriformis").suggestions()[0]
    assert psoas_first.slug == "psoas-release"
    no_floor_first = make_visit(make_client(clinic, no_floor=True), "stubborn-piriformis").suggestions()[0]
    assert no_floor_first.position != Position.FLOOR


def test_nothing_at_home_ranks_what_needs_nothing_first(clinic):
    client = make_client(clinic, at_home=None)
    assert client.at_home == []
    for complaint in COMPLAINTS:
        suggestions = list(make_visit(client, complaint).suggestions().prefetch_related("equipment"))
        needs = [bool(list(ex.equipment.all())) for ex in suggestions]
        assert needs == sorted(needs), f"{complaint}: something that needs kit before one that needs nothing"
        assert not needs[0], complaint


def test_not_asked_yet_and_nothing_at_home_are_different_answers(as_therapist, clinic):
    maya = make_client(clinic)
    assert maya.at_home is None  # nobody asked: equipment reorders nothing
    url = reverse("clients:edit", args=[maya.pk])
    as_therapist.post(url, {"first_name": "Maya", "home": "nothing"})
    maya.refresh_from_db()
    assert maya.equipment_recorded_at is not None and not maya.equipment.exists()
    as_therapist.post(url, {"first_name": "Maya", "home": "not_asked"})
    maya.refresh_from_db()
    assert maya.equipment_recorded_at is None


def test_everyday_things_start_ticked_and_can_be_unticked(as_therapist, clinic):
    form = as_therapist.get(reverse("clients:create")).context["form"]
    everyday = {e.slug for e in form.fields["equipment"].queryset if e.pk in form.initial["equipment"]}
    assert {"towel", "step", "yoga-mat", "pillow", "wall", "doorway", "chair"} <= everyday
    towel_only = as_therapist.post(reverse("clients:create"), {
        "first_name": "Ana", "home": "ticked", "equipment": [builtin("towel-foot-stretch").equipment.get().pk],
    })
    assert towel_only.status_code == 302
    ana = clinic.clients.get(first_name="Ana")
    assert [e.slug for e in ana.equipment.all()] == ["towel"]
    first = make_visit(ana, "rounded-desk-shoulders").suggestions().prefetch_related("equipment")[0]
    assert [e.slug for e in first.equipment.all()] in ([], ["towel"])


def test_owning_something_moves_its_exercises_up(clinic):
    without = [e.slug for e in make_visit(make_client(clinic, at_home=("wall",)), "stubborn-piriformis").suggestions()]
    with_ball = [e.slug for e in make_visit(make_client(clinic, at_home=("tennis-ball",)), "stubborn-piriformis").suggestions()]
    assert with_ball[0] == "psoas-release"  # the first choice stays first
    assert with_ball.index("tennis-ball-glute-release") == 1
    assert without.index("tennis-ball-glute-release") > 1


def test_the_client_form_records_flags_in_one_go(as_therapist, clinic):
    pregnancy = Condition.objects.get(slug="pregnancy")
    as_therapist.post(reverse("clients:create"), {"first_name": "Ivy", "conditions": [pregnancy.pk], "no_floor": "on"})
    ivy = clinic.clients.get(first_name="Ivy")
    assert list(ivy.conditions.all()) == [pregnancy] and ivy.no_floor
    assertContains(as_therapist.get(reverse("clients:detail", args=[ivy.pk])), "Can't get down to the floor")


def test_a_quick_add_of_an_exercise_not_for_the_client_goes_to_the_confirmation(as_therapist, clinic, therapist):
    visit = make_visit(make_client(clinic, flags=("pregnancy",)), "stubborn-piriformis", therapist=therapist)
    psoas = builtin("psoas-release")
    url = reverse("aftercare:item-add", args=[visit.pk, psoas.pk])
    plain = as_therapist.post(url, {"quick": "1"})
    assert plain.status_code == 302 and plain["Location"] == url
    htmx = as_therapist.post(url, {"quick": "1"}, headers={"HX-Request": "true"})
    assert htmx["HX-Redirect"] == url
    assert not visit.items.exists()
