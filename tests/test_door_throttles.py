"""Issue 17, item 7 (throttled where a stranger can reach it): every door a person without
a login can knock on answers a plain "too many" (429, never a 500) once over its rate, and
the count is per link where holding the link is what lets you in, per address where the
knocking is guessing.

Under the client's link: each change (tick, feeling, word, language, reminder settings,
stop, this phone on and off) counts per link, from any address; the calendar subscription
counts with the link's files. The links in reminder emails (confirm, stop, the RFC 8058
one-click POST): tampered ones count per address with the client link's misses, posts to a
good one per link. Staff-side: sign-up and join posts per address (failed ones too), and
wrong sign-up confirmation, invite and password reset links per address."""

import datetime
import json

import pytest
from django.utils import timezone

from aftercare import reminders
from aftercare.models import ShareLink
from aftercare.reminder_models import ReminderPlan
from aftercare.link_views import TOO_MANY_POSTS
from clients import doors
from clients.models import Invite
from tests.conftest import builtin, make_client, make_visit


@pytest.fixture(autouse=True)
def small_rates(settings):
    settings.CLIENT_LINK_POSTS_RATE = "3/m"
    settings.CLIENT_LINK_MISS_RATE = "3/m"
    settings.CLIENT_LINK_FILES_RATE = "3/m"
    settings.TOKEN_MISSES_PER_ADDRESS = "3/m"
    settings.ACCOUNT_FORMS_PER_ADDRESS = "3/m"


@pytest.fixture
def homework(visit):
    return visit.assign(builtin("chin-tucks"))


def link_of(visit) -> str:
    return ShareLink.issue(visit.client)


def other_link(clinic, therapist) -> str:
    other = make_visit(make_client(clinic, "Ada"), "headaches", therapist=therapist)
    other.assign(builtin("chin-tucks"))
    return ShareLink.issue(other.client)


def today() -> str:
    return timezone.localdate().isoformat()


# (path under the link, form body or JSON body) for every change a link can ask for.
def door_posts(item):
    phone = {"endpoint": "https://fcm.googleapis.com/fcm/send/x", "keys": {"p256dh": "A", "auth": "B"}}
    return {
        "done/": {"item": item.pk, "action": "done", "day": today()},
        "feeling/": {"item": item.pk, "feeling": "same", "day": today()},
        "word/": {"visit": item.visit_id, "word": "not-today", "note": ""},
        "language/": {"language": "fr"},
        "reminders/": {"at": "08:00", "days": ["0", "1"], "time_zone": ""},
        "reminders/stop/": {},
        "reminders/phone/": json.dumps(phone),
        "reminders/phone/stop/": json.dumps({"endpoint": phone["endpoint"]}),
    }


DOORS = ["done/", "feeling/", "word/", "language/", "reminders/", "reminders/stop/", "reminders/phone/", "reminders/phone/stop/"]


def post(client, url, body, address):
    if isinstance(body, str):
        return client.post(url, body, content_type="application/json", REMOTE_ADDR=address)
    return client.post(url, body, REMOTE_ADDR=address)


@pytest.mark.parametrize("door", DOORS)
def test_each_change_through_a_link_is_counted_per_link_from_any_address(client, homework, clinic, therapist, door):
    path = link_of(homework.visit)
    body = door_posts(homework)[door]
    for n in range(3):
        response = post(client, f"{path}{door}", body, f"198.51.100.{n}")
        assert response.status_code in (200, 201, 302, 400), (n, response.status_code)

    response = post(client, f"{path}{door}", body, "203.0.113.9")

    assert response.status_code == 429
    assert response["Cache-Control"] == "no-store, private"
    if door.startswith("reminders/phone/"):
        assert response.json() == {"error": TOO_MANY_POSTS}
    else:
        assert "changed many times in a short while" in response.content.decode()
    assert client.get(path).status_code == 200  # the page itself still opens
    assert post(client, f"{other_link(clinic, therapist)}{door}", body, "203.0.113.9").status_code != 429


