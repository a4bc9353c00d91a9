"""Forgot your password: Django's own reset views, by email, throttled; an unknown address
gets exactly the answer a known one gets. A worker sends the email (clients.tasks), and the
job never holds a link that sets a password."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse
from django.utils.html import escape
from django_tasks_db.models import DBTaskResult
from pytest_django.asserts import assertContains

from aftercare.worker import run_queued_jobs
from clients import tasks
from clients.login_views import RESETS_FOR_EMAIL, RESETS_FROM_HERE

pytestmark = pytest.mark.django_db


@pytest.fixture
def robin(therapist):
    therapist.user.email = "robin@harbour.example"
    therapist.user.save()
    return therapist.user


def ask(client, email: str):
    response = client.post(reverse("password_reset"), {"email": email})
    run_queued_jobs()  # a worker sends the email
    return response


def reset_path(message) -> str:
    return re.search(r"https?://[^/\s]+(/password/reset/\S+/\S+/)", message.body)[1]


def test_the_urls_have_djangos_names():
    assert reverse("password_reset") == "/password/reset/"
    assert reverse("password_reset_done") == "/password/reset/sent/"
    assert reverse("password_reset_confirm", args=["MQ", "abc-123"]) == "/password/reset/MQ/abc-123/"
    assert reverse("password_reset_complete") == "/password/reset/done/"


def test_a_known_address_gets_a_link_that_sets_a_new_password(client, robin):
    response = ask(client, "Robin@Harbour.example")
    assert response.status_code == 302 and response["Location"] == reverse("password_reset_done")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["robin@harbour.example"]
    assert "robin" in message.body

    form = client.get(reset_path(message), follow=True)
    assertContains(form, "Choose a new password")
    set_url = form.redirect_chain[-1][0]
    response = client.post(set_url, {"new_password1": "Tennis-ball evenings 9", "new_password2": "Tennis-ball evenings 9"})
    assert response.status_code == 302 and response["Location"] == reverse("password_reset_complete")
    assertContains(client.get(response["Location"]), "Your new password is set")

    assert client.login(username="robin", password="Tennis-ball evenings 9")
    assert not client.login(username="robin", password="password")


def test_the_request_queues_the_email_without_the_link_and_a_worker_sends_it_once(client, robin):
    response = client.post(reverse("password_reset"), {"email": "robin@harbour.example"}, follow=True)
    assertContains(response, "we're sending it a link")
    assert mail.outbox == []
    job = DBTaskResult.objects.get(task_path="clients.tasks.send_password_reset")
    # Who, where and which templates; no token and no link: the worker makes them.
    *args, key = job.args_kwargs["args"]
    assert args == [robin.pk, "robin@harbour.example", "http", "testserver", "testserver",
                    "registration/password_reset_subject.txt", "registration/password_reset_email.html"]
    assert job.args_kwargs["kwargs"] == {}

    run_queued_jobs()
    tasks.send_password_reset.enqueue(*job.args_kwargs["args"])  # as when a worker is lost and it runs again
    run_queued_jobs()

    assert len(mail.outbox) == 1
    assert DBTaskResult.objects.order_by("enqueued_at").last().return_value == "already sent"
    form = client.get(reset_path(mail.outbox[0]), follow=True)
    assertContains(form, "Choose a new password")


def test_a_reset_queued_for_an_address_changed_since_or_a_login_removed_is_not_sent(client, robin, colleague):
    client.post(reverse("password_reset"), {"email": "robin@harbour.example"})
    robin.email = "robin@elsewhere.example"
    robin.save()
    colleague.user.email = "jo@harbour.example"
    colleague.user.save()
    client.post(reverse("password_reset"), {"email": "jo@harbour.example"})
    colleague.remove()

    run_queued_jobs()

    assert mail.outbox == []
    assert sorted(DBTaskResult.objects.values_list("return_value", flat=True)) == ["address changed", "login gone"]


def test_an_unknown_address_gets_the_same_answer_as_a_known_one(client, robin):
    known, unknown = ask(client, "robin@harbour.example"), ask(client, "nobody@harbour.example")
    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    assert len(mail.outbox) == 1  # the known address only
    done = client.get(known["Location"])
    assertContains(done, "If a login has that address")
    assert "nobody@harbour.example" not in done.content.decode()


def test_a_removed_teammate_gets_no_email_but_the_same_answer(client, colleague, therapist):
    colleague.user.email = "jo@harbour.example"
    colleague.user.save()
    colleague.remove()
    response = ask(client, "jo@harbour.example")
    assert response.status_code == 302 and response["Location"] == reverse("password_reset_done")
    assert mail.outbox == []


def test_the_link_works_once(client, robin):
    ask(client, "robin@harbour.example")
    path = reset_path(mail.outbox[0])
    form = client.get(path, follow=True)
    client.post(form.redirect_chain[-1][0], {"new_password1": "Tennis-ball evenings 9", "new_password2": "Tennis-ball evenings 9"})
    again = client.get(path, follow=True)
    assertContains(again, "That link doesn't work any more")
    assertContains(again, f'href="{reverse("password_reset")}"')


def test_a_made_up_link_does_nothing(client, robin):
    response = client.get(reverse("password_reset_confirm", args=["MQ", "made-up-token"]))
    assertContains(response, "That link doesn't work any more")


def test_a_weak_new_password_is_refused_with_djangos_message(client, robin):
    ask(client, "robin@harbour.example")
    form = client.get(reset_path(mail.outbox[0]), follow=True)
    response = client.post(form.redirect_chain[-1][0], {"new_password1": "password", "new_password2": "password"})
    assert response.status_code == 200
    assertContains(response, "This password is too common.")
    assert get_user_model().objects.get(username="robin").check_password("password")  # unchanged


def test_an_address_that_isnt_one_says_so_and_keeps_it(client, db):
    response = ask(client, "not an address")
    assertContains(response, "Enter a valid email address.")
    assertContains(response, 'value="not an address"')
    assert mail.outbox == []


def test_resets_for_one_address_are_throttled_known_or_not(client, robin, settings):
    settings.PASSWORD_RESETS_PER_EMAIL = "2/h"
    for email in ("robin@harbour.example", "nobody@harbour.example"):
        for _ in range(2):
            assert ask(client, email).status_code == 302
        response = ask(client, email.upper())
        assert response.status_code == 429
        assertContains(response, escape(RESETS_FOR_EMAIL), status_code=429)
        assertContains(response, f'value="{email.upper()}"', status_code=429)
    assert len(mail.outbox) == 2  # robin's two; the third was never sent


def test_resets_from_one_address_are_throttled(client, robin, settings):
    settings.PASSWORD_RESETS_PER_ADDRESS = "3/h"
    for n in range(3):
        assert ask(client, f"someone{n}@example.com").status_code == 302
    response = ask(client, "robin@harbour.example")
    assert response.status_code == 429
    assertContains(response, escape(RESETS_FROM_HERE), status_code=429)
    assert mail.outbox == []


def test_asking_for_the_form_is_never_throttled(client, settings, db):
    settings.PASSWORD_RESETS_PER_ADDRESS = "1/h"
    for _ in range(3):
        assert client.get(reverse("password_reset")).status_code == 200
