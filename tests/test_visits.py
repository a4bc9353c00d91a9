"""A therapist's visit: intake, suggestions, up to two homework items, wrap-up, summary."""

import pytest
from django.urls import reverse
from django.utils.html import escape
from pytest_django.asserts import assertContains, assertNotContains

from aftercare.models import HomeworkItem, Visit
from exercises.models import Complaint, Equipment
from tests.conftest import builtin, make_client, make_visit

DOSE = {"how_often": "daily", "times_per_week": "", "sets": "", "reps": "", "hold_seconds": "30", "minutes": "", "note": ""}


def test_starting_a_visit_records_intake_and_goes_to_homework(as_therapist, client_, therapist):
    headaches = Complaint.objects.get(slug="headaches")
    response = as_therapist.post(
        reverse("aftercare:visit-start", args=[client_.pk]),
        {"complaints": [headaches.pk], "intake_note": "Worse after long drives"},
    )
    visit = Visit.objects.get(client=client_)
    assert response["Location"] == reverse("aftercare:visit-homework", args=[visit.pk])
    assert list(visit.complaints.all()) == [headaches]
    assert visit.therapist == therapist
    assert visit.intake_note == "Worse after long drives"


def test_intake_is_prefilled_from_the_last_visit(as_therapist, client_):
    make_visit(client_, "headaches", "stiff-neck")
    response = as_therapist.get(reverse("aftercare:visit-start", args=[client_.pk]))
    ticked = {c.slug for c in response.context["form"].initial["complaints"]}
    assert ticked == {"headaches", "stiff-neck"}
    assertContains(response, "Ticked from last time")


def test_the_homework_page_suggests_for_the_intake_best_first(as_therapist, visit):
    response = as_therapist.get(reverse("aftercare:visit-homework", args=[visit.pk]))
    suggestions = response.context["suggestions"]
    assert suggestions[0][0].slug == "tennis-ball-suboccipital-release"
    assertContains(response, escape(suggestions[0][0].name))


def test_a_suggestion_says_what_it_needs_that_the_client_lacks(as_therapist, clinic, therapist):
    client = make_client(clinic, "Dev", at_home=("tennis-ball",))
    visit = make_visit(client, "runners-calves", therapist=therapist)
    response = as_therapist.get(reverse("aftercare:visit-homework", args=[visit.pk]))
    assertContains(response, "Needs foam roller, which Dev doesn't have at home")


def test_the_library_can_be_searched_and_filtered_from_the_homework_page(as_therapist, visit):
    response = as_therapist.get(reverse("aftercare:visit-homework", args=[visit.pk]), {"q": "calf"})
    found = [ex.slug for ex, *_ in response.context["results"].rows]
    assert "calf-rolling-foam-roller" in found
    response = as_therapist.get(
        reverse("aftercare:visit-homework", args=[visit.pk]), {"kind": "strengthening", "body_area": "feet"}
    )
    assert all(ex.kind == "strengthening" and ex.body_area == "feet" for ex, *_ in response.context["results"].rows)
    roller = Equipment.objects.get(slug="foam-roller")
    response = as_therapist.get(reverse("aftercare:visit-homework", args=[visit.pk]), {"equipment": roller.pk})
    rows = response.context["results"].rows
    assert rows and all(roller in ex.equipment.all() for ex, *_ in rows)
    assertContains(response, 'name="equipment"')


def test_choosing_an_item_offers_the_exercise_dose(as_therapist, visit):
    exercise = builtin("doorway-pec-stretch")
    response = as_therapist.get(reverse("aftercare:item-add", args=[visit.pk, exercise.pk]))
    form = response.context["form"]
    assert form["how_often"].value() == exercise.how_often
    assert form["hold_seconds"].value() == exercise.hold_seconds


