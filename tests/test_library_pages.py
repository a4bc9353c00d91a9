"""The clinic's library pages: browse and search, add and edit its own exercises with
pictures, copy a built-in, retire and bring back; role checks on every page."""

import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from aftercare.models import ShareLink
from exercises.images import clean_upload
from exercises.models import Complaint, Equipment, Exercise, ExerciseComplaint
from tests.conftest import builtin, make_client, make_visit
from tests.imagefiles import photo_bytes, upload


def make_exercise(clinic, name="Towel neck glide", complaint="headaches", rank=1, **fields) -> Exercise:
    exercise = Exercise.objects.create(
        clinic=clinic,
        slug=name.lower().replace(" ", "-"),
        name=name,
        kind=fields.pop("kind", Exercise.Kind.MOBILITY),
        body_area=fields.pop("body_area", "head_neck"),
        steps="Sit tall.\nHold the towel behind your neck.\nGlide your chin back.",
        why="Keeps the neck moving.",
        reps=10,
        **fields,
    )
    ExerciseComplaint.objects.create(exercise=exercise, complaint=Complaint.objects.get(slug=complaint), rank=rank)
    return exercise


@pytest.fixture
def own(clinic):
    return make_exercise(clinic)


@pytest.fixture
def theirs(other_clinic):
    return make_exercise(other_clinic, "Secret sauce stretch")


def form_data(**overrides) -> dict:
    data = {
        "name": "Wall angel",
        "kind": "mobility",
        "body_area": "upper_back",
        "equipment": [Equipment.objects.get(slug="foam-roller").pk],
        "how_often": "weekly",
        "times_per_week": "3",
        "sets": "2",
        "reps": "8",
        "hold_seconds": "",
        "minutes": "",
        "steps": "Stand with your back to a wall.\nSlide your arms up slowly.\n\nBreathe out as they come down.",
        "why": "Opens the chest and wakes up the muscles between the shoulder blades.",
        "cautions": "Stop if you feel tingling in your hands.",
        "complaints-TOTAL_FORMS": "3",
        "complaints-INITIAL_FORMS": "0",
        "complaints-MIN_NUM_FORMS": "0",
        "complaints-MAX_NUM_FORMS": "1000",
        "complaints-0-complaint": str(Complaint.objects.get(slug="rounded-desk-shoulders").pk),
        "complaints-0-rank": "1",
        "complaints-1-complaint": str(Complaint.objects.get(slug="between-shoulder-blades").pk),
        "complaints-1-rank": "4",
        "complaints-2-complaint": "",
        "complaints-2-rank": "5",
    }
    data.update(overrides)
    return data


# Browsing

def test_the_library_shows_built_ins_and_the_clinics_own_but_not_other_clinics(as_therapist, own, theirs):
    response = as_therapist.get(reverse("exercises:list"), {"q": "towel"})
    assertContains(response, "Towel neck glide")
    response = as_therapist.get(reverse("exercises:list"), {"q": "secret"})
    assertNotContains(response, "Secret sauce stretch")
    response = as_therapist.get(reverse("exercises:list"))
    assert response.context["page"].paginator.count == Exercise.objects.filter(clinic=None).count() + 1


def test_the_nav_has_the_library(as_therapist):
    assertContains(as_therapist.get(reverse("clients:list")), f'href="{reverse("exercises:list")}"')


def test_it_filters_by_complaint_kind_body_area_and_equipment(as_therapist, own):
    url = reverse("exercises:list")
    headaches = Complaint.objects.get(slug="headaches")
    names = lambda r: {e.name for e in r.context["page"].object_list}  # noqa: E731
    rows = as_therapist.get(url, {"complaint": headaches.pk}).context["page"].object_list
    assert {"Towel neck glide", builtin("tennis-ball-suboccipital-release").name} <= {e.name for e in rows}
    assert all(headaches in e.complaints.all() for e in rows)
    for exercise in as_therapist.get(url, {"kind": "stretch"}).context["page"].object_list:
        assert exercise.kind == "stretch"
    for exercise in as_therapist.get(url, {"body_area": "lower_legs"}).context["page"].object_list:
        assert exercise.body_area == "lower_legs"
    roller = Equipment.objects.get(slug="foam-roller")
    rows = as_therapist.get(url, {"equipment": roller.pk}).context["page"].object_list
    assert rows and all(roller in e.equipment.all() for e in rows)
    assert names(as_therapist.get(url, {"source": "ours"})) == {"Towel neck glide"}


