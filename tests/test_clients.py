"""Finding, adding and editing clients; each clinic sees only its own."""

import pytest
from django.urls import reverse

from django.utils.html import escape
from pytest_django.asserts import assertContains

from clients.models import Client
from exercises.models import Equipment
from tests.conftest import builtin, make_client


def test_the_list_asks_for_a_login(client, db):
    response = client.get(reverse("clients:list"))
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_a_login_outside_any_clinic_is_told_so(client, django_user_model):
    user = django_user_model.objects.create_user("drifter", password="x")
    client.force_login(user)
    response = client.get(reverse("clients:list"))
    assert response.status_code == 403
    assertContains(response, "part of a clinic", status_code=403)


def test_the_list_shows_this_clinics_clients_only(as_therapist, clinic, other_clinic):
    make_client(clinic, "Maya", last_name="Lindqvist")
    make_client(other_clinic, "Secret", last_name="Elsewhere")
    response = as_therapist.get(reverse("clients:list"))
    assert b"Maya Lindqvist" in response.content
    assert b"Secret" not in response.content


def test_a_colleague_sees_the_same_clients(as_colleague, client_):
    response = as_colleague.get(reverse("clients:list"))
    assert client_.full_name.encode() in response.content


def test_search_matches_the_start_of_any_name(as_therapist, clinic):
    make_client(clinic, "Maya", last_name="Lindqvist")
    make_client(clinic, "Dev", last_name="Patel")
    make_client(clinic, "Mark", last_name="Lind")
    response = as_therapist.get(reverse("clients:list"), {"q": "lind"})
    names = [c.full_name for c in response.context["page"].object_list]
    assert names == ["Mark Lind", "Maya Lindqvist"]
    response = as_therapist.get(reverse("clients:list"), {"q": "maya lind"})
    assert [c.full_name for c in response.context["page"].object_list] == ["Maya Lindqvist"]


def test_a_hidden_nul_in_a_search_is_a_space_not_a_crash(as_therapist, clinic):
    make_client(clinic, "Maya", last_name="Lindqvist")
    response = as_therapist.get(reverse("clients:list"), {"q": "maya\x00lind"})
    assert [c.full_name for c in response.context["page"].object_list] == ["Maya Lindqvist"]


def test_a_search_that_finds_nobody_offers_to_add_them(as_therapist):
    response = as_therapist.get(reverse("clients:list"), {"q": "Zelda"})
    assert b"Nobody called" in response.content
    assert response.context["form"]["first_name"].value() == "Zelda"


def test_the_list_pages_through_thousands_in_a_fixed_number_of_queries(
    as_therapist, clinic, django_assert_num_queries
):
    Client.objects.bulk_create([Client(clinic=clinic, first_name=f"Client{i:04d}") for i in range(2000)])
    # 1 session, 2 user, 3 therapist with clinic, 4 the page of clients and one more (no count),
    # 5 the owner's first-run checklist (the rest of the team, invites, any client: one query)
    with django_assert_num_queries(5):
        response = as_therapist.get(reverse("clients:list"), {"page": 40})
    page = response.context["page"]
    assert page.has_next() and page.has_previous()
    assert len(page.object_list) == 25
    assert page.object_list[0].first_name == "Client0975"


def test_adding_with_just_a_first_name(as_therapist, clinic):
    response = as_therapist.post(reverse("clients:quick-add"), {"first_name": "  Lou ", "last_name": ""})
    lou = Client.objects.get(first_name="Lou")
    assert lou.clinic == clinic
    assert response["Location"] == reverse("clients:detail", args=[lou.pk])


def test_adding_without_a_first_name_says_so_and_keeps_the_last_name(as_therapist):
    response = as_therapist.post(reverse("clients:quick-add"), {"first_name": "   ", "last_name": "Okonjo"})
    assert response.status_code == 400
    assertContains(response, "A first name is enough, but we need that.", status_code=400)
    assert b'value="Okonjo"' in response.content
    assert not Client.objects.exists()


def test_adding_with_details_and_home_equipment(as_therapist, clinic):
    ball = Equipment.objects.get(slug="tennis-ball")
    response = as_therapist.post(
        reverse("clients:create"),
        {"first_name": "Ruth", "last_name": "Okonjo", "email": "ruth@example.com", "equipment": [ball.pk]},
    )
    ruth = Client.objects.get(first_name="Ruth")
    assert response.status_code == 302
    assert list(ruth.equipment.all()) == [ball]


def test_a_bad_email_is_explained_and_nothing_typed_is_lost(as_therapist):
    response = as_therapist.post(
        reverse("clients:create"), {"first_name": "Ruth", "last_name": "Okonjo", "email": "ruth at home"}
    )
    assert response.status_code == 200
    assert b"Enter a valid email address" in response.content
    assert b'value="Okonjo"' in response.content and b'value="ruth at home"' in response.content


def test_editing_what_they_have_at_home(as_therapist, client_):
    roller = Equipment.objects.get(slug="foam-roller")
    as_therapist.post(
        reverse("clients:edit", args=[client_.pk]), {"first_name": "Maya", "equipment": [roller.pk]}
    )
    assert list(client_.equipment.all()) == [roller]


def test_the_client_page_shows_every_past_visit_with_its_homework(as_therapist, visit):
    exercise = builtin("tennis-ball-suboccipital-release")
    visit.assign(exercise, note="Before bed")
    response = as_therapist.get(reverse("clients:detail", args=[visit.client.pk]))
    assertContains(response, escape(exercise.name))
    assertContains(response, "Headaches")


@pytest.mark.parametrize("route", ["clients:detail", "clients:edit"])
def test_another_clinics_client_is_not_found(as_outsider, client_, route):
    response = as_outsider.get(reverse(route, args=[client_.pk]))
    assert response.status_code == 404
    response = as_outsider.post(reverse(route, args=[client_.pk]), {"first_name": "Hacked"})
    assert response.status_code == 404
    client_.refresh_from_db()
    assert client_.first_name == "Maya"


def test_a_page_past_the_end_of_the_list_shows_the_first(as_therapist, clinic):
    Client.objects.bulk_create([Client(clinic=clinic, first_name=f"Client{i:02d}") for i in range(30)])
    page = as_therapist.get(reverse("clients:list"), {"page": 9}).context["page"]
    assert page.number == 1 and page.has_next()
    assert page.object_list[0].first_name == "Client00"
