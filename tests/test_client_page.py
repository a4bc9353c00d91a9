"""The client's page at /h/<token>/: what they see, ticking off, and what it never does."""

import datetime
from unittest import mock

import pytest
from django.core.cache import cache
from django.utils import timezone
from django.utils.html import escape
from pytest_django.asserts import assertContains, assertNotContains

from aftercare.models import CheckIn, ShareLink
from clients.models import Client
from tests.conftest import builtin, make_client, make_visit


@pytest.fixture
def homework(visit):
    visit.assign(builtin("tennis-ball-suboccipital-release"), note="Two minutes before bed")
    visit.assign(builtin("doorway-pec-stretch"))
    visit.next_goal = "Through the week without a headache"
    visit.referral = "osteopath"
    visit.rebook_weeks = 2
    visit.save()
    return visit


@pytest.fixture
def path(homework):
    return ShareLink.issue(homework.client)


def test_the_page_shows_the_first_name_the_therapist_and_each_item(client, homework, path):
    response = client.get(path)
    assertContains(response, "Hi Maya")
    assertNotContains(response, "Lindqvist")
    assertNotContains(response, "maya@example.com")
    assertContains(response, "Robin Tester")
    for item in homework.items.all():
        assertContains(response, escape(item.exercise.name))
        assertContains(response, escape(item.exercise.step_list()[0]))
        assertContains(response, escape(item.exercise.why))
        assertContains(response, escape(item.exercise.cautions))
        assertContains(response, item.how_often_text())
    assertContains(response, "Two minutes before bed")
    assertContains(response, "Through the week without a headache")
    assertContains(response, "osteopath")


def test_the_page_is_private(client, path):
    response = client.get(path)
    assert response["Referrer-Policy"] == "no-referrer"
    assert "noindex" in response["X-Robots-Tag"]
    assert "no-store" in response["Cache-Control"]
    assert response["X-Frame-Options"] == "DENY"


def test_the_page_loads_nothing_from_other_sites(client, path):
    html = client.get(path).content.decode()
    for attribute in ('src="http', "src='http", 'href="http', "url(http", 'src="//', 'href="//'):
        assert attribute not in html


@pytest.mark.parametrize("broken", ["unknown", "revoked", "expired", "tampered"])
def test_unknown_revoked_expired_and_tampered_links_look_the_same(client, homework, path, broken):
    token = path.split("/")[2]
    if broken == "unknown":
        token = "A" * 43
    elif broken == "revoked":
        ShareLink.replace(homework.client)
    elif broken == "expired":
        ShareLink.objects.update(expires_at=timezone.now() - datetime.timedelta(minutes=1))
    else:
        token = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    response = client.get(f"/h/{token}/")
    assert response.status_code == 404
    assertContains(response, "This link isn", status_code=404)
    assert response["Referrer-Policy"] == "no-referrer"
    assert "no-store" in response["Cache-Control"]


def test_guessing_is_throttled_per_address(client, path, settings):
    settings.CLIENT_LINK_MISS_RATE = "5/m"
    for n in range(5):
        assert client.get(f"/h/guess{n}/", REMOTE_ADDR="203.0.113.9").status_code == 404
    assert client.get("/h/guess-again/", REMOTE_ADDR="203.0.113.9").status_code == 429
    # The real link from that address waits too; another address is not held up.
    assert client.get(path, REMOTE_ADDR="203.0.113.9").status_code == 429
    assert client.get(path, REMOTE_ADDR="198.51.100.7").status_code == 200


def test_opening_the_real_link_often_is_never_throttled(client, path, settings):
    settings.CLIENT_LINK_MISS_RATE = "5/m"
    for _ in range(20):
        assert client.get(path).status_code == 200


def tick(client, path, item, action="done", day=None, **headers):
    data = {"item": item.pk, "action": action}
    if day:
        data["day"] = day.isoformat()
    return client.post(f"{path}done/", data, **headers)


def test_ticking_and_undoing_an_item(client, homework, path):
    item = homework.items.first()
    response = tick(client, path, item)
    assert response.status_code == 302
    assert response["Location"] == f"{path}#tick-{item.pk}"
    assert CheckIn.objects.filter(item=item, day=timezone.localdate()).count() == 1
    page = client.get(path)
    assertContains(page, "Done today")
    assertContains(page, "Once this week")
    tick(client, path, item, "undo")
    assert not CheckIn.objects.exists()
    assertContains(client.get(path), "Not yet this week")


def test_ticking_twice_in_a_day_counts_once(client, homework, path):
    item = homework.items.first()
    tick(client, path, item)
    tick(client, path, item)
    assert CheckIn.objects.count() == 1


def test_the_week_count_is_kind_and_never_a_score(client, homework, path):
    item = homework.items.first()
    today = timezone.localdate()
    monday = today - datetime.timedelta(days=today.weekday())
    for offset in range(today.weekday() + 1):
        CheckIn.objects.create(item=item, day=monday + datetime.timedelta(days=offset))
    CheckIn.objects.create(item=item, day=monday - datetime.timedelta(days=1))  # last week's Sunday
    html = client.get(path).content.decode()
    count = today.weekday() + 1
    expected = "Once this week" if count == 1 else f"{count} times this week"
    assert expected in html
    assert "Some times beats no times" in html
    for shaming in ("streak", "missed", "%", "score", "failed"):
        assert shaming not in html.lower().replace("some times beats no times", "")


