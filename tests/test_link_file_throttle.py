"""Issue 17, item 6 (throttle): the client's handout and calendar file are made afresh on
each request (a handout is the heaviest answer the app gives), so however many addresses
ask, one link has them made at most CLIENT_LINK_FILES_RATE times; then 429 with a kind
message, and the link's page itself still opens."""

import uuid

import pytest

from aftercare.models import ShareLink
from tests.conftest import builtin, make_client, make_visit


@pytest.fixture(autouse=True)
def strict(settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": uuid.uuid4().hex}}
    settings.CLIENT_LINK_FILES_RATE = "3/m"


@pytest.fixture
def path(visit):
    visit.assign(builtin("chin-tucks"))
    return ShareLink.issue(visit.client)


def test_the_handout_of_one_link_is_made_at_most_so_often_from_any_address(client, path):
    for n in range(3):
        assert client.get(f"{path}handout.pdf", REMOTE_ADDR=f"198.51.100.{n}").status_code == 200

    response = client.get(f"{path}handout.pdf", REMOTE_ADDR="203.0.113.9")

    assert response.status_code == 429
    assert "wait" in response.content.decode().lower()
    assert response["Cache-Control"] == "no-store, private"
    assert client.get(path).status_code == 200  # the page itself still opens


def test_the_calendar_file_counts_with_the_handout(client, path):
    assert client.get(f"{path}handout.pdf").status_code == 200
    for _ in range(2):
        assert client.get(f"{path}reminders.ics", {"time": "08:00"}).status_code == 200
    assert client.get(f"{path}reminders.ics", {"time": "08:00"}).status_code == 429


def test_another_clients_link_keeps_its_own_count(client, path, clinic, therapist):
    for _ in range(3):
        client.get(f"{path}handout.pdf")
    other = make_visit(make_client(clinic, "Ada"), "headaches", therapist=therapist)
    other.assign(builtin("chin-tucks"))
    assert client.get(f"{ShareLink.issue(other.client)}handout.pdf").status_code == 200


def test_the_default_rate_lets_a_client_download_now_and_then(settings):
    from aftercare.settings import CLIENT_LINK_FILES_RATE

    assert CLIENT_LINK_FILES_RATE == "30/h"