def test_the_calendar_subscription_is_counted_per_link_apart_from_the_handout(client, homework, clinic, therapist):
    path = link_of(homework.visit)
    for n in range(3):
        assert client.get(f"{path}calendar.ics", REMOTE_ADDR=f"198.51.100.{n}").status_code == 200
    response = client.get(f"{path}calendar.ics")
    assert response.status_code == 429
    assert "downloaded many times" in response.content.decode()
    assert client.get(f"{path}handout.pdf").status_code == 200  # a calendar polling doesn't use up the handout
    assert client.get(f"{other_link(clinic, therapist)}calendar.ics").status_code == 200


@pytest.fixture
def plan(homework):
    plan = reminders.plan_for(homework.visit.client)
    plan.email, plan.email_nonce = "robin@example.com", "abc123"
    plan.save()
    return plan


@pytest.mark.parametrize("kind", ["confirm", "stop"])
def test_tampered_email_links_lock_out_the_address_not_the_link(client, plan, kind):
    good = reminders.confirm_token(plan) if kind == "confirm" else reminders.stop_token(plan.client_id, plan.email)
    for n in range(3):
        assert client.get(f"/reminders/{kind}/{good[:-3]}xyz{n}/").status_code == 400
    response = client.get(f"/reminders/{kind}/{good}/")
    assert response.status_code == 429
    assert "too many tries" in response.content.decode().lower()
    assert client.post(f"/reminders/{kind}/{good}/", REMOTE_ADDR="198.51.100.7").status_code == 200


def test_posts_to_one_good_email_link_are_counted_per_link(client, plan):
    stop = f"/reminders/stop/{reminders.stop_token(plan.client_id, plan.email)}/"
    for n in range(3):
        assert client.post(stop, {"List-Unsubscribe": "One-Click"}, REMOTE_ADDR=f"198.51.100.{n}").status_code == 200
    response = client.post(stop, {"List-Unsubscribe": "One-Click"}, REMOTE_ADDR="203.0.113.9")
    assert response.status_code == 429
    assert ReminderPlan.objects.get().email_confirmed_at is None


def signup_post(client, n, address):
    return client.post("/signup/", {"clinic_name": "", "username": f"x{n}"}, REMOTE_ADDR=address)


def test_sign_up_posts_are_counted_per_address_failed_ones_too(client, db):
    for n in range(3):
        assert signup_post(client, n, "198.51.100.1").status_code == 400
    response = signup_post(client, 3, "198.51.100.1")
    assert response.status_code == 429
    assert doors.TOO_MANY_FORMS in response.content.decode()
    assert signup_post(client, 4, "198.51.100.2").status_code == 400


def test_wrong_sign_up_confirmation_links_are_counted_per_address(client, db):
    for n in range(3):
        assert client.get(f"/signup/confirm/made-up-{n}/").status_code == 404
    response = client.get("/signup/confirm/made-up-again/")
    assert response.status_code == 429
    assert "Too many links that don" in response.content.decode()
    assert client.get("/signup/confirm/made-up/", REMOTE_ADDR="198.51.100.2").status_code == 404


def test_wrong_invite_links_are_counted_per_address_and_so_are_join_posts(client, clinic, therapist):
    for n in range(3):
        assert client.get(f"/clinic/join/made-up-{n}/").status_code == 404
    invite = Invite.objects.create(clinic=clinic, invited_by=therapist)
    join = f"/clinic/join/{invite.token}/"
    assert client.get(join).status_code == 429
    for n in range(3):
        assert client.post(join, {"username": "robin"}, REMOTE_ADDR="198.51.100.3").status_code == 400
    response = client.post(join, {"username": "robin"}, REMOTE_ADDR="198.51.100.3")
    assert response.status_code == 429
    assert doors.TOO_MANY_FORMS in response.content.decode()
    assert client.get(join, REMOTE_ADDR="198.51.100.4").status_code == 200


def test_wrong_password_reset_links_are_counted_per_address(client, therapist):
    for n in range(3):
        response = client.get(f"/password/reset/MQ/made-up-{n}/")
        assert response.status_code == 200 and not response.context["validlink"]
    response = client.get("/password/reset/MQ/made-up-again/")
    assert response.status_code == 429
    assert "Too many links that don" in response.content.decode()
    assert client.get("/password/reset/MQ/made-up/", REMOTE_ADDR="198.51.100.2").status_code == 200