def test_the_library_is_paginated_and_keeps_the_search_across_pages(as_therapist):
    response = as_therapist.get(reverse("exercises:list"), {"kind": ""})
    page = response.context["page"]
    assert page.paginator.num_pages >= 2 and len(page.object_list) == 20
    assertContains(response, "page=2")
    second = as_therapist.get(reverse("exercises:list"), {"page": 2})
    assert second.status_code == 200 and second.context["page"].number == 2
    assert as_therapist.get(reverse("exercises:list"), {"page": "lots"}).status_code == 200


def test_the_library_takes_a_fixed_number_of_queries(as_therapist, clinic, django_assert_num_queries):
    for n in range(5):
        exercise = make_exercise(clinic, f"Own exercise {n}")
        exercise.add_pictures([clean_upload(upload(photo_bytes()))])
    # 1 session, 2 user, 3 therapist and clinic, 4 count, 5 the page of exercises,
    # 6 their pictures, 7 their equipment, 8 every complaint and 9 every equipment for
    # the filter
    with django_assert_num_queries(9):
        response = as_therapist.get(reverse("exercises:list"), {"source": "ours"})
    assert len(response.context["page"].object_list) == 5
    assertContains(response, "/media/exercises/", count=5)


def test_a_removed_therapist_cannot_see_the_library(as_colleague, colleague):
    colleague.removed_at = "2026-01-01T00:00:00Z"
    colleague.save()
    assert as_colleague.get(reverse("exercises:list")).status_code == 403


def test_logged_out_people_are_sent_to_log_in(client, own):
    for url in (reverse("exercises:list"), reverse("exercises:add"), reverse("exercises:detail", args=[own.pk])):
        response = client.get(url)
        assert response.status_code == 302 and "/login/" in response.url


# Adding and editing

def test_adding_an_exercise_with_every_field_and_a_picture(as_colleague, clinic, media_root):
    data = form_data(pictures=[upload(photo_bytes(), "wall.jpg"), upload(photo_bytes("PNG"), "wall2.png", "image/png")])
    response = as_colleague.post(reverse("exercises:add"), data)
    exercise = Exercise.objects.get(clinic=clinic, name="Wall angel")
    assert response.status_code == 302 and response.url == reverse("exercises:detail", args=[exercise.pk])
    assert exercise.slug == "wall-angel" and exercise.kind == "mobility" and exercise.body_area == "upper_back"
    assert exercise.step_list() == [
        "Stand with your back to a wall.", "Slide your arms up slowly.", "Breathe out as they come down."
    ]
    assert exercise.how_often_text() == "3 times a week" and exercise.dose_text() == "2 sets of 8 reps"
    assert exercise.cautions.startswith("Stop if")
    assert [e.slug for e in exercise.equipment.all()] == ["foam-roller"]
    assert {(l.complaint.slug, l.rank) for l in exercise.complaint_links.all()} == {
        ("rounded-desk-shoulders", 1), ("between-shoulder-blades", 4)
    }
    pictures = list(exercise.pictures.all())
    assert [p.position for p in pictures] == [0, 1]
    assert exercise.picture_url() == pictures[0].image.url and "wall" not in pictures[0].image.name
    assert (media_root / pictures[0].image.name).is_file() and (media_root / pictures[0].thumbnail.name).is_file()
    page = as_colleague.get(reverse("exercises:detail", args=[exercise.pk]))
    assertContains(page, pictures[0].image.url)
    assertContains(page, "Slide your arms up slowly.")


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def test_a_bad_picture_is_refused_and_everything_typed_is_kept(as_therapist, clinic, media_root):
    data = form_data(pictures=[upload(b"%PDF-1.4 not a picture", "handout.pdf", "application/pdf")])
    response = as_therapist.post(reverse("exercises:add"), data)
    assert response.status_code == 400
    assertContains(response, "handout.pdf: That&#x27;s a PDF, not a picture", status_code=400)
    assertContains(response, 'value="Wall angel"', status_code=400)
    assertContains(response, "Slide your arms up slowly.", status_code=400)
    assertContains(response, "Stop if you feel tingling", status_code=400)
    form = response.context["form"]
    assert form["times_per_week"].value() == "3" and form["kind"].value() == "mobility"
    assert response.context["formset"].forms[1]["rank"].value() == "4"
    assert not Exercise.objects.filter(clinic=clinic).exists()
    assert not list(media_root.rglob("*.*"))


def test_an_exercise_needs_a_complaint_and_a_dose(as_therapist, clinic):
    data = form_data(**{"complaints-0-complaint": "", "complaints-1-complaint": "", "sets": "", "reps": ""})
    response = as_therapist.post(reverse("exercises:add"), data)
    assertContains(response, "Choose at least one complaint", status_code=400)
    assertContains(response, "Give a dose", status_code=400)
    assert not Exercise.objects.filter(clinic=clinic).exists()


