"""A gentle nudge, on the therapist's say-so: a kind text they may change, sent by a job
through the engine's send-once email (a real SMTP server on loopback), at most once a week
per client (the database holds it, races too), recorded in the audit log (who, when, which
way), part of the export and gone with the deletion. A client with no way to be reached is
said so plainly."""

import datetime
import json
import threading
import zipfile
from io import BytesIO

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, close_old_connections, transaction
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains

from aftercare import audit, export
from aftercare.models import ShareLink
from aftercare.nudges import Nudge
from aftercare.worker import run_queued_jobs
from clients.models import Client
from tests.conftest import builtin, make_client, make_visit
from tests.test_email_jobs import mail_server  # noqa: F401  (the real SMTP server on loopback)


@pytest.fixture
def maya(client_, therapist):
    make_visit(client_, "headaches", therapist=therapist).assign(builtin("doorway-pec-stretch"))
    return client_


def nudge_url(client) -> str:
    return reverse("aftercare:nudge", args=[client.pk])


def test_the_nudge_page_offers_a_kind_text_to_change(as_therapist, maya):
    response = as_therapist.get(nudge_url(maya))
    assertContains(response, "Hi Maya, a gentle hello from Robin at Harbour Lane Massage")
    assertContains(response, "Some times is better than no times")
    assertContains(response, "maya@example.com")


def test_sending_a_nudge_records_it_audits_it_and_a_job_emails_it_once(as_therapist, maya, therapist, mail_server):  # noqa: F811
    ShareLink.issue(maya)
    response = as_therapist.post(nudge_url(maya), {"text": "Hi Maya, thinking of your shoulders. No pressure."})
    assert response.status_code == 302 and response["Location"] == reverse("aftercare:between-visits")
    nudge = Nudge.objects.get()
    assert (nudge.client, nudge.therapist, nudge.way) == (maya, therapist, "email")
    event = audit.AuditEvent.objects.get(action=audit.Action.NUDGED)
    assert event.actor == therapist and event.detail == "by email"
    assert event.sentence == "Robin Tester sent the client a nudge (by email)"
    run_queued_jobs()
    run_queued_jobs()
    assert len(mail_server.received) == 1
    message = mail_server.received[0]
    assert message.rcpt_tos == ["maya@example.com"]
    body = message.content.decode()
    assert "thinking of your shoulders" in body and "/h/" in body  # their page's link goes with it
    nudge.refresh_from_db()
    assert nudge.sent_at is not None


def test_a_temporary_refusal_is_tried_again_and_sent_once(as_therapist, maya, mail_server):  # noqa: F811
    mail_server.refusals = 1
    as_therapist.post(nudge_url(maya), {"text": "Hello"})
    run_queued_jobs()
    run_queued_jobs()
    assert mail_server.refused == 1 and len(mail_server.received) == 1


def test_a_second_nudge_within_the_week_is_refused_with_a_message(as_therapist, maya, colleague, client):
    as_therapist.post(nudge_url(maya), {"text": "Hello"})
    response = as_therapist.post(nudge_url(maya), {"text": "Hello again"})
    assertContains(response, "One a week is plenty", status_code=400)  # and when the next can go
    client.force_login(colleague.user)
    assertContains(client.get(nudge_url(maya)), "One a week is plenty")
    assert Nudge.objects.count() == 1


def test_seven_days_on_the_next_nudge_may_go(maya, therapist):
    first = Nudge.send(maya, "Hello", by=therapist, site_url="http://testserver")
    Nudge.objects.filter(pk=first.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=8), week=first.week - datetime.timedelta(weeks=2)
    )
    Nudge.send(maya, "Hello again", by=therapist, site_url="http://testserver")
    assert Nudge.objects.count() == 2


def test_the_database_holds_one_nudge_a_week_whoever_writes(maya, therapist):
    monday = timezone.localdate() - datetime.timedelta(days=timezone.localdate().weekday())
    Nudge.objects.create(client=maya, therapist=therapist, way="email", text="a", week=monday)
    with pytest.raises(IntegrityError), transaction.atomic():
        Nudge.objects.create(client=maya, therapist=therapist, way="email", text="b", week=monday)


