"""This phone's notifications (Web Push) and the calendar that keeps up.

A local receiver on 127.0.0.1 stands in for the push service (only the test settings let
an endpoint there through): it decrypts what it gets as RFC 8291 says (aes128gcm, with
http_ece and the subscription's own private key and auth secret), so the test proves the
payload really is encrypted for that phone, and checks the VAPID signature's key. A push
service answering 410 makes us forget the subscription."""

import base64
import datetime
import json
import os
import threading
import zoneinfo
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import http_ece
import pytest
import time_machine
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from icalendar import Calendar

from aftercare import reminders, webpush
from aftercare.audit import Action, AuditEvent
from aftercare.models import ShareLink
from aftercare.reminder_models import PushSubscription, ReminderPlan, ReminderSent
from aftercare.worker import run_queued_jobs
from exercises.models import HowOften
from tests.conftest import builtin, make_visit

LONDON = zoneinfo.ZoneInfo("Europe/London")
ROOT = Path(__file__).resolve().parent.parent


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class Phone:
    """A browser's side of a subscription: its key pair and auth secret."""

    def __init__(self, endpoint: str):
        self.private_key = ec.generate_private_key(ec.SECP256R1())
        self.auth = os.urandom(16)
        self.endpoint = endpoint

    def subscription(self) -> dict:
        point = self.private_key.public_key().public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
        return {"endpoint": self.endpoint, "keys": {"p256dh": b64(point), "auth": b64(self.auth)}}

    def decrypt(self, body: bytes) -> dict:
        return json.loads(http_ece.decrypt(body, private_key=self.private_key, auth_secret=self.auth, version="aes128gcm"))


class PushService:
    def __init__(self):
        self.received = []
        self.answer = 201
        service = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                service.received.append((self.path, {k.lower(): v for k, v in self.headers.items()}, body))
                self.send_response(service.answer)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def push_service():
    service = PushService()
    yield service
    service.stop()


@pytest.fixture
def path(client_, therapist):
    visit = make_visit(client_, "headaches", therapist=therapist, date=datetime.date(2026, 4, 1), rebook_weeks=4)
    visit.assign(builtin("tennis-ball-suboccipital-release"), how_often=HowOften.DAILY)
    return ShareLink.issue(client_)


def subscribe(client, path, body, **headers):
    return client.post(f"{path}reminders/phone/", json.dumps(body), content_type="application/json", **headers)


def test_a_reminder_reaches_the_phone_encrypted_for_it_alone(client, path, push_service, settings, client_):
    settings.AFTERCARE_SITE_URL = "https://aftercare.example"
    phone = Phone(f"{push_service.url}/push/phone-1")
    response = subscribe(client, path, {**phone.subscription(), "timeZone": "Europe/London"})
    assert response.status_code == 201, response.content
    plan = ReminderPlan.objects.get()
    assert (plan.at, plan.days, plan.time_zone) == (datetime.time(19, 0), "0123456", "Europe/London")

    minute = datetime.datetime(2026, 4, 6, 19, 0, tzinfo=LONDON)
    with time_machine.travel(minute, tick=False):
        reminders.send_due_reminders.call(minute=minute.astimezone(datetime.timezone.utc).isoformat())
        run_queued_jobs()

    [(where, headers, body)] = push_service.received
    assert where == "/push/phone-1"
    assert headers["content-encoding"] == "aes128gcm"
    assert b"Tennis" not in body and b"aftercare.example" not in body, "the payload goes encrypted"
    message = phone.decrypt(body)
    assert message["title"] == "Time for Tennis ball release for the base of the skull"
    assert message["url"] == f"https://aftercare.example{path}"
    assert "Some times is better than no times." in message["body"]
    # Signed with our VAPID key (RFC 8292): the key the page subscribed with.
    assert f"k={webpush.public_key()}" in headers["authorization"].replace(" ", "")
    assert ReminderSent.objects.get().sent_at is not None
    detail = AuditEvent.objects.get(action=Action.REMINDER_SENT).detail
    assert detail.startswith("phone notification, 19:00") and "127.0.0.1" not in detail


def test_a_subscription_the_push_service_says_is_gone_is_dropped(client, path, push_service):
    push_service.answer = 410
    subscribe(client, path, Phone(f"{push_service.url}/push/gone").subscription())
    minute = datetime.datetime(2026, 4, 6, 19, 0, tzinfo=LONDON)
    with time_machine.travel(minute, tick=False):
        reminders.send_due_reminders.call(minute=minute.astimezone(datetime.timezone.utc).isoformat())
        run_queued_jobs()
    assert len(push_service.received) == 1
    assert not PushSubscription.objects.exists()
    assert ReminderSent.objects.get().sent_at is None


