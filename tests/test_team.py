"""The clinic's team: owners add therapists (temporary password or invite link), give and
take the owner role, remove someone; removed therapists can't get in."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from clients.models import Invite, Therapist
from tests.conftest import make_client, make_therapist, make_visit

TEAM = reverse("clinic:team")


def test_the_owner_sees_the_team(as_therapist, colleague):
    response = as_therapist.get(TEAM)
    assertContains(response, "Jo Tester")
    assertContains(response, "Robin Tester")


def test_adding_a_therapist_shows_a_temporary_password_once(as_therapist, clinic, client):
    response = as_therapist.post(
        reverse("clinic:team-add"), {"first_name": "Alex", "last_name": "Moss", "username": "alex", "email": ""}
    )
    assert response.status_code == 200
    assert "no-cache" in response["Cache-Control"] or "no-store" in response["Cache-Control"]
    password = response.context["new_password"]
    assert len(password) == 12
    assertContains(response, password)
    alex = Therapist.objects.get(user__username="alex")
    assert alex.clinic == clinic and not alex.is_owner
    assert password not in alex.user.password  # stored hashed
    assertNotContains(as_therapist.get(TEAM), password)  # shown only that once
    as_therapist.logout()
    assert client.login(username="alex", password=password)
    # …and they choose their own.
    response = client.post(
        reverse("password_change"),
        {"old_password": password, "new_password1": "calf-roller-42", "new_password2": "calf-roller-42"},
    )
    assert response.status_code == 302
    client.logout()
    assert client.login(username="alex", password="calf-roller-42")


def test_a_username_already_taken_is_refused_kindly(as_therapist, colleague):
    response = as_therapist.post(reverse("clinic:team-add"), {"first_name": "Jo", "username": "jo"})
    assertContains(response, "Someone already logs in with that username", status_code=400)


def test_a_username_that_differs_only_in_capitals_is_refused(as_therapist, colleague):
    response = as_therapist.post(reverse("clinic:team-add"), {"first_name": "Jo", "username": "JO"})
    assertContains(response, "Someone already logs in with that username", status_code=400)
    assert not get_user_model().objects.filter(username="JO").exists()


def test_a_lost_temporary_password_is_replaced_once_shown(as_therapist, colleague, client):
    response = as_therapist.post(reverse("clinic:team-password", args=[colleague.pk]))
    password = response.context["new_password"]
    assertContains(response, password)
    assertContains(response, "can log in again as")
    assert "no-store" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]
    as_therapist.logout()
    assert not client.login(username="jo", password="password")
    assert client.login(username="jo", password=password)


def test_nobody_resets_their_own_or_a_removed_teammates_password_here(as_therapist, therapist, colleague):
    colleague.remove()
    for person in (therapist, colleague):
        response = as_therapist.post(reverse("clinic:team-password", args=[person.pk]), follow=True)
        assertContains(response, "Only a teammate still on the team")
    therapist.user.refresh_from_db()
    assert therapist.user.check_password("password")


def test_reloading_the_answer_to_a_team_form_goes_back_to_the_team(as_therapist):
    for name in ("team-add", "invite-create"):
        response = as_therapist.get(reverse(f"clinic:{name}"))
        assert response.status_code == 302 and response.url == TEAM


def test_the_invite_flow(as_therapist, clinic, client):
    response = as_therapist.post(reverse("clinic:invite-create"), {"name": "Alex, Tuesdays"})
    url = response.context["invite_url"]
    assert url.startswith("http://testserver/clinic/join/")
    assertContains(response, url)
    invite = Invite.objects.get(clinic=clinic)
    assert str(invite.pk) != url.rstrip("/").rsplit("/", 1)[-1]  # signed, not a bare id
    client.logout()
    path = url.replace("http://testserver", "")
    assertContains(client.get(path), "Join Harbour Lane Massage")
    response = client.post(
        path,
        {"first_name": "Alex", "last_name": "Moss", "username": "alex", "password1": "calf-roller-42", "password2": "calf-roller-42"},
    )
    assert response.status_code == 302 and response.url == reverse("clients:list")
    alex = Therapist.objects.get(user__username="alex")
    assert alex.clinic == clinic and not alex.is_owner
    invite.refresh_from_db()
    assert invite.used_at and invite.used_by == alex
    assert client.get(reverse("clients:list")).status_code == 200  # logged in
    # One use only.
    client.logout()
    assertContains(client.get(path), "doesn't work any more", status_code=404)
    response = client.post(
        path, {"first_name": "Eve", "username": "eve", "password1": "calf-roller-42", "password2": "calf-roller-42"}
    )
    assert response.status_code == 404 and not get_user_model().objects.filter(username="eve").exists()


def test_a_join_form_with_mistakes_keeps_what_was_typed(client, clinic, therapist):
    invite = Invite.objects.create(clinic=clinic, invited_by=therapist)
    response = client.post(
        reverse("clinic:join", args=[invite.token]),
        {"first_name": "Alex", "username": "alex", "password1": "calf-roller-42", "password2": "different-one-42"},
    )
    assert response.status_code == 400
    assertContains(response, 'value="alex"', status_code=400)
    invite.refresh_from_db()
    assert invite.used_at is None


def test_invite_links_expire_can_be_cancelled_and_cannot_be_made_up(client, clinic, therapist):
    invite = Invite.objects.create(clinic=clinic, invited_by=therapist)
    Invite.objects.filter(pk=invite.pk).update(created_at=timezone.now() - datetime.timedelta(days=8))
    assert client.get(reverse("clinic:join", args=[invite.token])).status_code == 404
    fresh = Invite.objects.create(clinic=clinic, invited_by=therapist)
    client.force_login(therapist.user)
    client.post(reverse("clinic:invite-revoke", args=[fresh.pk]))
    client.logout()
    assert client.get(reverse("clinic:join", args=[fresh.token])).status_code == 404
    assert client.get(reverse("clinic:join", args=["not-a-real-invite"])).status_code == 404
    forged = fresh.token.replace(fresh.token[-3:], "abc")
    assert client.get(reverse("clinic:join", args=[forged])).status_code == 404


def test_owner_role_can_be_given_and_taken_but_a_clinic_keeps_an_owner(as_therapist, therapist, colleague):
    as_therapist.post(reverse("clinic:team-owner", args=[colleague.pk]), {"owner": "1"})
    colleague.refresh_from_db()
    assert colleague.is_owner
    as_therapist.post(reverse("clinic:team-owner", args=[colleague.pk]), {"owner": "0"})
    colleague.refresh_from_db()
    assert not colleague.is_owner
    response = as_therapist.post(reverse("clinic:team-owner", args=[therapist.pk]), {"owner": "0"}, follow=True)
    assertContains(response, "only owner")
    therapist.refresh_from_db()
    assert therapist.is_owner


def test_an_owner_can_step_down_when_there_is_another(as_therapist, therapist, colleague):
    colleague.set_owner(True)
    response = as_therapist.post(reverse("clinic:team-owner", args=[therapist.pk]), {"owner": "0"})
    assert response.url == reverse("clients:list")
    therapist.refresh_from_db()
    assert not therapist.is_owner
    assert as_therapist.get(TEAM).status_code == 403


def test_removing_someone_keeps_their_past_visits_and_locks_them_out(client, therapist, colleague, clinic):
    visit = make_visit(make_client(clinic, "Maya"), "headaches", therapist=colleague)
    client.force_login(colleague.user)
    assert client.get(reverse("clients:list")).status_code == 200
    owner = client.__class__()
    owner.force_login(therapist.user)
    response = owner.post(reverse("clinic:team-remove", args=[colleague.pk]), follow=True)
    assertContains(response, "can no longer log in")
    colleague.refresh_from_db()
    assert colleague.is_removed and not colleague.user.is_active
    # Their open session ends, and they can't log in again.
    response = client.get(reverse("clients:list"))
    assert response.status_code == 302 and "/login/" in response.url
    assert not client.login(username="jo", password="password")
    # Their visit stays, with their name.
    visit.refresh_from_db()
    assert visit.therapist == colleague
    assertContains(owner.get(reverse("clients:detail", args=[visit.client.pk])), "Jo Tester")
    assertContains(owner.get(TEAM), "No longer on the team: Jo Tester")


def test_therapist_required_refuses_a_removed_therapist_even_if_still_active(client, colleague):
    colleague.removed_at = timezone.now()
    colleague.save()
    client.force_login(colleague.user)
    for url in (reverse("clients:list"), reverse("exercises:list")):
        assert client.get(url).status_code == 403


def test_the_last_owner_cannot_be_removed_and_nobody_removes_themselves(as_therapist, therapist, clinic):
    response = as_therapist.post(reverse("clinic:team-remove", args=[therapist.pk]), follow=True)
    assertContains(response, "can&#x27;t remove yourself")
    therapist.refresh_from_db()
    assert not therapist.is_removed
    with pytest.raises(ValidationError):
        therapist.remove()
    other_owner = make_therapist(clinic, "kim", owner=True)
    therapist.refresh_from_db()
    therapist.remove()
    assert therapist.is_removed and Therapist.objects.filter(clinic=clinic, is_owner=True).current().get() == other_owner


@pytest.mark.parametrize(
    "name,method",
    [
        ("team", "get"), ("team-add", "post"), ("invite-create", "post"),
    ],
)
def test_a_colleague_who_is_not_an_owner_is_refused(as_colleague, name, method):
    response = getattr(as_colleague, method)(reverse(f"clinic:{name}"), {"first_name": "X", "username": "x"})
    assert response.status_code == 403
    assert not get_user_model().objects.filter(username="x").exists()


def test_a_colleague_cannot_change_roles_or_remove_anyone(as_colleague, therapist, colleague):
    assert as_colleague.post(reverse("clinic:team-owner", args=[colleague.pk]), {"owner": "1"}).status_code == 403
    assert as_colleague.post(reverse("clinic:team-remove", args=[therapist.pk])).status_code == 403
    assert as_colleague.post(reverse("clinic:team-password", args=[therapist.pk])).status_code == 403
    colleague.refresh_from_db(), therapist.refresh_from_db()
    assert not colleague.is_owner and not therapist.is_removed


def test_an_outsider_gets_404_for_another_clinics_team_members_and_invites(as_outsider, therapist, colleague, clinic):
    invite = Invite.objects.create(clinic=clinic, invited_by=therapist)
    assert as_outsider.post(reverse("clinic:team-owner", args=[colleague.pk]), {"owner": "1"}).status_code == 404
    assert as_outsider.post(reverse("clinic:team-remove", args=[colleague.pk])).status_code == 404
    assert as_outsider.post(reverse("clinic:team-password", args=[colleague.pk])).status_code == 404
    assert as_outsider.post(reverse("clinic:invite-revoke", args=[invite.pk])).status_code == 404
    assertNotContains(as_outsider.get(TEAM), "Jo Tester")
    colleague.refresh_from_db()
    assert not colleague.is_owner and not colleague.is_removed


def test_logged_out_people_are_sent_to_log_in(client, colleague):
    for url in (TEAM, reverse("clinic:team-remove", args=[colleague.pk])):
        response = client.post(url) if "remove" in url else client.get(url)
        assert response.status_code == 302 and "/login/" in response.url
