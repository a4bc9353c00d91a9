"""A clinic starts on its own: sign-up makes the clinic and its owner, the built-in library
is theirs at once, and client links can be emailed only once the owner's email is
confirmed through the signed, dated link we send."""

import re
import time

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse
from django.utils.html import escape
from django_tasks_db.models import DBTaskResult
from pytest_django.asserts import assertContains, assertNotContains

from aftercare.models import HomeworkItem, ShareLink
from aftercare.worker import run_queued_jobs
from clients import tasks
from clients.models import CONFIRM_EMAIL_FIRST, Client, Clinic, Therapist
from clients.forms import EMAIL_TAKEN, USERNAME_TAKEN
from clients.signup_views import TOO_MANY_SIGNUPS
from exercises.models import Exercise
from tests.conftest import builtin, make_client, make_visit

pytestmark = pytest.mark.django_db

ANSWER = {
    "clinic_name": "Tidewater Remedial Massage",
    "first_name": "Hana",
    "last_name": "Okafor",
    "email": "hana@tidewater.example",
    "username": "hana",
    "password1": "Foam-roller at dawn 7",
    "password2": "Foam-roller at dawn 7",
}


def sign_up(client, **changes):
    response = client.post(reverse("signup"), {**ANSWER, **changes})
    run_queued_jobs()  # a worker sends the confirmation (clients.tasks)
    return response


def confirm_url(message) -> str:
    return re.search(r"https?://\S+/signup/confirm/\S+/", message.body)[0]


def test_signing_up_makes_the_clinic_and_its_owner_and_logs_them_in(client):
    response = sign_up(client)
    assert response.status_code == 302 and response["Location"] == reverse("clients:list")
    owner = Therapist.objects.select_related("clinic", "user").get(user__username="hana")
    assert owner.is_owner and owner.clinic.name == "Tidewater Remedial Massage"
    assert owner.user.email == "hana@tidewater.example" and owner.user.first_name == "Hana"
    assert owner.clinic.email == "hana@tidewater.example"
    assert not owner.clinic.email_confirmed
    page = client.get(reverse("clients:list"))
    assertContains(page, "Welcome, Hana.")
    assertContains(page, "Confirm your email address")


def test_the_confirmation_email_holds_a_link_that_confirms_the_clinic(client):
    sign_up(client)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["hana@tidewater.example"]
    assert "Tidewater Remedial Massage" in message.subject
    response = client.get(confirm_url(message))
    assertContains(response, "Your email is confirmed")
    assert Clinic.objects.get(name="Tidewater Remedial Massage").email_confirmed
    # Opening it again (a second tap, a mail scanner) changes nothing and still says so.
    assertContains(client.get(confirm_url(message)), "Your email is confirmed")


def test_the_request_only_queues_the_email_and_a_worker_sends_it_once(client):
    response = client.post(reverse("signup"), ANSWER, follow=True)
    assertContains(response, escape("We're sending hana@tidewater.example a link to confirm it"))
    assert mail.outbox == []
    job = DBTaskResult.objects.get(task_path="clients.tasks.send_confirmation")
    assert "confirm" not in str(job.args_kwargs)  # the link is made by the worker, never kept with the job

    run_queued_jobs()
    tasks.send_confirmation.enqueue(*job.args_kwargs["args"])  # as when a worker is lost and it runs again
    run_queued_jobs()

    assert len(mail.outbox) == 1
    assert DBTaskResult.objects.order_by("enqueued_at").last().return_value == "already sent"
    assert client.get(confirm_url(mail.outbox[0])).status_code == 200


def test_a_confirmation_queued_for_an_address_changed_since_is_not_sent(client):
    client.post(reverse("signup"), ANSWER)
    get_user_model().objects.filter(username="hana").update(email="new@tidewater.example")
    run_queued_jobs()
    assert mail.outbox == []
    assert DBTaskResult.objects.get().return_value == "address changed"


def test_the_link_works_from_a_phone_that_isnt_logged_in(client):
    sign_up(client)
    client.logout()
    response = client.get(confirm_url(mail.outbox[0]))
    assertContains(response, "Your email is confirmed")
    assertContains(response, "Log in")
    assert Clinic.objects.get().email_confirmed