@pytest.mark.parametrize("endpoint", [
    "http://fcm.googleapis.com/fcm/send/abc",  # not https
    "https://10.0.0.5/push/abc",  # an address, a private one
    "https://[::1]/push/abc",
    "https://localhost/push/abc",
    "https://169.254.169.254/latest/meta-data/",
    "https://evil.example/push/abc",  # not a push service
    "https://fcm.googleapis.com.evil.example/x",
    "https://push.apple.com.evil.example/x",
    "https://fcm.googleapis.com:8443/fcm/send/abc",  # another port
    "https://user:pw@fcm.googleapis.com/fcm/send/abc",
    "javascript:alert(1)",
    "",
    "https://fcm.googleapis.com/" + "a" * 1200,  # huge
])
def test_an_endpoint_that_isnt_a_public_push_service_is_refused(client, path, endpoint):
    phone = Phone(endpoint)
    response = subscribe(client, path, phone.subscription())
    assert response.status_code == 400
    assert "Email or the calendar will work instead" in response.json()["error"]
    assert not PushSubscription.objects.exists()


def test_loopback_is_refused_outside_the_test_settings(client, path, settings):
    settings.WEBPUSH_ALLOW_LOOPBACK = False
    assert subscribe(client, path, Phone("http://127.0.0.1:9/push").subscription()).status_code == 400
    assert subscribe(client, path, Phone("https://127.0.0.1/push").subscription()).status_code == 400


def test_a_push_service_name_that_resolves_to_a_loopback_address_is_refused(client, path, settings):
    """The allow-list is only names: a listed name the DNS answers with a loopback address
    (real resolution: "localhost" is 127.0.0.1 here) is refused all the same, even under the
    test settings, whose loopback exception is the literal 127.0.0.1 only."""
    settings.WEBPUSH_SERVICE_HOSTS = [*settings.WEBPUSH_SERVICE_HOSTS, "localhost", "*.localhost"]
    response = subscribe(client, path, Phone("https://localhost/push/abc").subscription())
    assert response.status_code == 400
    assert response.json()["error"] == webpush.NOT_A_PUSH_SERVICE
    assert not PushSubscription.objects.exists()


@pytest.mark.parametrize("address", [
    "127.0.0.1", "10.1.2.3", "172.16.0.9", "192.168.1.1", "169.254.169.254", "100.64.0.1", "0.0.0.0",
    "224.0.0.1", "240.0.0.1", "255.255.255.255", "::1", "::", "fe80::1", "fc00::1", "ff02::1", "::ffff:127.0.0.1",
    "::ffff:10.0.0.1",
])
def test_no_private_loopback_link_local_reserved_or_multicast_address_counts_as_public(address):
    assert not webpush.is_public(address)


def test_a_public_address_counts_as_public():
    assert webpush.is_public("142.250.180.10") and webpush.is_public("2a00:1450:4009:81f::200a")


def test_a_name_that_resolves_to_loopback_by_send_time_gets_nothing(client, path, push_service, settings, caplog):
    """Checked again just before each send: a name that was public (or didn't resolve) when
    the phone subscribed and resolves to a loopback address now (DNS rebinding) gets no POST,
    and the subscription is dropped."""
    assert subscribe(client, path, Phone(f"{push_service.url}/push/phone-1").subscription()).status_code == 201
    settings.WEBPUSH_SERVICE_HOSTS = [*settings.WEBPUSH_SERVICE_HOSTS, "localhost"]
    PushSubscription.objects.update(endpoint="https://localhost/push/rebound")
    minute = datetime.datetime(2026, 4, 6, 19, 0, tzinfo=LONDON)
    with time_machine.travel(minute, tick=False):
        reminders.send_due_reminders.call(minute=minute.astimezone(datetime.timezone.utc).isoformat())
        run_queued_jobs()
    assert push_service.received == []
    assert not PushSubscription.objects.exists()
    assert "not a public address" in caplog.text


@pytest.mark.parametrize("endpoint", [
    "https://fcm.googleapis.com/fcm/send/abc:def",
    "https://updates.push.services.mozilla.com/wpush/v2/gAAAA",
    "https://web.push.apple.com/QGuQyavXutnMH",
    "https://wns2-par02p.notify.windows.com/w/?token=BQYAAA",
])
def test_the_known_push_services_are_accepted(client, path, endpoint):
    assert subscribe(client, path, Phone(endpoint).subscription()).status_code == 201


