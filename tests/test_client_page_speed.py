"""The client's page is fast and never stale: few queries, a cache that forgets at once,
and a light page (its own small stylesheet, no scripts, sized pictures)."""

import datetime
import gzip
import os
import re
import uuid

import pytest
from django.contrib.staticfiles import finders
from django.core.cache import caches
from django.test import override_settings
from pytest_django.asserts import assertContains, assertNotContains

from aftercare import link_page
from aftercare.models import CheckIn, ShareLink
from exercises.images import clean_upload
from tests.conftest import builtin, make_client, make_visit
from tests.imagefiles import photo_bytes, upload

WEIGHT_BUDGET = 50 * 1024


@pytest.fixture
def homework(visit):
    visit.assign(builtin("tennis-ball-suboccipital-release"), note="Two minutes before bed")
    visit.assign(builtin("doorway-pec-stretch"))
    return visit


@pytest.fixture
def path(homework):
    return ShareLink.issue(homework.client)


def cached_view(client, path, django_assert_num_queries) -> str:
    """Opens the page twice and checks that the second opening came from the cache, so the
    test that follows shows the cache forgetting, not a page that is never cached."""
    client.get(path)
    # 1 the link with its client, clinic and page stamp; the page itself from the cache, and
    # this address's opening already in the audit log
    with django_assert_num_queries(1):
        return client.get(path).content.decode()


def test_a_first_opening_takes_four_queries_and_the_next_one(client, homework, path, django_assert_num_queries):
    # 1 the link with its client, clinic and page stamp, 2 the opening written to the audit
    # log, 3 every item shown with its visit, therapist, exercise, picture and ticks this week,
    # 4 the newest visit's complaints with red flags
    with django_assert_num_queries(4):
        first = client.get(path)
    # 1 the link with its client, clinic and page stamp; the page from the cache, the
    # opening already in the audit log (the same address within half an hour)
    with django_assert_num_queries(1):
        again = client.get(path)
    assert again.content == first.content
    assertContains(again, "Two minutes before bed")


def test_the_pages_own_lookup_gives_the_same_link_client_and_clinic_as_find(homework, path):
    token = path.split("/")[2]
    found, for_page = ShareLink.find(token), link_page.find(token)
    assert for_page.pk == found.pk and found.is_live()
    assert for_page.client_id == found.client_id == homework.client_id
    assert for_page.clinic_id == found.client.clinic_id
    assert for_page.token == token
    assert link_page.find(token[:-1] + ("B" if token.endswith("A") else "A")) is None


def test_a_revoked_link_is_gone_at_once(client, homework, path, django_assert_num_queries):
    cached_view(client, path, django_assert_num_queries)
    ShareLink.replace(homework.client)
    assert client.get(path).status_code == 404


def test_new_homework_shows_at_once(client, homework, path, therapist, django_assert_num_queries):
    assert "Supported psoas release" not in cached_view(client, path, django_assert_num_queries)
    newer = make_visit(homework.client, "lower-back-pain", therapist=therapist)
    newer.assign(builtin("psoas-release"))
    assertContains(client.get(path), "Supported psoas release")


def test_a_removed_item_goes_at_once(client, homework, path, django_assert_num_queries):
    assert "Doorway" in cached_view(client, path, django_assert_num_queries)
    homework.items.get(exercise__slug="doorway-pec-stretch").delete()
    assertNotContains(client.get(path), "Doorway")


def test_an_edited_note_and_wrap_up_show_at_once(client, homework, path, django_assert_num_queries):
    cached_view(client, path, django_assert_num_queries)
    item = homework.items.get(slot=1)
    item.note = "Only on the left side"
    item.save()
    homework.next_goal = "Sleep through the night"
    homework.save()
    response = client.get(path)
    assertContains(response, "Only on the left side")
    assertContains(response, "Sleep through the night")


def test_a_tick_and_its_undo_count_at_once(client, homework, path, django_assert_num_queries):
    assert "Not yet this week" in cached_view(client, path, django_assert_num_queries)
    item = homework.items.get(slot=1)
    client.post(f"{path}done/", {"item": item.pk, "day": homework.date.isoformat(), "action": "done"})
    response = client.get(path)
    assertContains(response, "Once this week")
    assertContains(response, "Done today")
    client.post(f"{path}done/", {"item": item.pk, "day": homework.date.isoformat(), "action": "undo"})
    assertNotContains(client.get(path), "Once this week")
    assert not CheckIn.objects.exists()


def test_an_edited_exercise_shows_at_once(client, homework, path, clinic, django_assert_num_queries):
    own = builtin("doorway-pec-stretch").copy_for(clinic)
    homework.items.filter(slot=2).update(exercise=own)
    cached_view(client, path, django_assert_num_queries)
    own.why = "Opens the chest after a day at the desk."
    own.save()
    assertContains(client.get(path), "Opens the chest after a day at the desk.")


def test_a_new_picture_shows_at_once_with_its_thumbnail_and_size(client, homework, path, clinic, django_assert_num_queries):
    own = builtin("doorway-pec-stretch").copy_for(clinic)
    homework.items.filter(slot=2).update(exercise=own)
    cached_view(client, path, django_assert_num_queries)
    own.add_pictures([clean_upload(upload(photo_bytes("JPEG", (2400, 1800)), "doorway.jpg"))])
    picture = own.pictures.get()
    html = client.get(path).content.decode()
    tag = re.search(r'<img class="picture" src="%s"[^>]*>' % re.escape(picture.image.url), html).group(0)
    assert f'srcset="{picture.thumbnail.url} 400w, {picture.image.url} 1600w"' in tag
    assert 'sizes="' in tag
    assert 'width="1600" height="1200"' in tag