def test_the_same_complaint_twice_is_refused(as_therapist):
    pk = str(Complaint.objects.get(slug="headaches").pk)
    data = form_data(**{"complaints-0-complaint": pk, "complaints-1-complaint": pk})
    assertContains(as_therapist.post(reverse("exercises:add"), data), "Each complaint once", status_code=400)


def test_editing_an_exercise_changes_it_removes_and_adds_pictures(as_therapist, own, media_root, django_capture_on_commit_callbacks):

    own.add_pictures([clean_upload(upload(photo_bytes())), clean_upload(upload(photo_bytes()))])
    first, second = own.pictures.all()
    link = own.complaint_links.get()
    data = form_data(
        name="Towel neck glide, gentler",
        remove_pictures=[first.pk],
        pictures=[upload(photo_bytes("WEBP"), "new.webp", "image/webp")],
        **{
            "complaints-TOTAL_FORMS": "2", "complaints-INITIAL_FORMS": "1",
            "complaints-0-id": str(link.pk), "complaints-0-exercise": str(own.pk),
            "complaints-0-complaint": str(link.complaint_id), "complaints-0-rank": "2",
            "complaints-1-complaint": str(Complaint.objects.get(slug="stiff-neck").pk), "complaints-1-rank": "3",
        },
    )
    data.pop("complaints-2-complaint"), data.pop("complaints-2-rank")
    # A removed picture's files go once the edit is committed (exercises.models).
    with django_capture_on_commit_callbacks(execute=True):
        response = as_therapist.post(reverse("exercises:edit", args=[own.pk]), data)
    assert response.status_code == 302, response.context["form"].errors if response.context else ""
    own.refresh_from_db()
    assert own.name == "Towel neck glide, gentler"
    assert {(l.complaint.slug, l.rank) for l in own.complaint_links.all()} == {("headaches", 2), ("stiff-neck", 3)}
    pictures = list(own.pictures.all())
    assert second in pictures and first not in pictures and len(pictures) == 2
    assert own.picture_url() == second.image.url
    assert not (media_root / first.image.name).exists()


def test_a_colleague_can_edit_the_clinics_exercises(as_colleague, own):
    assert as_colleague.get(reverse("exercises:edit", args=[own.pk])).status_code == 200


# Built-ins are read-only; copying makes the clinic's own version

def test_built_ins_are_read_only(as_therapist):
    tennis = builtin("tennis-ball-suboccipital-release")
    page = as_therapist.get(reverse("exercises:detail", args=[tennis.pk]))
    assertContains(page, "Make our own version")
    assertNotContains(page, reverse("exercises:edit", args=[tennis.pk]))
    assert as_therapist.get(reverse("exercises:edit", args=[tennis.pk])).status_code == 404
    assert as_therapist.post(reverse("exercises:edit", args=[tennis.pk]), form_data()).status_code == 404
    assert as_therapist.post(reverse("exercises:retire", args=[tennis.pk])).status_code == 404
    tennis.refresh_from_db()
    assert not tennis.retired and tennis.clinic is None


def test_copying_a_built_in_makes_a_clinic_version_suggested_instead(as_therapist, clinic, client_):
    tennis = builtin("tennis-ball-suboccipital-release")
    response = as_therapist.post(reverse("exercises:copy", args=[tennis.pk]))
    copy = Exercise.objects.get(clinic=clinic)
    assert response.url == reverse("exercises:edit", args=[copy.pk])
    assert copy.name == tennis.name and copy.steps == tennis.steps and copy.based_on == tennis
    assert set(copy.equipment.all()) == set(tennis.equipment.all())
    assert {(l.complaint_id, l.rank) for l in copy.complaint_links.all()} == {
        (l.complaint_id, l.rank) for l in tennis.complaint_links.all()
    }
    assert copy.picture_url() == tennis.picture_url()  # the drawing comes along
    suggested = list(make_visit(client_, "headaches").suggestions())
    assert suggested[0] == copy and tennis not in suggested
    # Other clinics still get the built-in.
    from clients.models import Clinic

    elsewhere = make_client(Clinic.objects.create(name="Another"), "Kai")
    assert list(make_visit(elsewhere, "headaches").suggestions())[0] == tennis


def test_copying_a_built_in_again_opens_the_clinics_version(as_therapist, clinic):
    tennis = builtin("tennis-ball-suboccipital-release")
    as_therapist.post(reverse("exercises:copy", args=[tennis.pk]))
    copy = Exercise.objects.get(clinic=clinic)
    response = as_therapist.post(reverse("exercises:copy", args=[tennis.pk]))
    assert response.url == reverse("exercises:detail", args=[copy.pk])
    assert Exercise.objects.filter(clinic=clinic).count() == 1
    assertContains(as_therapist.get(reverse("exercises:detail", args=[tennis.pk])), "See your version")


