"""The owner's first-run checklist on the client list: a logo, a booking link, the team, a
sample client. Each step ticks itself off from the data; the list goes when all are done
or the owner hides it, and other therapists never see it."""

import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from aftercare.audit import Action, AuditEvent
from clients.models import Client, Invite
from tests.conftest import make_client

pytestmark = pytest.mark.django_db

TITLE = "Getting Harbour Lane Massage ready"


def steps(response) -> dict[str, bool]:
    return {step.key: step.done for step in response.context["steps"] or []}


def test_a_new_clinics_owner_sees_four_steps_to_do(as_therapist):
    response = as_therapist.get(reverse("clients:list"))
    assertContains(response, TITLE)
    assert steps(response) == {"logo": False, "booking": False, "team": False, "client": False}


def test_each_step_ticks_itself_off_from_the_data(as_therapist, clinic, therapist):
    clinic.booking_url = "https://book.example.com"
    clinic.save()
    assert steps(as_therapist.get(reverse("clients:list")))["booking"] is True

    Invite.objects.create(clinic=clinic, invited_by=therapist)
    assert steps(as_therapist.get(reverse("clients:list")))["team"] is True

    make_client(clinic, "Maya")
    assert steps(as_therapist.get(reverse("clients:list")))["client"] is True

    clinic.logo = "clinics/logo.png"
    clinic.save()
    response = as_therapist.get(reverse("clients:list"))
    assert response.context["steps"] is None  # all done: gone
    assertNotContains(response, TITLE)


def test_a_teammate_counts_as_the_team(as_therapist, colleague):
    assert steps(as_therapist.get(reverse("clients:list")))["team"] is True


def test_another_clinics_team_and_clients_count_for_nothing(as_therapist, outsider, other_clinic):
    make_client(other_clinic, "Olu")
    Invite.objects.create(clinic=other_clinic, invited_by=outsider)
    assert steps(as_therapist.get(reverse("clients:list"))) == {"logo": False, "booking": False, "team": False, "client": False}


def test_the_sample_client_button_adds_one_with_the_owners_email(as_therapist, therapist, clinic):
    therapist.user.email = "robin@harbour.example"
    therapist.user.save()
    response = as_therapist.post(reverse("clients:sample"))
    sample = Client.objects.get(clinic=clinic)
    assert response["Location"] == reverse("clients:detail", args=[sample.pk])
    assert (sample.full_name, sample.email) == ("Sample Client", "robin@harbour.example")
    assert AuditEvent.objects.for_client(sample).get().action == Action.CLIENT_CREATED
    assert steps(as_therapist.get(reverse("clients:list")))["client"] is True


def test_hiding_it_hides_it_for_good(as_therapist, clinic):
    response = as_therapist.post(reverse("clinic:checklist-dismiss"))
    assert response["Location"] == reverse("clients:list")
    clinic.refresh_from_db()
    assert clinic.checklist_dismissed_at is not None
    assertNotContains(as_therapist.get(reverse("clients:list")), TITLE)


def test_a_therapist_who_isnt_an_owner_never_sees_it_nor_hides_it(as_colleague, clinic):
    assertNotContains(as_colleague.get(reverse("clients:list")), TITLE)
    assert as_colleague.post(reverse("clinic:checklist-dismiss")).status_code == 403
    clinic.refresh_from_db()
    assert clinic.checklist_dismissed_at is None


def test_the_steps_link_where_each_is_done(as_therapist):
    response = as_therapist.get(reverse("clients:list"))
    assertContains(response, f'href="{reverse("clinic:settings")}"')
    assertContains(response, f'href="{reverse("clinic:team")}"')
    assertContains(response, f'action="{reverse("clients:sample")}"')