def test_a_check_in_cannot_touch_another_clients_item(client, homework, path, clinic):
    other = make_visit(make_client(clinic, "Dev"), "runners-calves")
    their_item = other.assign(builtin("calf-rolling-foam-roller"))
    response = tick(client, path, their_item)
    assert response.status_code == 404
    assert not CheckIn.objects.exists()


def test_a_cross_site_check_in_is_refused(client, homework, path):
    response = tick(client, path, homework.items.first(), HTTP_SEC_FETCH_SITE="cross-site")
    assert response.status_code == 403
    assert not CheckIn.objects.exists()


def test_a_check_in_with_a_dead_link_is_not_found(client, homework, path):
    ShareLink.replace(homework.client)
    assert tick(client, path, homework.items.first()).status_code == 404
    assert not CheckIn.objects.exists()


def test_check_ins_only_accept_posts(client, homework, path):
    assert client.get(f"{path}done/").status_code == 405


def test_a_tick_just_after_midnight_counts_for_the_day_the_page_showed(client, homework, path):
    item = homework.items.first()
    shown = timezone.localdate()
    tomorrow_0001 = timezone.make_aware(datetime.datetime.combine(shown + datetime.timedelta(days=1), datetime.time(0, 1)))
    with mock.patch("django.utils.timezone.now", return_value=tomorrow_0001):
        tick(client, path, item, day=shown)
    assert list(CheckIn.objects.values_list("day", flat=True)) == [shown]


@pytest.mark.parametrize("day", [datetime.date(2001, 1, 1), "a week back and one", "tomorrow"])
def test_a_day_in_the_future_or_more_than_a_week_back_is_refused_and_changes_nothing(client, homework, path, day):
    today = timezone.localdate()
    day = {"a week back and one": today - datetime.timedelta(days=7), "tomorrow": today + datetime.timedelta(days=1)}.get(day, day)
    response = tick(client, path, homework.items.first(), day=day)
    assert response.status_code == 400
    assertContains(response, "You can tick today and the six days before it", status_code=400)
    assertContains(response, "Hi Maya", status_code=400)  # the page itself, not an error page
    assert not CheckIn.objects.exists()


def test_the_newest_homework_comes_first_and_earlier_stays_below(client, homework, path, therapist):
    later = make_visit(homework.client, "runners-calves", therapist=therapist, date=homework.date + datetime.timedelta(days=14))
    later.assign(builtin("calf-rolling-foam-roller"))
    html = client.get(path).content.decode()
    newest = html.index(escape(builtin("calf-rolling-foam-roller").name))
    earlier = html.index("Earlier homework")
    assert newest < earlier
    assert html.index(escape(builtin("doorway-pec-stretch").name), earlier) > earlier


def test_a_referral_reads_as_a_client_would_say_it(client, homework, path):
    homework.referral = "osteopath"
    homework.save()
    assertContains(client.get(path), "an osteopath")
    homework.referral = "gp"
    homework.save()
    assertContains(client.get(path), "your GP")


def test_a_client_without_homework_yet_sees_a_kind_page(client, clinic):
    path = ShareLink.issue(make_client(clinic, "Lou"))
    assertContains(client.get(path), "added homework yet")


def test_the_page_takes_the_same_queries_however_many_visits(client, homework, path, therapist, django_assert_num_queries):
    # 1 the link with its client, clinic and page stamp, 2 the opening written to the audit
    # log, 3 every item shown with its visit, therapist, exercise, picture and ticks, 4 the
    # newest visit's complaints with red flags (then the page is cached;
    # tests/test_client_page_speed.py)
    with django_assert_num_queries(4):
        client.get(path)
    for weeks in range(1, 8):
        visit = make_visit(homework.client, "headaches", therapist=therapist, date=homework.date - datetime.timedelta(weeks=weeks))
        visit.assign(builtin("psoas-release"))
    cache.clear()  # an opening after the half hour in which a second look is the same one
    with django_assert_num_queries(4):
        assert client.get(path).status_code == 200


def test_email_and_booking_links_for_the_client(client, homework, path):
    clinic = homework.client.clinic
    clinic.booking_url = "https://book.example.com/harbour"
    clinic.email = "hello@harbour.example"
    clinic.save()
    html = client.get(path).content.decode()
    assert 'href="mailto:hello@harbour.example?subject=Question%20about%20my%20homework%20from%20' in html
    assert 'href="https://book.example.com/harbour"' in html


def test_a_clients_page_never_shows_another_client(client, homework, clinic):
    other = make_client(clinic, "Dev")
    other_path = ShareLink.issue(other)
    assertNotContains(client.get(other_path), "Maya")
    assert Client.objects.count() == 2