def test_assigning_an_item_with_a_dose_and_a_note(as_therapist, visit):
    exercise = builtin("doorway-pec-stretch")
    response = as_therapist.post(
        reverse("aftercare:item-add", args=[visit.pk, exercise.pk]),
        {**DOSE, "how_often": "weekly", "times_per_week": "3", "sets": "2", "hold_seconds": "45", "note": "At the office door"},
    )
    assert response["Location"] == reverse("aftercare:visit-homework", args=[visit.pk])
    item = visit.items.get()
    assert (item.how_often, item.times_per_week, item.sets, item.hold_seconds) == ("weekly", 3, 2, 45)
    assert item.note == "At the office door"


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"how_often": "weekly", "times_per_week": ""}, "Say how many days a week"),
        ({"hold_seconds": "-5"}, "Use a whole number from 1 to 600, or leave it empty."),
        ({"sets": "0"}, "Use a whole number from 1 to 20, or leave it empty."),
        ({"hold_seconds": "", "minutes": "", "sets": "", "reps": ""}, "Give a dose"),
        ({"reps": "lots"}, "Use a whole number from 1 to 100, or leave it empty."),
        ({"minutes": "100000"}, "Use a whole number from 1 to 120, or leave it empty."),
        ({"how_often": "hourly"}, "Select a valid choice"),
    ],
)
def test_bad_doses_are_explained_and_nothing_typed_is_lost(as_therapist, visit, changes, message):
    exercise = builtin("doorway-pec-stretch")
    data = {**DOSE, "note": "Keep this note", **changes}
    response = as_therapist.post(reverse("aftercare:item-add", args=[visit.pk, exercise.pk]), data)
    assertContains(response, message, status_code=400)
    assertContains(response, "Keep this note", status_code=400)
    assert not visit.items.exists()


def test_a_third_item_is_refused_plainly_and_what_was_typed_stays(as_therapist, visit):
    visit.assign(builtin("tennis-ball-suboccipital-release"))
    visit.assign(builtin("doorway-pec-stretch"))
    exercise = builtin("psoas-release")
    response = as_therapist.post(
        reverse("aftercare:item-add", args=[visit.pk, exercise.pk]),
        {**DOSE, "minutes": "7", "note": "Knees over the chair"},
    )
    assertContains(response, "already has two homework items", status_code=400)
    assertContains(response, "Knees over the chair", status_code=400)
    assertContains(response, 'value="7"', status_code=400)
    assert visit.items.count() == 2


def test_the_same_exercise_twice_is_refused_plainly(as_therapist, visit):
    exercise = builtin("psoas-release")
    visit.assign(exercise)
    response = as_therapist.post(reverse("aftercare:item-add", args=[visit.pk, exercise.pk]), DOSE)
    assertContains(response, "already part of this visit", status_code=400)
    assert visit.items.count() == 1


def test_an_item_can_be_changed_and_removed(as_therapist, visit):
    item = visit.assign(builtin("psoas-release"))
    as_therapist.post(reverse("aftercare:item-edit", args=[visit.pk, item.pk]), {**DOSE, "minutes": "10", "hold_seconds": ""})
    item.refresh_from_db()
    assert item.minutes == 10
    as_therapist.post(reverse("aftercare:item-remove", args=[visit.pk, item.pk]))
    assert not visit.items.exists()


def test_wrapping_up_with_a_referral_goal_and_rebooking(as_therapist, visit):
    response = as_therapist.post(
        reverse("aftercare:visit-wrap-up", args=[visit.pk]),
        {"referral": "podiatrist", "referral_note": "for the heel", "next_goal": "Walk the dog pain-free", "rebook_weeks": "3"},
    )
    assert response["Location"] == reverse("aftercare:visit-detail", args=[visit.pk])
    response = as_therapist.get(response["Location"])
    assertContains(response, "Podiatrist: for the heel")
    assertContains(response, "Walk the dog pain-free")
    assertContains(response, "In 3 weeks")


def test_an_other_referral_needs_a_word_about_who(as_therapist, visit):
    response = as_therapist.post(
        reverse("aftercare:visit-wrap-up", args=[visit.pk]), {"referral": "other", "next_goal": "Sleep better"}
    )
    assertContains(response, "Say who you&#x27;d suggest they see.", status_code=400)
    assertContains(response, 'value="Sleep better"', status_code=400)


