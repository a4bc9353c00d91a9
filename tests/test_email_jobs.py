"""Every email goes out from a job, against a real SMTP server on 127.0.0.1 (aiosmtpd): a
mail server that says "not now" (4xx) gets the email again later, and only once; a 5xx is
final; a client deleted before the job runs gets nothing, and the job ends quietly. The
client's link, the sign-up confirmation and the password reset all go this way.

A worker killed while sending (real `run_worker` processes, SIGKILL): before the message
was handed over, the next try sends it and nobody gets two; while it was being handed
over, the next try sends it again with the same Message-ID (outbox.mail, docs/scaling.md)."""

import asyncio
import email
import threading

import pytest
from aiosmtpd.controller import Controller
from django.core import mail
from django.urls import reverse
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from aftercare import tasks
from aftercare.models import SentEmail, ShareLink
from aftercare.worker import JobFailed, run_queued_jobs
from clients import tasks as clients_tasks
from outbox.mail import message_id, new_email_key, send_once
from tests.services import app_env, free_port, start_worker, wait_for


class MailServer:
    """Answers the first `refusals` emails with `refusal`, then accepts."""

    def __init__(self):
        self.refusals = 0
        self.refusal = "451 4.3.0 Try again later"
        self.received = []
        self.refused = 0

    async def handle_DATA(self, server, session, envelope):
        if self.refusals:
            self.refusals -= 1
            self.refused += 1
            return self.refusal
        self.received.append(envelope)
        return "250 2.0.0 OK"


@pytest.fixture
def mail_server(settings):
    handler = MailServer()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_RETRY_SECONDS = 0  # tried again at once, so one run of the queue sees it
    yield handler
    controller.stop()


def email_link(as_therapist, visit):
    response = as_therapist.post(reverse("aftercare:link-email", args=[visit.pk]), {"email": "maya@example.com"})
    assert response.status_code == 302


def test_a_temporary_refusal_is_retried_and_the_email_goes_once(as_therapist, visit, mail_server):
    mail_server.refusals = 1
    email_link(as_therapist, visit)

    run_queued_jobs()

    assert mail_server.refused == 1
    assert len(mail_server.received) == 1
    message = mail_server.received[0]
    assert message.rcpt_tos == ["maya@example.com"]
    assert f"http://testserver{ShareLink.issue(visit.client)}".encode() in message.content
    sent = SentEmail.objects.get()
    assert sent.attempts == 2
    assert list(DBTaskResult.objects.order_by("enqueued_at").values_list("return_value", flat=True)) == [
        "not now: (451, b'4.3.0 Try again later')", "sent",
    ]


def test_the_same_email_run_again_is_not_sent_again(as_therapist, visit, mail_server):
    email_link(as_therapist, visit)
    run_queued_jobs()
    job = DBTaskResult.objects.get()

    # As when a worker is lost after sending and its job runs again on another.
    tasks.email_link.enqueue(*job.args_kwargs["args"])
    run_queued_jobs()

    assert len(mail_server.received) == 1
    assert DBTaskResult.objects.order_by("enqueued_at").last().return_value == "already sent"


def test_a_permanent_refusal_fails_the_job_at_once(as_therapist, visit, mail_server):
    mail_server.refusals, mail_server.refusal = 1, "550 5.1.1 No such mailbox"
    email_link(as_therapist, visit)

    with pytest.raises(JobFailed, match="SMTPDataError"):
        run_queued_jobs()

    assert mail_server.refused == 1 and mail_server.received == []
    assert DBTaskResult.objects.get().status == TaskResultStatus.FAILED
    assert not SentEmail.objects.exists()


def test_a_server_that_keeps_saying_not_now_fails_after_the_last_try(as_therapist, visit, mail_server, settings):
    settings.EMAIL_RETRIES = 3
    mail_server.refusals = 10
    email_link(as_therapist, visit)

    with pytest.raises(JobFailed):
        run_queued_jobs()

    assert mail_server.refused == 3 and mail_server.received == []
    assert list(DBTaskResult.objects.order_by("enqueued_at").values_list("status", flat=True)) == [
        TaskResultStatus.SUCCESSFUL, TaskResultStatus.SUCCESSFUL, TaskResultStatus.FAILED,
    ]


def test_a_client_deleted_before_the_job_runs_gets_nothing_and_the_job_ends_quietly(as_therapist, visit, mail_server):
    email_link(as_therapist, visit)
    visit.client.delete()

    run_queued_jobs()

    assert mail_server.received == []
    job = DBTaskResult.objects.get()
    assert job.status == TaskResultStatus.SUCCESSFUL and job.return_value == "client gone"


def message_ids(server) -> list[str]:
    return [email.message_from_bytes(envelope.original_content)["Message-ID"] for envelope in server.received]


