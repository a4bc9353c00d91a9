"""Issue 17, item 7 (email headers built only by Django's mail API): every email's headers go
through EmailMessage's own fields and `headers=`, and text people typed that lands in a
header (a clinic's name, an exercise's name, in subjects) is one line by then, so a line
break in it can neither add a header (Bcc:, a second recipient) nor stop the email
(Django's BadHeaderError). An address with a line break typed on the client's page is a
clear form error. Read as the real SMTP server on loopback got it: the raw message and the
envelope's recipients."""

import datetime
import email
import re
import zoneinfo
from email import policy

import pytest
import time_machine
from django.urls import reverse

from aftercare import reminders
from aftercare.models import ShareLink
from aftercare.reminder_models import ReminderPlan
from aftercare.worker import run_queued_jobs
from exercises.models import HowOften
from tests.conftest import builtin, make_visit
from tests.test_email_jobs import mail_server  # noqa: F401  (the real SMTP server on loopback)

LONDON = zoneinfo.ZoneInfo("Europe/London")
HOSTILE_CLINIC = "Harbour Lane\r\nBcc: evil@example.com"
HOSTILE_EXERCISE = "Chin tucks\nX-Injected: yes"


def header_lines(raw: bytes) -> list[str]:
    head = raw.split(b"\r\n\r\n", 1)[0].decode()
    return [line for line in re.split(r"\r?\n", head) if line and not line[0].isspace()]


def check_clean(envelope, to: str) -> email.message.EmailMessage:
    """Nothing injected: the envelope goes to `to` alone, no Bcc or made-up header, one
    Subject on its own line with the typed text flattened into it."""
    assert envelope.rcpt_tos == [to]
    names = [line.split(":", 1)[0].lower() for line in header_lines(envelope.content)]
    assert "bcc" not in names and "x-injected" not in names, names
    assert names.count("subject") == 1 and names.count("to") == 1
    message = email.message_from_bytes(envelope.content, policy=policy.default)
    assert "\n" not in message["Subject"] and "\r" not in message["Subject"]
    return message


@pytest.fixture
def hostile(clinic, client_, therapist):
    clinic.name = HOSTILE_CLINIC
    clinic.save()
    exercise = builtin("chin-tucks").copy_for(clinic)
    exercise.name = HOSTILE_EXERCISE
    exercise.save()
    visit = make_visit(client_, "headaches", therapist=therapist, date=datetime.date(2026, 4, 1), rebook_weeks=4)
    visit.assign(exercise, how_often=HowOften.DAILY)
    return visit


def test_a_line_break_in_names_cannot_inject_a_header_in_reminder_emails(client, hostile, mail_server, settings):  # noqa: F811
    settings.AFTERCARE_SITE_URL = "http://testserver"
    path = ShareLink.issue(hostile.client)
    data = {"at": "07:30", "days": [str(n) for n in range(7)], "by_email": "on", "email": "maya@example.com",
            "time_zone": "Europe/London"}
    assert client.post(f"{path}reminders/", data).status_code == 302
    run_queued_jobs()
    [confirmation] = mail_server.received
    message = check_clean(confirmation, "maya@example.com")
    assert message["Subject"] == "Confirm your homework reminders from Harbour Lane Bcc: evil@example.com"

    plan = ReminderPlan.objects.get()
    assert client.post(reverse("reminder-confirm", args=[reminders.confirm_token(plan)])).status_code == 200
    minute = datetime.datetime(2026, 4, 6, 7, 30, tzinfo=LONDON)
    with time_machine.travel(minute, tick=False):
        reminders.send_due_reminders.call(minute=minute.astimezone(datetime.timezone.utc).isoformat())
        run_queued_jobs()
    [_, reminder] = mail_server.received
    message = check_clean(reminder, "maya@example.com")
    assert message["Subject"] == "A reminder from Harbour Lane Bcc: evil@example.com: Chin tucks X-Injected: yes"
    names = [line.split(":", 1)[0].lower() for line in header_lines(reminder.content)]
    assert names.count("list-unsubscribe") == 1 and names.count("list-unsubscribe-post") == 1


def test_a_line_break_in_the_clinics_name_cannot_inject_a_header_in_the_link_email_or_a_nudge(
    as_therapist, hostile, mail_server,  # noqa: F811
):
    response = as_therapist.post(reverse("aftercare:link-email", args=[hostile.pk]), {"email": "maya@example.com"})
    assert response.status_code == 302
    response = as_therapist.post(reverse("aftercare:nudge", args=[hostile.client.pk]), {"text": "Hello\r\nBcc: evil@example.com"})
    assert response.status_code == 302
    run_queued_jobs()
    assert len(mail_server.received) == 2
    subjects = {check_clean(envelope, "maya@example.com")["Subject"] for envelope in mail_server.received}
    assert subjects == {"Your homework from Harbour Lane Bcc: evil@example.com",
                        "A gentle hello from Harbour Lane Bcc: evil@example.com"}


@pytest.mark.parametrize("address", [
    "maya@example.com\r\nBcc: evil@example.com",
    "maya@example.com\nTo: evil@example.com",
    '"Maya\r\nBcc: evil@example.com" <maya@example.com>',
    "maya@example.com, evil@example.com",
])
def test_an_address_with_a_line_break_is_a_clear_form_error_and_no_email(client, hostile, mail_server, address):  # noqa: F811
    path = ShareLink.issue(hostile.client)
    data = {"at": "07:30", "days": ["0"], "by_email": "on", "email": address, "time_zone": ""}
    response = client.post(f"{path}reminders/", data)
    assert response.status_code == 400
    assert "That email address doesn" in response.content.decode()
    run_queued_jobs()
    assert mail_server.received == []
    assert not ReminderPlan.objects.exclude(email="").exists()