def test_a_too_long_referral_note_is_not_also_called_missing(as_therapist, visit):
    response = as_therapist.post(
        reverse("aftercare:visit-wrap-up", args=[visit.pk]), {"referral": "other", "referral_note": "x" * 400}
    )
    assertContains(response, "at most 240 characters", status_code=400)
    assertNotContains(response, "Say who you&#x27;d suggest", status_code=400)


def test_suggestions_that_need_something_the_client_lacks_stay_in_view(as_therapist, clinic, therapist):
    runner = make_client(clinic, "Rafa", at_home=("massage-ball",))
    visit = make_visit(runner, "runners-calves", "stubborn-piriformis", therapist=therapist)
    url = reverse("aftercare:visit-homework", args=[visit.pk])
    shown = as_therapist.get(url).context["suggestions"]
    everything = as_therapist.get(url, {"all": "1"}).context["suggestions"]
    assert len(everything) > len(shown) == 8
    lacking = [exercise.slug for exercise, missing in shown if missing]
    assert len(lacking) == 2, "the best two that need more stay in view"
    assert [ex.slug for ex, missing in shown if not missing] == [ex.slug for ex, missing in everything if not missing][:6]
    assertContains(as_therapist.get(url), f"Show all {len(everything)} suggestions")


def test_a_visit_started_by_mistake_can_be_deleted(as_therapist, visit, client_):
    response = as_therapist.post(reverse("aftercare:visit-delete", args=[visit.pk]))
    assert response["Location"] == reverse("clients:detail", args=[client_.pk])
    assert not Visit.objects.filter(pk=visit.pk).exists()


def test_a_visit_with_homework_is_not_deleted(as_therapist, visit):
    visit.assign(builtin("psoas-release"))
    response = as_therapist.post(reverse("aftercare:visit-delete", args=[visit.pk]), follow=True)
    assertContains(response, "This visit has homework, so it stays.")
    assert Visit.objects.filter(pk=visit.pk).exists()


def test_the_summary_shows_the_homework(as_therapist, visit):
    visit.assign(builtin("tennis-ball-suboccipital-release"), note="Five minutes before bed")
    response = as_therapist.get(reverse("aftercare:visit-detail", args=[visit.pk]))
    assertContains(response, escape(builtin("tennis-ball-suboccipital-release").name))
    assertContains(response, "Five minutes before bed")


def test_a_colleague_can_work_on_the_visit(as_colleague, visit):
    exercise = builtin("psoas-release")
    response = as_colleague.post(reverse("aftercare:item-add", args=[visit.pk, exercise.pk]), {**DOSE, "minutes": "5"})
    assert response.status_code == 302
    assert visit.items.count() == 1


def test_another_clinics_exercise_cannot_be_chosen(as_therapist, visit, other_clinic):
    from exercises.models import Exercise

    theirs = Exercise.objects.create(
        clinic=other_clinic, slug="theirs", name="Theirs", kind="stretch", body_area="feet", steps="a", why="b", minutes=1
    )
    response = as_therapist.post(reverse("aftercare:item-add", args=[visit.pk, theirs.pk]), DOSE)
    assert response.status_code == 404
    assert not visit.items.exists()


VISIT_PAGES = [
    ("aftercare:visit-detail", {}),
    ("aftercare:visit-edit", {}),
    ("aftercare:visit-homework", {}),
    ("aftercare:visit-wrap-up", {}),
    ("aftercare:visit-delete", {}),
]


@pytest.mark.parametrize("route, extra", VISIT_PAGES)
def test_another_clinics_visit_is_not_found(as_outsider, visit, route, extra):
    url = reverse(route, args=[visit.pk])
    assert as_outsider.get(url).status_code in (404, 405)
    assert as_outsider.post(url, {"next_goal": "Hacked", "intake_note": "Hacked"}).status_code == 404
    visit.refresh_from_db()  # still there
    assert "Hacked" not in (visit.next_goal, visit.intake_note)


