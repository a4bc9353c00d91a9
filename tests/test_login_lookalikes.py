"""Issue 17, item 1: the per-username lock-out counts one person's username however it is
spelled. Django's login form normalises what is typed (NFKC) before it checks the password,
so `ｒｏｂｉｎ` (full width) logs in as `robin`; the throttle counts that same identity,
case-folded, so no spelling of a username starts a fresh budget."""

import uuid

import pytest
from django.utils.html import escape

from clients.login_views import FOR_USERNAME

SPELLINGS = ["ｒｏｂｉｎ", "ＲＯＢＩＮ", "Robin", " ROBIN ", "ｒobｉn", "\u3000robin"]


@pytest.fixture(autouse=True)
def strict(settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": uuid.uuid4().hex}}
    settings.LOGIN_FAILURES_PER_ADDRESS = "1000/m"
    settings.LOGIN_FAILURES_PER_USERNAME = "5/m"


def attempt(client, username: str, password: str, n: int):
    # Each from its own address, as a guesser spread over many would.
    return client.post("/login/", {"username": username, "password": password}, REMOTE_ADDR=f"198.51.100.{n}")


def test_a_full_width_spelling_logs_in_as_the_plain_username(client, therapist):
    """Why the throttle must normalise: Django itself treats the two as one login."""
    assert attempt(client, "ｒｏｂｉｎ", "password", 1).status_code == 302


@pytest.mark.parametrize("spelling", SPELLINGS)
def test_a_look_alike_spelling_of_a_locked_username_is_locked_too(client, therapist, spelling):
    for n in range(5):
        assert attempt(client, "robin", "wrong", n).status_code == 200

    response = attempt(client, spelling, "password", 99)

    assert response.status_code == 429
    assert escape(FOR_USERNAME) in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_failures_under_different_spellings_add_up(client, therapist, colleague):
    for n, spelling in enumerate(SPELLINGS[:5]):
        assert attempt(client, spelling, "wrong", n).status_code == 200

    assert attempt(client, "robin", "password", 99).status_code == 429
    # Another username keeps its own budget.
    assert attempt(client, "jo", "password", 98).status_code == 302
