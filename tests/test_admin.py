"""Django admin for support staff: every list loads with its search and filters, and a
client link's token material never shows."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from aftercare.models import ShareLink
from clients.models import Invite
from tests.conftest import builtin

MODELS = [
    "clients_clinic", "clients_therapist", "clients_client", "clients_invite",
    "exercises_exercise", "exercises_complaint", "exercises_equipment",
    "aftercare_visit", "aftercare_homeworkitem", "aftercare_sharelink",
]


@pytest.fixture
def as_superuser(client, db):
    client.force_login(get_user_model().objects.create_superuser("support", "support@example.com", "pw"))
    return client


@pytest.mark.parametrize("name", MODELS)
def test_every_list_loads_with_search(as_superuser, visit, therapist, name):
    visit.assign(builtin("chin-tucks"))
    ShareLink.issue(visit.client)
    Invite.objects.create(clinic=therapist.clinic, invited_by=therapist)
    url = reverse(f"admin:{name}_changelist")
    assert as_superuser.get(url).status_code == 200
    assert as_superuser.get(url, {"q": "maya"}).status_code == 200


def test_a_share_link_never_shows_its_token_material(as_superuser, client_):
    path = ShareLink.issue(client_)
    link = ShareLink.objects.get(client=client_)
    for url in (reverse("admin:aftercare_sharelink_changelist"), reverse("admin:aftercare_sharelink_change", args=[link.pk])):
        body = as_superuser.get(url).content.decode()
        assert link.digest not in body and link.salt not in body
        assert path.strip("/").split("/")[-1] not in body


def test_therapists_are_not_let_into_the_admin(client, therapist):
    client.force_login(therapist.user)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302 and "login" in response.url
