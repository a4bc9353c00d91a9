"""Email reminders, end to end against a real SMTP server on 127.0.0.1 (aiosmtpd): asked
for on the link page, confirmed from a first email (double opt-in), sent by the worker's
jobs with List-Unsubscribe and one-click unsubscribe (RFC 8058), stopped for good until the
address confirms again. Bad input is a clear message, never a 500, never mail to an
unconfirmed address."""

import datetime
import email
import re
import zoneinfo
from email import policy

import pytest
import time_machine
from aiosmtpd.controller import Controller
from django.test import Client as Browser

from aftercare import reminders
from aftercare.audit import Action, AuditEvent
from aftercare.models import ShareLink
from aftercare.reminder_models import EmailStop, ReminderPlan
from aftercare.worker import run_queued_jobs
from exercises.models import HowOften
from tests.conftest import builtin, make_visit
from tests.services import free_port

LONDON = zoneinfo.ZoneInfo("Europe/London")
MONDAY = datetime.datetime(2026, 4, 6, 6, 0, tzinfo=LONDON)


class Inbox:
    def __init__(self):
        self.received = []

    async def handle_DATA(self, server, session, envelope):
        self.received.append(email.message_from_bytes(envelope.content, policy=policy.default))
        return "250 2.0.0 OK"

    def take(self) -> list:
        taken, self.received = self.received, []
        return taken


@pytest.fixture
def inbox(settings):
    handler = Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.AFTERCARE_SITE_URL = "http://testserver"
    yield handler
    controller.stop()


@pytest.fixture
def path(client_, therapist):
    visit = make_visit(client_, "headaches", therapist=therapist, date=datetime.date(2026, 4, 1), rebook_weeks=4)
    visit.assign(builtin("tennis-ball-suboccipital-release"), how_often=HowOften.DAILY)
    return ShareLink.issue(client_)


def text_of(message) -> str:
    return message.get_body(("plain",)).get_content()


def html_of(message) -> str:
    return message.get_body(("html",)).get_content()


def first_link(text: str, fragment: str) -> str:
    return next(url for url in re.findall(r"https?://\S+", text) if fragment in url).replace("http://testserver", "")


def ask(browser, path, **fields) -> object:
    data = {"at": "07:30", "days": ["0", "1", "2", "3", "4", "5", "6"], "by_email": "on", "email": "maya@example.com",
            "time_zone": "Europe/London", **fields}
    return browser.post(f"{path}reminders/", data)


def run_minute(local: datetime.datetime) -> None:
    with time_machine.travel(local, tick=False):
        reminders.send_due_reminders.call(minute=local.astimezone(datetime.timezone.utc).isoformat())
        run_queued_jobs()


def confirm_from(inbox, browser) -> str:
    [message] = inbox.take()
    assert message["Subject"].startswith("Confirm your homework reminders")
    url = first_link(text_of(message), "/reminders/confirm/")
    page = browser.get(url)
    assert page.status_code == 200 and b"Yes, send me reminders" in page.content
    assert not ReminderPlan.objects.get().email_confirmed_at, "a GET (a mail scanner) confirmed nothing"
    done = browser.post(url)
    assert done.status_code == 200 and b"all set" in done.content
    return url


