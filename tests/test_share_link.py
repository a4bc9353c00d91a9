"""The client's link is a secret: derived, hashed, expiring, revocable, one at a time."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from aftercare.models import ShareLink
from aftercare.worker import run_queued_jobs
from tests.conftest import make_client


def token_of(path: str) -> str:
    return re.fullmatch(r"/h/([^/]+)/", path).group(1)


def test_issue_gives_the_same_live_link_every_time(client_):
    first = ShareLink.issue(client_)
    assert re.fullmatch(r"/h/[A-Za-z0-9_-]{43}/", first)
    assert ShareLink.issue(client_) == first
    assert ShareLink.objects.filter(client=client_).count() == 1


def test_the_token_carries_at_least_128_random_bits(clinic):
    tokens = {token_of(ShareLink.issue(make_client(clinic, f"C{i}"))) for i in range(20)}
    assert len(tokens) == 20
    # 43 base64url characters: a 256-bit signature of a 128-bit random salt.
    assert all(len(token) == 43 for token in tokens)
    assert ShareLink._meta.get_field("salt").max_length == 32
    assert all(len(link.salt) == 32 for link in ShareLink.objects.all())


def test_the_database_never_holds_the_token(client_):
    token = token_of(ShareLink.issue(client_))
    row = ShareLink.objects.values().get(client=client_)
    assert all(token not in str(value) for value in row.values())


def test_the_token_depends_on_the_secret_key(client_, settings):
    path = ShareLink.issue(client_)
    settings.SECRET_KEY = "another-secret-key-entirely-for-this-test-only"
    link = ShareLink.objects.get(client=client_)
    assert link.path != path
    assert ShareLink.find(token_of(link.path)) is None


def test_find_knows_a_live_link_and_nothing_else(client_):
    path = ShareLink.issue(client_)
    assert ShareLink.find(token_of(path)).client == client_
    token = token_of(path)
    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")
    assert ShareLink.find(tampered) is None
    assert ShareLink.find("") is None
    assert ShareLink.find("x" * 5000) is None


def test_an_expired_link_is_replaced_when_issued_again(client_):
    path = ShareLink.issue(client_)
    ShareLink.objects.filter(client=client_).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    assert ShareLink.find(token_of(path)) is None
    new = ShareLink.issue(client_)
    assert new != path
    assert ShareLink.objects.filter(client=client_, revoked_at__isnull=True).count() == 1


def test_links_last_as_long_as_the_clinic_says(client_):
    client_.clinic.link_lifetime_days = 30
    client_.clinic.save()
    ShareLink.issue(client_)
    link = ShareLink.objects.get(client=client_)
    assert abs(link.expires_at - (timezone.now() + datetime.timedelta(days=30))) < datetime.timedelta(minutes=1)


def test_replace_revokes_the_old_link(client_):
    old = ShareLink.issue(client_)
    new = ShareLink.replace(client_).path
    assert new != old
    assert ShareLink.find(token_of(old)) is None
    assert ShareLink.issue(client_) == new


def test_the_database_holds_one_live_link_per_client(client_):
    from django.db import IntegrityError, transaction

    ShareLink.issue(client_)
    with pytest.raises(IntegrityError), transaction.atomic():
        ShareLink.objects.create(
            client=client_, salt="0" * 32, digest="f" * 64, expires_at=timezone.now() + datetime.timedelta(days=1)
        )


def test_the_summary_shows_the_link_its_qr_and_the_same_link_again(as_therapist, visit):
    url = reverse("aftercare:visit-detail", args=[visit.pk])
    first = as_therapist.get(url)
    second = as_therapist.get(url)
    path = ShareLink.issue(visit.client)
    assert first.context["link_url"] == second.context["link_url"] == f"http://testserver{path}"
    assert first.context["qr"].startswith("data:image/svg+xml")


def test_replacing_and_turning_off_from_the_summary(as_therapist, visit):
    old = ShareLink.issue(visit.client)
    as_therapist.post(reverse("aftercare:link-replace", args=[visit.pk]))
    new = ShareLink.issue(visit.client)
    assert new != old and ShareLink.find(token_of(old)) is None
    as_therapist.post(reverse("aftercare:link-revoke", args=[visit.pk]))
    assert ShareLink.find(token_of(new)) is None
    response = as_therapist.get(reverse("aftercare:visit-detail", args=[visit.pk]))
    assert response.context["link_url"] is None
    assert b"turned off" in response.content
    assert ShareLink.objects.filter(client=visit.client, revoked_at__isnull=True).count() == 0


def test_emailing_the_link(as_therapist, visit, mailoutbox):
    response = as_therapist.post(reverse("aftercare:link-email", args=[visit.pk]), {"email": "maya@example.com"})
    assert response.status_code == 302
    assert mailoutbox == []  # a job sends it (tests/test_email_jobs.py)
    run_queued_jobs()
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["maya@example.com"]
    assert "Harbour Lane Massage" in message.subject
    assert f"http://testserver{ShareLink.issue(visit.client)}" in message.body
    assert "some times is better than no times" in message.body


def test_emailing_to_a_new_address_saves_it_and_a_bad_one_is_explained(as_therapist, visit, mailoutbox):
    response = as_therapist.post(reverse("aftercare:link-email", args=[visit.pk]), {"email": "maya at home"})
    assert response.status_code == 400
    assert b"Enter a valid email address" in response.content
    assert b'value="maya at home"' in response.content
    assert mailoutbox == []
    as_therapist.post(reverse("aftercare:link-email", args=[visit.pk]), {"email": "new@example.com"})
    run_queued_jobs()
    visit.client.refresh_from_db()
    assert visit.client.email == "new@example.com"
    assert mailoutbox[0].to == ["new@example.com"]


@pytest.mark.parametrize("route", ["aftercare:link-email", "aftercare:link-replace", "aftercare:link-revoke"])
def test_another_clinic_cannot_touch_the_link(as_outsider, visit, route, mailoutbox):
    path = ShareLink.issue(visit.client)
    response = as_outsider.post(reverse(route, args=[visit.pk]), {"email": "evil@example.com"})
    assert response.status_code == 404
    assert ShareLink.issue(visit.client) == path
    assert mailoutbox == []
