"""visit.suggestions(): tied to intake complaints, best first, home equipment considered."""

import pytest

from exercises.models import Exercise
from tests.conftest import builtin, make_client, make_visit

SEED_EXAMPLES = [
    ("headaches", "tennis-ball-suboccipital-release"),
    ("runners-calves", "calf-rolling-foam-roller"),
    ("stubborn-piriformis", "psoas-release"),
    ("rounded-desk-shoulders", "doorway-pec-stretch"),
]


@pytest.mark.parametrize("complaint, first", SEED_EXAMPLES)
def test_the_seeds_examples_come_first_when_home_equipment_is_unknown(clinic, complaint, first):
    visit = make_visit(make_client(clinic), complaint)
    assert visit.suggestions()[0].slug == first


@pytest.mark.parametrize("complaint, first", SEED_EXAMPLES)
def test_the_seeds_examples_come_first_for_a_client_who_has_the_kit(clinic, complaint, first):
    client = make_client(clinic, at_home=("tennis-ball", "foam-roller"))
    visit = make_visit(client, complaint)
    assert visit.suggestions()[0].slug == first


def test_what_the_client_can_do_at_home_comes_first(clinic):
    client = make_client(clinic, at_home=("tennis-ball",))
    visit = make_visit(client, "runners-calves")
    suggestions = list(visit.suggestions())
    # Only a tennis ball at home: the tennis-ball version leads, the foam roller one waits.
    assert suggestions[0].slug == "calf-rolling-tennis-ball"
    doable = [ex.missing_from(client.equipment.values_list("pk", flat=True)) == [] for ex in suggestions]
    assert doable == sorted(doable, reverse=True), "every doable exercise comes before every one needing kit"
    roller = next(ex for ex in suggestions if ex.slug == "calf-rolling-foam-roller")
    assert [kit.slug for kit in roller.missing_from([e.pk for e in client.equipment.all()])] == ["foam-roller"]


def test_everyday_things_count_as_at_hand(clinic):
    client = make_client(clinic, at_home=("resistance-band",))
    visit = make_visit(client, "rounded-desk-shoulders")
    first = visit.suggestions()[0]
    assert first.slug == "doorway-pec-stretch"
    assert first.missing_count == 0


def test_only_exercises_for_the_visits_complaints_are_suggested(clinic):
    visit = make_visit(make_client(clinic), "sore-heels")
    suggestions = list(visit.suggestions())
    assert len(suggestions) >= 3
    assert all(ex.complaints.filter(slug="sore-heels").exists() for ex in suggestions)


def test_two_complaints_each_get_their_best_near_the_top(clinic):
    visit = make_visit(make_client(clinic), "headaches", "rounded-desk-shoulders")
    top_two = {ex.slug for ex in visit.suggestions()[:2]}
    assert top_two == {"tennis-ball-suboccipital-release", "doorway-pec-stretch"}


def test_no_complaints_means_no_suggestions(clinic):
    assert list(make_visit(make_client(clinic)).suggestions()) == []


def test_retired_and_other_clinics_exercises_are_left_out_and_own_ones_come_in(clinic, other_clinic):
    fields = dict(kind="stretch", body_area="head_neck", steps="One\nTwo", why="Helps", hold_seconds=30)
    own = Exercise.objects.create(clinic=clinic, slug="own", name="Our neck release", **fields)
    theirs = Exercise.objects.create(clinic=other_clinic, slug="theirs", name="Their neck release", **fields)
    retired = Exercise.objects.create(clinic=clinic, slug="old", name="Old neck release", retired=True, **fields)
    for exercise in (own, theirs, retired):
        exercise.complaints.add(builtin("tennis-ball-suboccipital-release").complaints.get(slug="headaches"))
    slugs = [ex.slug for ex in make_visit(make_client(clinic), "headaches").suggestions()]
    assert "own" in slugs
    assert "theirs" not in slugs and "old" not in slugs


def test_suggestions_take_a_fixed_number_of_queries(clinic, django_assert_num_queries):
    client = make_client(clinic, at_home=("tennis-ball",))
    visit = make_visit(client, "headaches", "stiff-neck", "neck-shoulder-knots")
    # 1 the client's equipment, 2 the suggestions (the visit's complaints are a subquery),
    # 3 their pictures (the clinic's own), 4 the suggestions' equipment
    with django_assert_num_queries(4):
        rows = [(ex.name, ex.missing_from([]), ex.picture_url()) for ex in visit.suggestions()]
    assert len(rows) >= 6