def test_a_made_up_or_old_confirmation_link_confirms_nothing(client, monkeypatch):
    sign_up(client)
    url = confirm_url(mail.outbox[0])
    assert client.get(url.replace("/confirm/", "/confirm/x")).status_code == 404
    token = url.rstrip("/").rsplit("/", 1)[1]
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    assert client.get(reverse("signup-confirm", args=[tampered])).status_code == 404

    class FourDaysOn:
        @staticmethod
        def time():
            return time.time() + 4 * 24 * 3600

    monkeypatch.setattr("django.core.signing.time", FourDaysOn)
    response = client.get(url)
    assert response.status_code == 404
    assertContains(response, "doesn't work", status_code=404)
    assert not Clinic.objects.get().email_confirmed


def test_a_link_for_an_address_the_owner_no_longer_has_confirms_nothing(client):
    sign_up(client)
    get_user_model().objects.filter(username="hana").update(email="new@tidewater.example")
    assert client.get(confirm_url(mail.outbox[0])).status_code == 404
    assert not Clinic.objects.get().email_confirmed


def test_until_confirmed_emailing_a_link_says_to_confirm_first_and_keeps_the_address(client):
    sign_up(client)
    clinic = Clinic.objects.get()
    owner = Therapist.objects.get(clinic=clinic)
    visit = make_visit(make_client(clinic, "Maya"), "headaches", therapist=owner)
    mail.outbox.clear()
    url = reverse("aftercare:link-email", args=[visit.pk])

    response = client.post(url, {"email": "maya@example.com"})
    assert response.status_code == 400
    assertContains(response, escape(CONFIRM_EMAIL_FIRST), status_code=400)
    assertContains(response, 'value="maya@example.com"', status_code=400)
    assert mail.outbox == []
    assert Client.objects.get(first_name="Maya").email == ""

    client.get(confirm_url_for(clinic, owner))
    response = client.post(url, {"email": "maya@example.com"})
    assert response.status_code == 302
    run_queued_jobs()  # a job sends the link (tests/test_email_jobs.py)
    assert mail.outbox[-1].to == ["maya@example.com"]


def confirm_url_for(clinic, owner) -> str:
    return reverse("signup-confirm", args=[clinic.confirmation_token(owner.user.email)])


def test_the_model_refuses_to_email_a_link_for_an_unconfirmed_clinic(clinic, client_):
    from django.core.exceptions import ValidationError

    clinic.email_confirmed_at = None
    clinic.save()
    link = ShareLink.current(client_)
    with pytest.raises(ValidationError, match="Confirm your email address first"):
        link.send("https://example.com/h/x/")
    assert mail.outbox == []


def test_a_clinic_made_in_the_admin_counts_as_confirmed(clinic):
    assert clinic.email_confirmed


def test_the_owner_can_have_the_confirmation_sent_again(client):
    sign_up(client)
    mail.outbox.clear()
    response = client.post(reverse("signup-resend"), follow=True)
    assertContains(response, "Sending it again to hana@tidewater.example")
    assert mail.outbox == []  # a worker sends it
    run_queued_jobs()
    assert len(mail.outbox) == 1
    assert client.get(confirm_url(mail.outbox[0])).status_code == 200
    assert Clinic.objects.get().email_confirmed


def test_sending_it_again_is_throttled(client, settings):
    settings.CONFIRMATION_RESENDS_PER_LOGIN = "2/h"
    sign_up(client)
    mail.outbox.clear()
    for _ in range(3):
        response = client.post(reverse("signup-resend"), follow=True)
    assertContains(response, "several times in the last hour")
    run_queued_jobs()
    assert len(mail.outbox) == 2


def test_a_new_clinic_sees_the_built_in_library_and_can_assign_from_it(client):
    builtins = Exercise.objects.filter(clinic=None)
    count = builtins.count()
    assert count >= 40
    sign_up(client)
    clinic = Clinic.objects.get()
    # Shared rows, not copies: nothing was made for the new clinic.
    assert Exercise.objects.filter(clinic=clinic).count() == 0 and builtins.count() == count

    library = client.get(reverse("exercises:list"), {"q": "doorway"})
    assertContains(library, builtin("doorway-pec-stretch").name)

    client.post(reverse("clients:quick-add"), {"first_name": "Maya"})
    maya = Client.objects.get(clinic=clinic)
    visit = make_visit(maya, "rounded-desk-shoulders", therapist=Therapist.objects.get(clinic=clinic))
    homework = client.get(reverse("aftercare:visit-homework", args=[visit.pk]))
    assertContains(homework, builtin("doorway-pec-stretch").name)  # suggested, from the shared library
    exercise = builtin("doorway-pec-stretch")
    response = client.post(
        reverse("aftercare:item-add", args=[visit.pk, exercise.pk]), {"how_often": "daily", "hold_seconds": "30"}
    )
    assert response.status_code == 302
    assert HomeworkItem.objects.get(visit=visit).exercise == exercise