@pytest.mark.django_db(transaction=True)
def test_two_therapists_nudging_at_the_same_moment_send_one(client_, therapist, colleague):
    barrier, results = threading.Barrier(2), []

    def send(by):
        try:
            barrier.wait()
            Nudge.send(Client.objects.get(pk=client_.pk), "Hello", by=by, site_url="http://testserver")
            results.append("sent")
        except ValidationError as error:
            results.append(error.code)
        except Exception as error:  # shown below, not lost in the thread
            results.append(repr(error))
        finally:
            close_old_connections()

    threads = [threading.Thread(target=send, args=(who,)) for who in (therapist, colleague)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == ["sent", "too_soon"]
    assert Nudge.objects.count() == 1
    assert audit.AuditEvent.objects.filter(action=audit.Action.NUDGED).count() == 1


def test_a_client_with_no_way_to_be_reached_is_said_so_and_nothing_is_sent(as_therapist, clinic, therapist):
    ruth = make_client(clinic, "Ruth")
    response = as_therapist.get(nudge_url(ruth))
    assertContains(response, "Ruth has no way to be reached yet")
    assert 'name="text"' not in response.content.decode()
    response = as_therapist.post(nudge_url(ruth), {"text": "Hello"})
    assertContains(response, "Ruth has no way to be reached yet", status_code=400)
    assert not Nudge.objects.exists()


def test_a_clinic_that_has_not_confirmed_its_email_sends_nothing(as_therapist, maya, clinic):
    clinic.email_confirmed_at = None
    clinic.save()
    response = as_therapist.post(nudge_url(maya), {"text": "Hello"})
    assert response.status_code == 400
    assert not Nudge.objects.exists()


@pytest.mark.parametrize("text", ["", "   ", "x" * 601])
def test_an_empty_or_too_long_text_is_refused_and_kept(as_therapist, maya, text):
    response = as_therapist.post(nudge_url(maya), {"text": text})
    assert response.status_code == 400
    if text.strip():
        assertContains(response, "x" * 601, status_code=400)
    assert not Nudge.objects.exists()


def test_markup_in_the_text_is_sent_as_text(as_therapist, maya, mail_server):  # noqa: F811
    as_therapist.post(nudge_url(maya), {"text": "Hi <b>Maya</b>"})
    run_queued_jobs()
    assert "Hi <b>Maya</b>" in mail_server.received[0].content.decode()
    assert mail_server.received[0].content.decode().count("text/html") == 0


def test_the_outsider_gets_404(as_outsider, maya):
    assert as_outsider.get(nudge_url(maya)).status_code == 404
    assert as_outsider.post(nudge_url(maya), {"text": "Hello"}).status_code == 404
    assert not Nudge.objects.exists()


def test_a_colleague_may_nudge_the_clinics_client(as_colleague, maya, colleague):
    assert as_colleague.post(nudge_url(maya), {"text": "Hello"}).status_code == 302
    assert Nudge.objects.get().therapist == colleague


def test_a_client_deleted_before_the_job_runs_gets_nothing(as_therapist, maya, therapist, mail_server):  # noqa: F811
    as_therapist.post(nudge_url(maya), {"text": "Hello"})
    as_therapist.post(reverse("clients:delete", args=[maya.pk]), {"confirm": "Maya"})
    run_queued_jobs()
    assert mail_server.received == []


def test_nudges_are_in_the_export_and_go_with_the_deletion(as_therapist, maya, therapist):
    Nudge.send(maya, "Hello <there>", by=therapist, site_url="http://testserver")
    data = json.loads(zipfile.ZipFile(BytesIO(export.client_zip(maya))).read("client.json"))
    assert [(n["text"], n["way"], n["by"]) for n in data["nudges"]] == [("Hello <there>", "by email", "Robin Tester")]
    assert any(e["action"] == "client-nudged" for e in data["audit"])
    page = as_therapist.get(reverse("clients:delete", args=[maya.pk]))
    assertContains(page, "1 nudge")
    maya.delete()
    assert not Nudge.objects.exists()


def test_merging_two_records_keeps_their_nudges_one_a_week(maya, therapist, clinic):
    from aftercare import merge

    other = make_client(clinic, "Maya", last_name="L.", email="maya@example.com")
    Nudge.send(other, "Hello from before", by=therapist, site_url="http://testserver")
    older = Nudge.send(maya, "An older one", by=therapist, site_url="http://testserver")
    Nudge.objects.filter(pk=older.pk).update(week=older.week - datetime.timedelta(weeks=3))
    merge.merge(maya, other, by=therapist)
    assert sorted(Nudge.objects.filter(client=maya).values_list("text", flat=True)) == ["An older one", "Hello from before"]
    # Both nudged in the same week: the kept record's stays, the database allows no two.
    third = make_client(clinic, "Maya", last_name="Lind", email="maya@example.com")
    Nudge.objects.create(client=third, therapist=therapist, way="email", text="Same week", week=Nudge.objects.get(text="Hello from before").week)
    merge.merge(maya, third, by=therapist)
    assert Nudge.objects.filter(client=maya).count() == 2


# --- the way the client chose for their reminders (aftercare/reminders.py) ----------------


def test_a_nudge_goes_to_the_address_the_client_confirmed_for_reminders(as_therapist, maya, mail_server):  # noqa: F811
    from aftercare.reminder_models import ReminderPlan

    ReminderPlan.objects.create(
        client=maya, at=datetime.time(19, 0), days="0123456", email="maya.own@example.com",
        email_confirmed_at=timezone.now(),
    )
    assertContains(as_therapist.get(nudge_url(maya)), "maya.own@example.com")
    as_therapist.post(nudge_url(maya), {"text": "Hello Maya"})
    run_queued_jobs()
    [message] = mail_server.received
    assert message.rcpt_tos == ["maya.own@example.com"]


def test_an_unconfirmed_reminder_address_is_never_used(as_therapist, maya, mail_server):  # noqa: F811
    from aftercare.reminder_models import ReminderPlan

    ReminderPlan.objects.create(client=maya, email="maya.new@example.com", email_nonce="waiting")
    as_therapist.post(nudge_url(maya), {"text": "Hello Maya"})
    run_queued_jobs()
    [message] = mail_server.received
    assert message.rcpt_tos == ["maya@example.com"]  # the record's, as "Email the link" uses it


def test_an_address_that_said_stop_gets_no_nudge(as_therapist, maya, mail_server):  # noqa: F811
    from aftercare.reminder_models import EmailStop, address_hash

    EmailStop.objects.create(address_hash=address_hash("Maya@Example.com"))
    response = as_therapist.get(nudge_url(maya))
    assertContains(response, "has no way to be reached yet")
    response = as_therapist.post(nudge_url(maya), {"text": "Hello Maya"})
    assertContains(response, "has no way to be reached yet", status_code=400)
    run_queued_jobs()
    assert Nudge.objects.count() == 0 and mail_server.received == []


def test_a_client_reached_only_on_their_phone_gets_the_nudge_there(as_therapist, maya, settings):
    from aftercare.reminder_models import PushSubscription
    from tests.test_reminders_push import Phone, PushService

    settings.AFTERCARE_SITE_URL = "https://aftercare.example"
    service = PushService()
    try:
        Client.objects.filter(pk=maya.pk).update(email="")
        phone = Phone(f"{service.url}/push/maya")
        keys = phone.subscription()["keys"]
        PushSubscription.objects.create(
            client=maya, endpoint=phone.endpoint, endpoint_digest=PushSubscription.digest_of(phone.endpoint),
            p256dh=keys["p256dh"], auth=keys["auth"],
        )
        ShareLink.issue(maya)
        assertContains(as_therapist.get(nudge_url(maya)), "as a notification on their phone")
        response = as_therapist.post(nudge_url(maya), {"text": "Hi Maya, a gentle hello."})
        assert response.status_code == 302
        assert Nudge.objects.get().way == "push"
        run_queued_jobs()
        run_queued_jobs()
        [(where, headers, body)] = service.received  # once, however often the job ran
        assert where == "/push/maya"
        message = phone.decrypt(body)
        assert message["body"] == "Hi Maya, a gentle hello." and "/h/" in message["url"]
        assert Nudge.objects.get().sent_at is not None
    finally:
        service.stop()
