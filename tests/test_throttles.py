"""Throttles: failed logins and wrong client-link tokens are limited per address.

The counts live in the default cache, which a clinic may run as local memory, the database
or Redis; the lock-out tests run on all three. Redis is the one on 127.0.0.1:6379: with
CI=true a Redis that doesn't answer fails these tests, elsewhere they skip and say why."""

import os
import uuid

import pytest
import redis
from django.core.cache import caches
from django.core.management import call_command
from django.utils.html import escape

from aftercare.models import ShareLink
from clients.login_views import FOR_USERNAME, FROM_HERE
from tests.conftest import builtin

REDIS_URL = "redis://127.0.0.1:6379/0"
WRONG = {"username": "robin", "password": "not-the-password"}
RIGHT = {"username": "robin", "password": "password"}


def redis_or_skip() -> redis.Redis:
    connection = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        connection.ping()
    except redis.RedisError as e:
        if os.environ.get("CI"):
            pytest.fail(f"CI needs Redis on 127.0.0.1:6379 for the throttle tests: {e}")
        pytest.skip(f"Redis isn't answering on 127.0.0.1:6379 ({e}); with CI=true this fails")
    return connection


@pytest.fixture(autouse=True)
def own_counts(settings):
    """A local-memory cache of this test's own, so no earlier test's failures count here."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": uuid.uuid4().hex}}


@pytest.fixture(params=["locmem", "database", "redis"])
def throttle_cache(request, settings, db):
    """The default cache as one of the three kinds, with keys of its own for this test."""
    prefix = f"throttle-test-{uuid.uuid4().hex}"
    if request.param == "locmem":
        cache = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": prefix}
    elif request.param == "database":
        cache = {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "aftercare_cache"}
    else:
        connection = redis_or_skip()
        cache = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    settings.CACHES = {"default": {**cache, "KEY_PREFIX": prefix}}
    if request.param == "database":
        call_command("createcachetable", verbosity=0)
    yield request.param
    if request.param == "redis":
        # Never clear(): that empties the whole Redis database, other runs' keys included.
        keys = list(connection.scan_iter(f"{prefix}:*"))
        if keys:
            connection.delete(*keys)
    caches["default"].close()


@pytest.fixture
def strict(settings):
    settings.LOGIN_FAILURES_PER_ADDRESS = "3/m"
    settings.LOGIN_FAILURES_PER_USERNAME = "5/m"
    settings.CLIENT_LINK_MISS_RATE = "3/m"
    return settings


def fail(client, times: int, username: str = "robin", address: str = "127.0.0.1") -> None:
    for _ in range(times):
        response = client.post("/login/", {**WRONG, "username": username}, REMOTE_ADDR=address)
        assert response.status_code == 200
        assert "Please enter a correct username and password" in response.content.decode()


def test_repeated_failed_logins_lock_out_the_address_with_429(client, throttle_cache, strict, therapist):
    fail(client, 3)

    response = client.post("/login/", RIGHT)

    assert response.status_code == 429
    page = response.content.decode()
    assert escape(FROM_HERE) in page
    assert 'value="robin"' in page  # the username typed stays
    assert "not-the-password" not in page and 'value="password"' not in page
    assert "_auth_user_id" not in client.session  # even the right password is not tried


def test_another_address_can_still_log_in(client, throttle_cache, strict, therapist):
    fail(client, 3)
    response = client.post("/login/", RIGHT, REMOTE_ADDR="192.0.2.7")
    assert response.status_code == 302


def test_wrong_client_links_lock_out_the_address_with_429(client, throttle_cache, strict, visit):
    visit.assign(builtin("chin-tucks"))
    real = ShareLink.issue(visit.client)
    for _ in range(3):
        assert client.get("/h/guessing-a-token/").status_code == 404

    assert client.get(real).status_code == 429
    assert client.get(real, REMOTE_ADDR="192.0.2.7").status_code == 200


def test_a_locked_out_login_form_still_shows_and_lifts_when_the_window_ends(client, strict, therapist, settings):
    fail(client, 3)
    assert client.get("/login/").status_code == 200  # looking is not trying
    assert client.post("/login/", RIGHT).status_code == 429
    caches["default"].clear()  # what the end of the window does
    assert client.post("/login/", RIGHT).status_code == 302


def test_successful_logins_never_count(client, strict, therapist):
    for _ in range(5):
        assert client.post("/login/", RIGHT).status_code == 302
        client.logout()
    fail(client, 2)
    assert client.post("/login/", RIGHT).status_code == 302


def test_one_username_guessed_from_many_addresses_locks_that_username(client, strict, therapist, colleague):
    for n in range(5):
        fail(client, 1, address=f"198.51.100.{n}")

    response = client.post("/login/", RIGHT, REMOTE_ADDR="203.0.113.9")

    assert response.status_code == 429
    assert escape(FOR_USERNAME) in response.content.decode()
    assert client.post("/login/", {"username": "jo", "password": "password"}, REMOTE_ADDR="203.0.113.9").status_code == 302


def test_the_admin_login_is_throttled_too(client, strict, db):
    from django.contrib.auth import get_user_model

    get_user_model().objects.create_superuser("support", "support@example.com", "password")
    for _ in range(3):
        assert client.post("/admin/login/", {"username": "support", "password": "wrong"}).status_code == 200

    response = client.post("/admin/login/", {"username": "support", "password": "password"})

    assert response.status_code == 429
    assert escape(FROM_HERE) in response.content.decode()


def test_behind_a_proxy_the_address_comes_from_the_header_it_names(client, strict, therapist, settings):
    settings.CLIENT_ADDRESS_HEADER = "HTTP_X_REAL_IP"
    for _ in range(3):
        client.post("/login/", WRONG, HTTP_X_REAL_IP="198.51.100.1")
    assert client.post("/login/", RIGHT, HTTP_X_REAL_IP="198.51.100.1").status_code == 429
    assert client.post("/login/", RIGHT, HTTP_X_REAL_IP="198.51.100.2").status_code == 302


def test_behind_a_proxy_wrong_client_links_count_per_real_address(client, strict, visit, settings):
    settings.CLIENT_ADDRESS_HEADER = "HTTP_X_FORWARDED_FOR"
    real = ShareLink.issue(visit.client)
    for _ in range(3):
        # what the client sent first, then the address the proxy saw
        assert client.get("/h/guessing-a-token/", HTTP_X_FORWARDED_FOR="10.9.9.9, 198.51.100.1").status_code == 404
    assert client.get(real, HTTP_X_FORWARDED_FOR="198.51.100.1").status_code == 429
    # another client behind the same proxy, and one faking the first's address up front
    assert client.get(real, HTTP_X_FORWARDED_FOR="198.51.100.2").status_code == 200
    assert client.get(real, HTTP_X_FORWARDED_FOR="198.51.100.1, 198.51.100.3").status_code == 200


@pytest.mark.parametrize("sent", [None, "", "not an address", "unknown"])
def test_without_a_usable_proxy_header_the_connections_address_counts(client, strict, therapist, settings, sent):
    settings.CLIENT_ADDRESS_HEADER = "HTTP_X_REAL_IP"
    headers = {} if sent is None else {"HTTP_X_REAL_IP": sent}
    for _ in range(3):
        assert client.post("/login/", WRONG, REMOTE_ADDR="192.0.2.50", **headers).status_code == 200
    assert client.post("/login/", RIGHT, REMOTE_ADDR="192.0.2.50", **headers).status_code == 429
    assert client.post("/login/", RIGHT, REMOTE_ADDR="192.0.2.51", **headers).status_code == 302