def test_bad_keys_a_huge_body_and_a_repeated_subscription(client, path):
    phone = Phone("https://fcm.googleapis.com/fcm/send/one")
    good = phone.subscription()
    for body in (
        {"endpoint": good["endpoint"], "keys": {"p256dh": "AAAA", "auth": good["keys"]["auth"]}},
        {"endpoint": good["endpoint"], "keys": {"p256dh": good["keys"]["p256dh"], "auth": "x"}},
        {"endpoint": good["endpoint"]},
        ["not", "an", "object"],
        {**good, "padding": "x" * 5000},
    ):
        response = subscribe(client, path, body)
        assert response.status_code == 400 and response.json()["error"]
    assert client.post(f"{path}reminders/phone/", b"\xff\xfe{", content_type="application/json").status_code == 400
    assert subscribe(client, path, good).status_code == 201
    assert subscribe(client, path, good).status_code == 200
    assert PushSubscription.objects.count() == 1
    for n in range(8):
        subscribe(client, path, Phone(f"https://fcm.googleapis.com/fcm/send/{n}").subscription())
    assert PushSubscription.objects.count() == webpush.PHONES_PER_CLIENT
    assert AuditEvent.objects.filter(action=Action.REMINDER_OPT_IN, detail="phone notifications").exists()
    assert not AuditEvent.objects.filter(detail__contains="fcm").exists()


def test_a_phone_can_stop_its_own_notifications(client, path):
    phone = Phone("https://fcm.googleapis.com/fcm/send/one")
    subscribe(client, path, phone.subscription())
    response = client.post(f"{path}reminders/phone/stop/", json.dumps({"endpoint": phone.endpoint}), content_type="application/json")
    assert response.status_code == 200 and not PushSubscription.objects.exists()


def test_the_manifest_and_the_service_worker_are_the_links_own(client, path):
    manifest = client.get(f"{path}manifest.webmanifest")
    assert manifest["Content-Type"] == "application/manifest+json"
    data = json.loads(manifest.content)
    assert data["scope"] == path and data["start_url"] == path and data["display"] == "standalone"
    for icon in data["icons"]:
        assert icon["src"].startswith("/static/img/app-icon-")
        assert (ROOT / "static" / icon["src"].removeprefix("/static/")).exists()
    worker = client.get(f"{path}sw.js")
    assert worker.status_code == 200 and worker["Content-Type"].startswith("text/javascript")
    assert b"showNotification" in worker.content and b"notificationclick" in worker.content
    page = client.get(path).content.decode()
    assert f'<link rel="manifest" href="{path}manifest.webmanifest">' in page
    assert "add this page to your Home Screen first" in page
    ShareLink.objects.update(revoked_at=datetime.datetime.now(datetime.timezone.utc))
    assert client.get(f"{path}sw.js").status_code == 404  # the browser then drops the worker


def test_the_calendar_subscription_follows_the_homework_and_keeps_its_uids(client, path, client_, settings):
    settings.AFTERCARE_SITE_URL = "https://aftercare.example"
    page = client.get(path).content.decode()
    assert f'href="webcal://aftercare.example{path}calendar.ics"' in page
    assert "some calendars (Google Calendar among them) ignore alarms" in page

    first = Calendar.from_ical(client.get(f"{path}calendar.ics").content)
    assert str(first["REFRESH-INTERVAL"].to_ical().decode()) == "PT1H"
    [event] = first.walk("VEVENT")
    assert event.decoded("DTSTART").strftime("%H:%M") == "19:00"
    # Ends at the next session (rebook in 4 weeks from 1 April: 29 April) plus a week.
    assert event["RRULE"]["UNTIL"][0].date() == datetime.date(2026, 5, 6)
    assert len(event.walk("VALARM")) == 1

    client.post(f"{path}reminders/", {"at": "07:15", "days": ["0", "2", "4"], "time_zone": "America/New_York"})
    [changed] = Calendar.from_ical(client.get(f"{path}calendar.ics").content).walk("VEVENT")
    assert changed["UID"] == event["UID"]
    assert changed.decoded("DTSTART").strftime("%H:%M") == "07:15"
    assert str(changed.decoded("DTSTART").tzinfo) == "America/New_York"
    assert changed["RRULE"]["BYDAY"] == ["MO", "WE", "FR"]
    assert ReminderPlan.objects.get().calendar_fetched_at is not None