def test_the_sign_up_confirmation_is_retried_and_goes_once(db, client, mail_server):
    mail_server.refusals = 1
    response = client.post(reverse("signup"), {
        "clinic_name": "Tidewater Remedial Massage", "first_name": "Hana", "last_name": "Okafor",
        "email": "hana@tidewater.example", "username": "hana",
        "password1": "Foam-roller at dawn 7", "password2": "Foam-roller at dawn 7",
    })
    assert response.status_code == 302 and mail_server.received == []  # nothing in the request

    run_queued_jobs()

    assert mail_server.refused == 1 and len(mail_server.received) == 1
    assert mail_server.received[0].rcpt_tos == ["hana@tidewater.example"]
    assert b"/signup/confirm/" in mail_server.received[0].content
    assert list(DBTaskResult.objects.order_by("enqueued_at").values_list("return_value", flat=True)) == [
        "not now: (451, b'4.3.0 Try again later')", "sent",
    ]


def test_the_password_reset_is_retried_and_goes_once(client, therapist, mail_server):
    therapist.user.email = "robin@harbour.example"
    therapist.user.save()
    mail_server.refusals = 2
    response = client.post(reverse("password_reset"), {"email": "robin@harbour.example"})
    assert response.status_code == 302 and mail_server.received == []

    run_queued_jobs()

    assert mail_server.refused == 2 and len(mail_server.received) == 1
    assert b"/password/reset/" in mail_server.received[0].content
    assert SentEmail.objects.get().attempts == 3


def test_every_try_of_one_email_has_the_same_message_id(as_therapist, visit, mail_server):
    mail_server.refusals = 1
    email_link(as_therapist, visit)
    key = DBTaskResult.objects.get().args_kwargs["args"][3]
    run_queued_jobs()
    assert message_ids(mail_server) == [message_id(key)]
    assert SentEmail.objects.get().message_id == message_id(key)


def a_message():
    return mail.EmailMessage(subject="Hello", body="Some times is better than no times.", to=["maya@example.com"])


@pytest.mark.parametrize("state, copies, result", [
    (SentEmail.State.SENDING, 1, "sent"),  # the last try died before handing it over: nobody gets two
    (SentEmail.State.HANDING_OVER, 1, "sent again"),  # it may have gone: sent again, the same Message-ID
    (SentEmail.State.SENT, 0, "already sent"),
])
def test_a_try_that_finds_one_left_half_way_decides_by_how_far_it_got(db, mail_server, state, copies, result):
    key = new_email_key()
    SentEmail.objects.create(key=key, state=state, message_id=message_id(key), attempts=1)

    answer = send_once(key, a_message, attempt=1, again=lambda when: pytest.fail("no retry expected"))

    assert answer == result
    assert len(mail_server.received) == copies
    assert message_ids(mail_server) == [message_id(key)] * copies
    row = SentEmail.objects.get()
    assert row.state == SentEmail.State.SENT and row.sent_at is not None
    assert row.attempts == (1 if state == SentEmail.State.SENT else 2)


class HoldingMailServer(MailServer):
    """Holds the first email at `hold` ("RCPT": before the message; "DATA": having taken
    the message, before answering 250, as a real server queues it and then replies) until
    `release` is set, so the worker sending it can be killed there."""

    def __init__(self, hold: str):
        super().__init__()
        self.hold = hold
        self.holding = threading.Event()
        self.release = threading.Event()

    async def wait_the_first_time(self):
        if not self.holding.is_set():
            self.holding.set()
            while not self.release.is_set():
                await asyncio.sleep(0.05)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.hold == "RCPT":
            await self.wait_the_first_time()
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.received.append(envelope)
        if self.hold == "DATA":
            await self.wait_the_first_time()
        return "250 2.0.0 OK"


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("hold, state_when_killed, copies, result", [
    ("RCPT", SentEmail.State.SENDING, 1, "sent"),
    ("DATA", SentEmail.State.HANDING_OVER, 2, "sent again"),
])
def test_a_worker_killed_while_sending(therapist, clinic, tmp_path, hold, state_when_killed, copies, result):
    server = HoldingMailServer(hold)
    controller = Controller(server, hostname="127.0.0.1", port=free_port())
    controller.start()
    clinic.email_confirmed_at = None
    clinic.save()
    therapist.user.email = "robin@harbour.example"
    therapist.user.save()
    key = new_email_key()
    job = clients_tasks.send_confirmation.enqueue(clinic.pk, therapist.user.pk, "robin@harbour.example", "http://testserver", key)
    env = app_env(EMAIL_URL=f"smtp://127.0.0.1:{controller.port}", WORKER_LOST_AFTER="2")
    workers = []
    try:
        workers.append(start_worker("mail-a", env, tmp_path, "--interval", "0.1"))
        wait_for(server.holding.is_set, timeout=60, what="worker A to reach the mail server", processes=workers)
        assert SentEmail.objects.get(key=key).state == state_when_killed

        workers[0].kill()
        workers.append(start_worker("mail-b", env, tmp_path, "--interval", "0.1"))
        wait_for(lambda: SentEmail.objects.filter(key=key, state=SentEmail.State.SENT).exists(), timeout=60,
                 what="worker B to send it", processes=workers)
    finally:
        server.release.set()
        for worker in workers:
            worker.stop()
        controller.stop()

    assert len(server.received) == copies
    assert message_ids(server) == [message_id(key)] * copies
    job.refresh()
    assert job.status == TaskResultStatus.SUCCESSFUL and job.return_value == result
    assert job.worker_ids == ["mail-a", "mail-b"]