def test_clinic_settings_show_at_once(client, homework, path, django_assert_num_queries):
    cached_view(client, path, django_assert_num_queries)
    clinic = homework.client.clinic
    clinic.name = "Harbour Lane Bodywork"
    clinic.booking_url = "https://book.example.com/harbour"
    clinic.save()
    response = client.get(path)
    assertContains(response, "Harbour Lane Bodywork")
    assertContains(response, 'href="https://book.example.com/harbour"')


def test_one_clients_cached_page_is_never_anothers(client, homework, path, clinic, therapist):
    client.get(path)
    other = make_visit(make_client(clinic, "Dev"), therapist=therapist)
    other.assign(builtin("psoas-release"))
    other_page = client.get(ShareLink.issue(other.client)).content.decode()
    assert "Hi Dev" in other_page and "Maya" not in other_page


def test_a_broken_cache_costs_speed_not_the_page(client, homework, path, monkeypatch):
    calls = []

    def down(*args, **kwargs):
        calls.append(args)
        raise ConnectionError("cache is down")

    for method in ("get", "get_many", "set", "add", "incr"):
        monkeypatch.setattr(caches["default"], method, down)
    assertContains(client.get(path), "Hi Maya")
    assert client.get("/h/not-a-link/").status_code == 404
    assert client.post(f"{path}done/", {"item": homework.items.first().pk, "action": "done"}).status_code == 302
    assert len(calls) >= 3  # the cache was asked, and failed, on each of the three


def redis_url() -> str:
    return os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")


@pytest.fixture
def redis_cache():
    """The default cache on a real Redis, under a prefix no other test run shares. In CI a
    missing Redis fails the test instead of skipping it."""
    prefix = f"aftercare-test-{uuid.uuid4().hex}"
    config = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": redis_url(), "KEY_PREFIX": prefix}
    with override_settings(CACHES={"default": config, "other-worker": config}):
        try:
            caches["default"].get("ping")
        except Exception as error:  # the redis client's connection errors
            if os.environ.get("CI") == "true":
                raise
            pytest.skip(f"no Redis at {redis_url()} ({error})")
        yield caches
        # Only this test's keys: clear() would empty the whole Redis database.
        raw = caches["default"]._cache.get_client(write=True)
        for key in raw.scan_iter(f"{prefix}:*"):
            raw.delete(key)


def test_on_redis_every_worker_shares_the_page_and_it_forgets_at_once(
    client, homework, path, therapist, redis_cache, django_assert_num_queries
):
    client.get(path)
    # Another worker has its own connection to the same Redis and finds the page there.
    raw = redis_cache["other-worker"]._cache.get_client()
    prefix = redis_cache["other-worker"].key_prefix
    assert len([key for key in raw.scan_iter(f"{prefix}:*") if b"client-page" in key]) == 1
    # 1 the link with its client, clinic and page stamp; the page and the opening from Redis
    with django_assert_num_queries(1):
        client.get(path)

    newer = make_visit(homework.client, "lower-back-pain", therapist=therapist)
    newer.assign(builtin("psoas-release"))
    assertContains(client.get(path), "Supported psoas release")

    ShareLink.replace(homework.client)
    assert client.get(path).status_code == 404


def test_the_page_weighs_under_50_kb_compressed_and_uses_no_framework(client, homework, path, therapist):
    # A client of long standing: this week's homework and ten earlier visits.
    for weeks in range(1, 11):
        earlier = make_visit(homework.client, "headaches", therapist=therapist, date=homework.date - datetime.timedelta(weeks=weeks))
        earlier.assign(builtin("psoas-release"), note="Slowly, and breathe out " * 5)
        earlier.assign(builtin("bird-dog"))
    html = client.get(path).content.decode()
    stylesheets = re.findall(r'<link rel="stylesheet" href="/static/([^"]+)"', html)
    scripts = re.findall(r'<script[^>]*src="/static/([^"]+)"', html)
    assert stylesheets == ["css/client.css"]
    # One small script of our own: the phone's notifications and time zone (issue 14);
    # everything else works without it.
    assert scripts == ["js/reminders.js"]
    assert html.count("<script") == 1 and "<style" not in html and " style=" not in html
    assert "bootstrap" not in html.lower()
    weight = len(gzip.compress(html.encode()))
    for name in stylesheets + scripts:
        weight += len(gzip.compress(open(finders.find(name), "rb").read()))
    assert weight < WEIGHT_BUDGET, f"{weight} bytes compressed"


def test_every_picture_has_its_size_and_only_the_first_loads_eagerly(client, homework, path):
    html = client.get(path).content.decode()
    pictures = re.findall(r'<img class="picture"[^>]*>', html)
    assert len(pictures) == 2
    for tag in pictures:
        assert 'width="400" height="300"' in tag
    assert 'fetchpriority="high"' in pictures[0] and 'loading="lazy"' not in pictures[0]
    assert 'loading="lazy"' in pictures[1]
