"""Every email goes out from a job, against a real SMTP server on 127.0.0.1 (aiosmtpd): a
mail server that says "not now" (4xx) gets the email again later, and only once; a 5xx is
final; a client deleted before the job runs gets nothing, and the job ends quietly."""

import pytest
from aiosmtpd.controller import Controller
from django.urls import reverse
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from aftercare import tasks
from aftercare.models import SentEmail, ShareLink
from aftercare.worker import JobFailed, run_queued_jobs
from tests.services import free_port


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