def test_copying_twice_gives_distinct_slugs(as_therapist, own):
    as_therapist.post(reverse("exercises:copy", args=[own.pk]))
    as_therapist.post(reverse("exercises:copy", args=[own.pk]))
    slugs = set(Exercise.objects.filter(clinic=own.clinic).values_list("slug", flat=True))
    assert slugs == {"towel-neck-glide", "towel-neck-glide-2", "towel-neck-glide-3"}


# Retiring keeps history

def test_retiring_takes_it_out_of_suggestions_and_search_but_history_still_shows_it(
    as_therapist, own, client_, therapist, clinic
):
    past = make_visit(client_, "headaches", therapist=therapist)
    past.assign(own)
    path = ShareLink.issue(client_)
    response = as_therapist.post(reverse("exercises:retire", args=[own.pk]))
    assert response.status_code == 302
    own.refresh_from_db()
    assert own.retired
    # Gone for new homework: suggestions, the homework page's search, a direct add.
    today = make_visit(client_, "headaches", therapist=therapist)
    assert own not in today.suggestions()
    homework = as_therapist.get(reverse("aftercare:visit-homework", args=[today.pk]), {"q": "towel"})
    assert own not in [exercise for exercise, *_ in homework.context["results"].rows]
    assert own not in [exercise for exercise, _ in homework.context["suggestions"]]
    assertContains(homework, "Since last time")  # …while last visit's homework still shows it
    assert as_therapist.get(reverse("aftercare:item-add", args=[today.pk, own.pk])).status_code == 404
    # Still there for what was given: the past visit, the client's page, the library.
    assertContains(as_therapist.get(reverse("aftercare:visit-detail", args=[past.pk])), "Towel neck glide")
    assertContains(as_therapist.get(reverse("clients:detail", args=[client_.pk])), "Towel neck glide")
    as_therapist.logout()
    assertContains(as_therapist.get(path), "Towel neck glide")
    as_therapist.force_login(therapist.user)
    assertNotContains(as_therapist.get(reverse("exercises:list"), {"q": "towel"}), "Towel neck glide")
    assertContains(as_therapist.get(reverse("exercises:list"), {"q": "towel", "retired": "on"}), "Towel neck glide")
    assertContains(as_therapist.get(reverse("exercises:detail", args=[own.pk])), "Bring back into use")
    # And back again.
    as_therapist.post(reverse("exercises:unretire", args=[own.pk]))
    assert own in make_visit(client_, "headaches").suggestions()


def test_retire_and_copy_only_take_a_post(as_therapist, own):
    assert as_therapist.get(reverse("exercises:retire", args=[own.pk])).status_code == 405
    assert as_therapist.get(reverse("exercises:copy", args=[own.pk])).status_code == 405


# Other clinics

@pytest.mark.parametrize("name", ["detail", "edit", "copy", "retire", "unretire"])
def test_another_clinics_exercise_is_a_404_on_every_page(as_outsider, own, name):
    url = reverse(f"exercises:{name}", args=[own.pk])
    response = as_outsider.post(url, form_data()) if name != "detail" else as_outsider.get(url)
    assert response.status_code == 404
    own.refresh_from_db()
    assert own.name == "Towel neck glide" and not own.retired
    assert Exercise.objects.filter(clinic__isnull=False).count() == 1


def test_another_clinics_exercise_cannot_be_given_as_homework(as_outsider, outsider, own):
    visit = make_visit(make_client(outsider.clinic, "Ola"), "headaches", therapist=outsider)
    assert own not in visit.suggestions()
    assert as_outsider.get(reverse("aftercare:item-add", args=[visit.pk, own.pk])).status_code == 404


def test_every_page_works_for_the_owner_and_a_colleague(client, therapist, colleague, own):
    for person in (therapist, colleague):
        client.force_login(person.user)
        for url in (
            reverse("exercises:list"),
            reverse("exercises:add"),
            reverse("exercises:detail", args=[own.pk]),
            reverse("exercises:edit", args=[own.pk]),
            reverse("exercises:detail", args=[builtin("doorway-pec-stretch").pk]),
        ):
            assert client.get(url).status_code == 200, url


def test_the_fallback_picture_exists(settings):
    exercise = Exercise(name="No picture", illustration="")
    assert exercise.picture_url().endswith("placeholder.svg")
    assert (settings.BASE_DIR / "static/exercises/illustrations/placeholder.svg").is_file()