def test_asked_for_confirmed_then_sent_with_unsubscribe_headers(client, path, inbox, client_):
    with time_machine.travel(MONDAY, tick=False):
        response = ask(client, path)
        assert response.status_code == 302 and response["Location"] == f"{path}#reminders"
        run_queued_jobs()
    # Nothing but the confirmation goes before it is confirmed.
    run_minute(datetime.datetime(2026, 4, 6, 7, 30, tzinfo=LONDON))
    [confirmation] = [m for m in inbox.received]
    assert confirmation["To"] == "maya@example.com"
    with time_machine.travel(MONDAY + datetime.timedelta(hours=3), tick=False):
        confirm_from(inbox, client)

    run_minute(datetime.datetime(2026, 4, 7, 7, 30, tzinfo=LONDON))
    [reminder] = inbox.take()
    assert reminder["To"] == "maya@example.com"
    stop_url = first_link(text_of(reminder), "/reminders/stop/")
    assert str(reminder["List-Unsubscribe"]).strip() == f"<http://testserver{stop_url}>"
    assert reminder["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    text, html = text_of(reminder), html_of(reminder)
    assert "Tennis ball release" in text and "Tennis ball release" in html
    assert "Some times is better than no times." in text and "Some times is better than no times." in html
    assert f"http://testserver{path}" in text and f'href="http://testserver{path}"' in html
    assert "Stop these reminders" in html
    assert "<img" not in html, "no tracking pixel, no picture that reports an opening"
    # "I did it": lands on the page, at the item's button; the GET changes nothing.
    done = first_link(text, "#tick-")
    page = client.get(done.split("#")[0])
    assert page.status_code == 200 and b"I did it today" in page.content
    from aftercare.models import CheckIn
    assert not CheckIn.objects.exists()

    actions = list(AuditEvent.objects.filter(client=client_).values_list("action", "detail"))
    assert (Action.REMINDER_OPT_IN, "email") in actions
    assert any(action == Action.REMINDER_SENT and detail.startswith("email, 07:30") for action, detail in actions)
    assert not any("maya@" in detail for _, detail in actions), "the address never goes into the log"


def test_one_click_unsubscribe_needs_no_csrf_token_and_stops_everything_until_confirmed_again(path, inbox, client_):
    browser = Browser(enforce_csrf_checks=True)
    with time_machine.travel(MONDAY, tick=False):
        ask(browser, path)
        run_queued_jobs()
        confirm_from(inbox, browser)
    run_minute(datetime.datetime(2026, 4, 6, 7, 30, tzinfo=LONDON))
    [reminder] = inbox.take()
    stop_url = re.search(r"<http://testserver(/[^>]+)>", str(reminder["List-Unsubscribe"])).group(1)

    response = browser.post(stop_url, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200 and b"No more reminder emails" in response.content
    assert EmailStop.objects.count() == 1
    assert browser.post(stop_url, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded").status_code == 200

    run_minute(datetime.datetime(2026, 4, 7, 7, 30, tzinfo=LONDON))
    assert inbox.take() == []
    assert AuditEvent.objects.filter(client=client_, action=Action.REMINDERS_STOPPED, detail="email").count() == 1

    # Asking again needs a new confirmation; until then nothing goes.
    with time_machine.travel(datetime.datetime(2026, 4, 7, 12, 0, tzinfo=LONDON), tick=False):
        ask(browser, path)
        run_queued_jobs()
    run_minute(datetime.datetime(2026, 4, 8, 7, 30, tzinfo=LONDON))
    [confirmation] = inbox.received
    assert confirmation["Subject"].startswith("Confirm")
    with time_machine.travel(datetime.datetime(2026, 4, 8, 12, 0, tzinfo=LONDON), tick=False):
        confirm_from(inbox, browser)
    run_minute(datetime.datetime(2026, 4, 9, 7, 30, tzinfo=LONDON))
    assert len(inbox.take()) == 1


def test_the_stop_link_opened_shows_a_button_and_stops_nothing_on_its_own(client, path, inbox):
    plan = ReminderPlan.objects.create(client=ShareLink.objects.get().client, at=datetime.time(7, 30), days="0123456",
                                       email="maya@example.com", email_confirmed_at=datetime.datetime.now(datetime.timezone.utc))
    url = f"/reminders/stop/{reminders.stop_token(plan.client_id, plan.email)}/"
    page = client.get(url)
    assert page.status_code == 200 and b"Stop reminder emails" in page.content
    assert not EmailStop.objects.exists()
    assert client.post(url).status_code == 200
    assert EmailStop.objects.exists()


def test_tampered_expired_and_replayed_links(client, path, inbox):
    with time_machine.travel(MONDAY, tick=False):
        ask(client, path)
        run_queued_jobs()
    [message] = inbox.take()
    url = first_link(text_of(message), "/reminders/confirm/")

    tampered = url[:-5] + ("A" if url[-5] != "A" else "B") + url[-4:]
    for method in (client.get, client.post):
        response = method(tampered)
        assert response.status_code == 400 and b"isn't complete" in response.content
    response = client.post("/reminders/stop/not-a-token/")
    assert response.status_code == 400 and b"isn't complete" in response.content

    with time_machine.travel(MONDAY + datetime.timedelta(days=4), tick=False):
        response = client.post(url)
        assert response.status_code == 400 and b"expired" in response.content
    assert not ReminderPlan.objects.get().email_confirmed_at

    with time_machine.travel(MONDAY + datetime.timedelta(hours=1), tick=False):
        assert b"all set" in client.post(url).content
        replay = client.post(url)
        assert replay.status_code == 200 and b"Already confirmed" in replay.content
    assert AuditEvent.objects.filter(action=Action.REMINDER_OPT_IN).count() == 1


def test_an_older_confirmation_link_is_stale_once_a_newer_one_was_sent(client, path, inbox):
    with time_machine.travel(MONDAY, tick=False):
        ask(client, path, email="maya@example.com")
        run_queued_jobs()
        ask(client, path, email="maya.l@example.com")
        run_queued_jobs()
    first, second = inbox.take()
    old = first_link(text_of(first), "/reminders/confirm/")
    with time_machine.travel(MONDAY + datetime.timedelta(hours=1), tick=False):
        response = client.post(old)
    assert b"replaced" in response.content
    assert not ReminderPlan.objects.get().email_confirmed_at
    assert second["To"] == "maya.l@example.com"


def test_a_malformed_email_or_time_is_a_clear_message_and_keeps_what_was_typed(client, path, inbox):
    response = ask(client, path, email="maya@@example", at="25:99")
    assert response.status_code == 400
    body = response.content.decode()
    assert "That email address doesn&#x27;t look complete" in body or "That email address doesn't look complete" in body
    assert "Choose a time like 07:30 or 19:00." in body
    assert 'value="maya@@example"' in body and 'value="25:99"' in body
    response = ask(client, path, days=[])
    assert response.status_code == 400 and "Pick at least one day" in response.content.decode()
    assert not ReminderPlan.objects.exists()
    run_queued_jobs()
    assert inbox.take() == []


def test_the_clients_own_address_is_used_when_the_box_is_left_empty(client, path, inbox):
    page = client.get(path).content.decode()
    assert "m•••@example.com" in page and "maya@example.com" not in page
    ask(client, path, email="")
    run_queued_jobs()
    [message] = inbox.take()
    assert message["To"] == "maya@example.com"


def test_confirmation_emails_a_client_can_ask_for_are_limited(client, path, inbox, settings):
    settings.REMINDER_CONFIRMATIONS_PER_DAY = 2
    for n in range(4):
        ask(client, path, email=f"maya{n}@example.com")
        run_queued_jobs()
    assert len(inbox.take()) == 2


def test_a_post_from_another_site_is_refused(client, path):
    response = client.post(f"{path}reminders/", {"at": "07:30", "days": ["1"]}, HTTP_SEC_FETCH_SITE="cross-site")
    assert response.status_code == 403
    assert not ReminderPlan.objects.exists()