def test_another_clinics_client_cannot_get_a_visit(as_outsider, client_):
    response = as_outsider.post(reverse("aftercare:visit-start", args=[client_.pk]), {"intake_note": "x"})
    assert response.status_code == 404
    assert not Visit.objects.exists()


def test_another_clinics_items_are_not_found(as_outsider, visit):
    exercise = builtin("psoas-release")
    item = visit.assign(exercise)
    for url in (
        reverse("aftercare:item-add", args=[visit.pk, builtin("doorway-pec-stretch").pk]),
        reverse("aftercare:item-edit", args=[visit.pk, item.pk]),
        reverse("aftercare:item-remove", args=[visit.pk, item.pk]),
    ):
        assert as_outsider.post(url, {**DOSE, "minutes": "9"}).status_code == 404
    assert HomeworkItem.objects.get(pk=item.pk).minutes == exercise.minutes


def test_an_item_of_another_visit_is_not_found_through_this_one(as_therapist, visit, client_):
    other_visit = make_visit(client_, "headaches")
    item = other_visit.assign(builtin("psoas-release"))
    response = as_therapist.post(reverse("aftercare:item-remove", args=[visit.pk, item.pk]))
    assert response.status_code == 404
    assert HomeworkItem.objects.filter(pk=item.pk).exists()


def test_the_homework_page_takes_a_fixed_number_of_queries(as_therapist, visit, django_assert_num_queries):
    import datetime

    earlier = make_visit(visit.client, "headaches", date=visit.date - datetime.timedelta(days=14))
    earlier.assign(builtin("psoas-release"))
    earlier.assign(builtin("doorway-pec-stretch"))
    visit.assign(builtin("tennis-ball-suboccipital-release"))
    visit.complaints.add(*Complaint.objects.filter(slug__in=["stiff-neck", "neck-shoulder-knots"]))
    url = reverse("aftercare:visit-homework", args=[visit.pk])
    # 1 session, 2 user, 3 therapist and clinic, 4 visit and client, 5 items, 6 last
    # time's items, 7 their check-ins, 8 how they felt, 9 the client's words on that
    # homework, 10 the client's health flags, 11 the visit's complaints with their red
    # flags, 12 the suggestions (what the client has at home only once somebody asked:
    # nobody has; what hurt them, a subquery), 13 their pictures (the clinic's own), 14
    # their equipment, 15 the visit's complaints for the intake ticks, 16 every complaint
    # for the intake ticks on the same page, 17 every complaint and 18 all equipment for
    # the library filter
    with django_assert_num_queries(18):
        response = as_therapist.get(url)
    assert response.status_code == 200
    assertNotContains(response, "No suggestions")
    assert [item.exercise.slug for item in response.context["last_time"]] == ["psoas-release", "doorway-pec-stretch"]


def test_the_next_visit_shows_how_often_last_times_homework_was_ticked(as_therapist, therapist, client_):
    import datetime

    from aftercare.models import CheckIn

    first = make_visit(client_, "headaches", therapist=therapist, date=datetime.date.today() - datetime.timedelta(days=15))
    item = first.assign(builtin("tennis-ball-suboccipital-release"))
    for days_after in (1, 2, 4, 9):
        CheckIn.objects.create(item=item, day=first.date + datetime.timedelta(days=days_after))
    second = make_visit(client_, "headaches", therapist=therapist)
    response = as_therapist.get(reverse("aftercare:visit-homework", args=[second.pk]))
    assertContains(response, "Ticked off 4 times since")
    shown = response.context["last_time"][0]
    assert sum(count for _, count in shown.weeks) == 4
    assertContains(response, "<svg class=\"tick-chart")
    response = as_therapist.get(reverse("clients:detail", args=[client_.pk]))
    assertContains(response, "ticked off 4 times")
