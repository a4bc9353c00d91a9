"""Duplicates caught: adding a client whose name, email or phone matches one of the
clinic's clients asks "Is this Hannah Desk, last seen 3 Nov?" first; a second submit with
"No, a different person" adds them. Nothing typed is lost meanwhile."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from pytest_django.asserts import assertContains, assertNotContains

from clients.models import Client
from exercises.models import Equipment
from tests.conftest import make_client, make_visit

pytestmark = pytest.mark.django_db

DIFFERENT = "No, a different person: add them"


@pytest.fixture
def hannah(clinic):
    hannah = make_client(clinic, "Hannah", last_name="Desk", email="hannah@example.com", phone="07700 900123")
    make_visit(hannah, "headaches", date=datetime.date(timezone.localdate().year, 1, 3))
    return hannah


def quick_add(client, **fields):
    return client.post(reverse("clients:quick-add"), fields)


def test_the_same_name_asks_first_and_adds_nobody(as_therapist, hannah):
    response = quick_add(as_therapist, first_name="hannah", last_name="DESK")
    assert response.status_code == 400
    assertContains(response, "Is this Hannah Desk, last seen 3 Jan?", status_code=400)
    assertContains(response, f'href="{reverse("clients:detail", args=[hannah.pk])}"', status_code=400)
    assertContains(response, DIFFERENT, status_code=400)
    assertContains(response, 'value="hannah"', status_code=400)
    assertContains(response, 'value="DESK"', status_code=400)
    assert Client.objects.count() == 1


def test_a_different_person_is_added_on_the_second_submit(as_therapist, hannah, clinic):
    response = quick_add(as_therapist, first_name="Hannah", last_name="Desk", different_person="1")
    assert response.status_code == 302
    assert Client.objects.filter(clinic=clinic, first_name="Hannah", last_name="Desk").count() == 2


def test_a_first_name_alone_matches_whatever_the_last_name(as_therapist, hannah):
    response = quick_add(as_therapist, first_name="Hannah")
    assertContains(response, "Is this Hannah Desk", status_code=400)


def test_another_last_name_is_another_person(as_therapist, hannah):
    assert quick_add(as_therapist, first_name="Hannah", last_name="Chen").status_code == 302


def test_a_visit_in_another_year_gives_the_year(as_therapist, clinic):
    old = make_client(clinic, "Olu", last_name="Ade")
    last_year = timezone.localdate().year - 1
    make_visit(old, "headaches", date=datetime.date(last_year, 11, 3))
    make_visit(old, "headaches", date=datetime.date(last_year, 2, 1))
    response = quick_add(as_therapist, first_name="Olu", last_name="Ade")
    assertContains(response, f"Is this Olu Ade, last seen 3 Nov {last_year}?", status_code=400)


def test_someone_never_seen_is_offered_with_the_day_they_were_added(as_therapist, clinic):
    make_client(clinic, "Priya")
    today = timezone.localdate()
    response = quick_add(as_therapist, first_name="Priya")
    assertContains(response, f"Is this Priya, added {today.day} {today:%b}, no visits yet?", status_code=400)


def test_the_same_email_in_the_full_form_is_caught_whatever_the_name(as_therapist, hannah):
    tennis_ball = Equipment.objects.get(slug="tennis-ball")
    answer = {"first_name": "Jo", "last_name": "Bloggs", "email": "HANNAH@example.com", "phone": "",
              "equipment": [str(tennis_ball.pk)]}
    response = as_therapist.post(reverse("clients:create"), answer)
    assertContains(response, "Is this Hannah Desk, last seen 3 Jan?")
    assertContains(response, "(same email)")
    for typed in ("Jo", "Bloggs", "HANNAH@example.com"):
        assertContains(response, f'value="{typed}"')
    assert response.context["form"]["equipment"].value() == [str(tennis_ball.pk)]
    assert Client.objects.count() == 1

    response = as_therapist.post(reverse("clients:create"), {**answer, "different_person": "1"})
    assert response.status_code == 302
    jo = Client.objects.get(first_name="Jo")
    assert list(jo.equipment.all()) == [tennis_ball]


def test_the_same_phone_however_it_is_written_is_caught(as_therapist, hannah):
    answer = {"first_name": "H", "last_name": "", "email": "", "phone": "+44 (7700) 900-123"}
    response = as_therapist.post(reverse("clients:create"), answer)
    assertContains(response, "Is this Hannah Desk")
    assertContains(response, "(same phone)")


def test_a_few_digits_of_a_phone_are_not_enough_to_match(as_therapist, hannah):
    answer = {"first_name": "H", "last_name": "", "email": "", "phone": "0123"}
    assert as_therapist.post(reverse("clients:create"), answer).status_code == 302


def test_another_clinics_client_is_never_offered(as_outsider, hannah, other_clinic):
    response = quick_add(as_outsider, first_name="Hannah", last_name="Desk")
    assert response.status_code == 302
    assert Client.objects.filter(clinic=other_clinic, first_name="Hannah").count() == 1


def test_at_most_three_are_offered_newest_seen_first(as_therapist, clinic):
    year = timezone.localdate().year
    for day in (1, 2, 3, 4, 5):
        make_visit(make_client(clinic, "Sam", last_name=f"No{day}"), "headaches", date=datetime.date(year, 1, day))
    response = quick_add(as_therapist, first_name="Sam")
    questions = [d.question for d in response.context["form"].duplicates]
    assert questions == [f"Is this Sam No{day}, last seen {day} Jan?" for day in (5, 4, 3)]


def test_a_name_of_markup_in_the_question_stays_text(as_therapist, clinic):
    make_client(clinic, "<b>Hannah</b>")
    response = quick_add(as_therapist, first_name="<b>Hannah</b>")
    assertContains(response, escape("Is this <b>Hannah</b>"), status_code=400)
    assertNotContains(response, "Is this <b>Hannah</b>", status_code=400)


def test_editing_a_client_never_asks(as_therapist, hannah, clinic):
    other = make_client(clinic, "Hannah", last_name="Desk")
    response = as_therapist.post(
        reverse("clients:edit", args=[other.pk]), {"first_name": "Hannah", "last_name": "Desk", "email": "hannah@example.com"}
    )
    assert response.status_code == 302


def test_the_field_errors_come_first_and_the_question_after(as_therapist, hannah):
    response = as_therapist.post(reverse("clients:create"), {"first_name": "", "email": "hannah@example.com"})
    assertContains(response, "A first name is enough")
    assertNotContains(response, "Is this Hannah Desk")