def test_a_taken_email_is_refused_whatever_its_case_and_nothing_typed_is_lost(client, therapist):
    therapist.user.email = "Robin@Harbour.example"
    therapist.user.save()
    response = sign_up(client, email="robin@harbour.example")
    assert response.status_code == 400
    assertContains(response, escape(EMAIL_TAKEN), status_code=400)
    for typed in ("Tidewater Remedial Massage", "Hana", "Okafor", "robin@harbour.example", "hana"):
        assertContains(response, f'value="{typed}"', status_code=400)
    assertNotContains(response, "Foam-roller at dawn 7", status_code=400)
    assert not Clinic.objects.filter(name="Tidewater Remedial Massage").exists()


def test_a_taken_username_is_refused_whatever_its_case(client, therapist):
    response = sign_up(client, username="ROBIN")
    assert response.status_code == 400
    assertContains(response, escape(USERNAME_TAKEN), status_code=400)
    assertContains(response, 'value="ROBIN"', status_code=400)
    assert get_user_model().objects.filter(username__iexact="robin").count() == 1


@pytest.mark.parametrize(
    "password, message",
    [
        ("password1", "This password is too common."),
        ("k3x!", "This password is too short. It must contain at least 8 characters."),
        ("hana.okafor", "The password is too similar to the"),
    ],
)
def test_a_weak_password_is_refused_by_djangos_validators(client, password, message):
    response = sign_up(client, password1=password, password2=password)
    assert response.status_code == 400
    assertContains(response, message, status_code=400)
    assertContains(response, 'value="hana@tidewater.example"', status_code=400)
    assertNotContains(response, f'value="{password}"', status_code=400)
    assert not Clinic.objects.exists()


def test_two_passwords_that_differ_are_refused(client):
    response = sign_up(client, password2="Foam-roller at dusk 7")
    assertContains(response, "The two password fields didn’t match.", status_code=400)


def test_a_clinic_name_of_markup_stays_text_everywhere(client):
    name = '<script>alert("hi")</script><b>Spa</b>'
    sign_up(client, clinic_name=name)
    clinic = Clinic.objects.get()
    assert clinic.name == name
    link = ShareLink.issue(make_client(clinic, "Maya"))
    for url in (reverse("clients:list"), reverse("clinic:settings"), confirm_url(mail.outbox[0]), link):
        page = client.get(url).content.decode()
        assert "<script>alert" not in page and "<b>Spa</b>" not in page, url
        assert escape(name) in page, url


def test_an_empty_form_says_what_is_missing(client):
    response = client.post(reverse("signup"), {})
    assert response.status_code == 400
    assertContains(response, "Your clinic needs a name", status_code=400)
    assertContains(response, "we send you a link to confirm it", status_code=400)
    assert not Clinic.objects.exists()


def test_someone_logged_in_is_sent_to_their_clients(as_therapist):
    response = as_therapist.get(reverse("signup"))
    assert response.status_code == 302 and response["Location"] == reverse("clients:list")


def test_the_login_page_offers_sign_up_and_a_password_reset(client, db):
    page = client.get(reverse("login"))
    assertContains(page, f'href="{reverse("signup")}"')
    assertContains(page, f'href="{reverse("password_reset")}"')


def test_sign_ups_from_one_address_are_throttled_and_the_form_is_kept(client, settings):
    settings.SIGNUPS_PER_ADDRESS = "1/h"
    assert sign_up(client).status_code == 302
    client.logout()
    response = sign_up(client, clinic_name="Second Clinic", username="hana2", email="hana2@tidewater.example")
    assert response.status_code == 429
    assertContains(response, TOO_MANY_SIGNUPS, status_code=429)
    assertContains(response, 'value="Second Clinic"', status_code=429)
    assert Clinic.objects.count() == 1


def test_failed_sign_ups_dont_use_up_the_throttle(client, settings):
    settings.SIGNUPS_PER_ADDRESS = "1/h"
    for _ in range(3):
        assert sign_up(client, password2="nope").status_code == 400
    assert sign_up(client).status_code == 302
