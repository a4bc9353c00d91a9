"""A clinic adds its own intake complaints, with red flags, and links built-in and own
exercises to them; nobody else ever sees them."""

from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from exercises.models import Complaint, ExerciseComplaint
from tests.conftest import builtin, make_client, make_therapist, make_visit


def add_complaint(as_therapist, **extra):
    data = {"name": "Frozen shoulder rehab", "body_area": "shoulders", "description": "",
            "red_flags": "a hot, swollen shoulder\n\n  fever  ", **extra}
    return as_therapist.post(reverse("exercises:complaint-add"), data)


def test_a_clinic_adds_a_complaint_with_red_flags_and_linked_exercises(as_therapist, clinic):
    own = builtin("doorway-pec-stretch").copy_for(clinic)
    pendulum = builtin("shoulder-pendulum")
    response = add_complaint(as_therapist, exercises=[pendulum.pk, own.pk])
    assert response.status_code == 302
    complaint = Complaint.objects.get(clinic=clinic)
    assert complaint.slug == "frozen-shoulder-rehab"
    assert complaint.red_flag_list() == ["a hot, swollen shoulder", "fever"]
    assert set(complaint.exercises.all()) == {pendulum, own}
    visit = make_visit(make_client(clinic), therapist=None)
    visit.complaints.add(complaint)
    assert {e.slug for e in visit.suggestions()} == {pendulum.slug, own.slug}
    assertContains(as_therapist.get(reverse("exercises:complaints")), "Frozen shoulder rehab")


def test_unticking_an_exercise_unlinks_only_that_one(as_therapist, clinic):
    add_complaint(as_therapist, exercises=[builtin("shoulder-pendulum").pk, builtin("wall-slides").pk])
    complaint = Complaint.objects.get(clinic=clinic)
    as_therapist.post(reverse("exercises:complaint-edit", args=[complaint.pk]), {
        "name": complaint.name, "body_area": "shoulders", "red_flags": "fever", "exercises": [builtin("wall-slides").pk],
    })
    assert [e.slug for e in complaint.exercises.all()] == ["wall-slides"]
    assert builtin("shoulder-pendulum").complaints.filter(clinic=None).exists()  # its built-in links stay


def test_the_intake_form_offers_it_to_the_clinic_and_nobody_else(as_therapist, client, clinic, client_, other_clinic):
    add_complaint(as_therapist, exercises=[builtin("shoulder-pendulum").pk])
    assertContains(as_therapist.get(reverse("aftercare:visit-start", args=[client_.pk])), "Frozen shoulder rehab")
    outsider = make_therapist(other_clinic, "sam")
    client.force_login(outsider.user)
    theirs = make_client(other_clinic, "Lou")
    page = client.get(reverse("aftercare:visit-start", args=[theirs.pk]))
    assertNotContains(page, "Frozen shoulder rehab")
    assertNotContains(client.get(reverse("exercises:complaints")), "Frozen shoulder rehab")
    # Linked to a built-in exercise: the outsider's view of that exercise doesn't name it,
    # and searching for the name doesn't find the exercise through it.
    assertNotContains(client.get(reverse("exercises:detail", args=[builtin("shoulder-pendulum").pk])), "Frozen shoulder")
    found = client.get(reverse("exercises:list"), {"q": "Frozen"}).context["page"].object_list
    assert builtin("shoulder-pendulum") not in list(found)
    # ...and starting a visit with its id is refused as an unknown choice.
    complaint = Complaint.objects.get(clinic=clinic)
    refused = client.post(reverse("aftercare:visit-start", args=[theirs.pk]), {"complaints": [complaint.pk]})
    assert refused.status_code == 200 and not theirs.visits.exists()


def test_copying_a_builtin_takes_only_the_clinics_own_complaint_links(clinic, other_clinic):
    theirs = Complaint.objects.create(clinic=other_clinic, slug="theirs", name="Theirs", body_area="shoulders")
    ExerciseComplaint.objects.create(exercise=builtin("shoulder-pendulum"), complaint=theirs, rank=1)
    copy = builtin("shoulder-pendulum").copy_for(clinic)
    assert theirs not in copy.complaints.all()
    assert copy.complaints.filter(slug="stiff-shoulders").exists()


def test_a_complaint_needs_a_name(as_therapist):
    response = add_complaint(as_therapist, name="  ")
    assert response.status_code == 400
    assertContains(response, "Name it the way a client would say it.", status_code=400)
