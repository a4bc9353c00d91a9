"""Issue 17, item 5: rotating the secret key keeps every printed QR code and emailed link
opening. A link made under a key now in SECRET_KEY_FALLBACKS (DJANGO_SECRET_KEY_FALLBACKS)
still opens, and is still the one the clinic shows and prints; links made from now on use
the new key. Dropping the old key from the fallbacks ends the links made under it."""

import runpy
from pathlib import Path

import pytest
from django.urls import reverse

from aftercare.models import ShareLink
from tests.conftest import builtin, make_client

ROOT = Path(__file__).resolve().parent.parent
OLD, NEW = "old-key-" + "a" * 50, "new-key-" + "b" * 50


@pytest.fixture
def old_path(settings, visit):
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = OLD, []
    visit.assign(builtin("chin-tucks"))
    return ShareLink.issue(visit.client)


@pytest.fixture
def rotated(settings, old_path):
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = NEW, [OLD]


def test_a_link_made_under_the_old_key_still_opens_after_rotation(client, old_path, rotated):
    assert client.get(old_path).status_code == 200
    assert client.get(old_path + "handout.pdf").status_code == 200
    assert client.get(old_path + "reminders.ics", {"time": "08:00"}).status_code == 200


def test_the_clinic_still_shows_and_prints_the_link_the_client_has(client, therapist, visit, old_path, rotated):
    assert ShareLink.issue(visit.client) == old_path
    client.force_login(therapist.user)
    page = client.get(reverse("aftercare:visit-detail", args=[visit.pk])).content.decode()
    assert old_path in page


def test_new_links_use_the_new_key(client, clinic, settings, rotated):
    path = ShareLink.issue(make_client(clinic, "Ada"))
    settings.SECRET_KEY_FALLBACKS = []  # once the old key is gone, links made since still open
    assert client.get(path).status_code == 200


def test_dropping_the_old_key_ends_the_links_made_under_it(client, settings, old_path, rotated):
    settings.SECRET_KEY_FALLBACKS = []
    assert client.get(old_path).status_code == 404


def test_the_fallbacks_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("DJANGO_SECRET_KEY_FALLBACKS", f"{OLD},older-key")
    decided = runpy.run_path(str(ROOT / "aftercare" / "settings.py"))
    assert decided["SECRET_KEY_FALLBACKS"] == [OLD, "older-key"]
