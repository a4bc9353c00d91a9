"""The client sets reminders on their phone, in a real Chromium.

What this proves: the page registers its service worker, scoped to this client's page; the
page's own subscription code (permission, PushManager.subscribe with our VAPID key, the
POST of the subscription with the phone's time zone) delivers a subscription that the
server keeps; the form saves a time, days and an email, and the page then says what is
set. What it can't: headless Chromium here reaches no real push service, so
`PushManager.prototype.subscribe` is replaced (add_init_script) by one that returns a
subscription made in the test; the encryption and delivery of a push are proven against a
local receiver in tests/test_reminders_push.py instead."""

import base64
import datetime
import os

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from playwright.sync_api import expect

from aftercare.models import ShareLink
from aftercare.reminder_models import PushSubscription, ReminderPlan
from exercises.models import HowOften
from tests.conftest import builtin

pytestmark = [pytest.mark.browser]

FAKE_ENDPOINT = "https://fcm.googleapis.com/fcm/send/browser-test-phone"


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def fake_push_script() -> str:
    point = ec.generate_private_key(ec.SECP256R1()).public_key().public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
    return """
      (() => {
        if (!window.PushManager) { return; }
        let current = null;
        PushManager.prototype.getSubscription = function () { return Promise.resolve(current); };
        PushManager.prototype.subscribe = function (options) {
          window.__subscribedWith = options && options.applicationServerKey && options.applicationServerKey.byteLength;
          current = {
            endpoint: "%s",
            toJSON() { return {endpoint: this.endpoint, keys: {p256dh: "%s", auth: "%s"}}; },
            unsubscribe() { current = null; return Promise.resolve(true); },
          };
          return Promise.resolve(current);
        };
      })();
    """ % (FAKE_ENDPOINT, b64(point), b64(os.urandom(16)))


@pytest.fixture
def path(visit):
    visit.assign(builtin("tennis-ball-suboccipital-release"), how_often=HowOften.DAILY)
    visit.reminder_time, visit.reminder_words = datetime.time(8, 45), "after the school run"
    visit.rebook_weeks = 3
    visit.save()
    return ShareLink.issue(visit.client)


def test_a_client_turns_on_reminders_on_this_phone_and_by_email(page, path, live_server):
    page.set_viewport_size({"width": 390, "height": 844})
    page.context.grant_permissions(["notifications"])
    page.add_init_script(fake_push_script())
    page.goto(f"{path}#reminders")

    expect(page.get_by_text("Suggested by Robin: 08:45, after the school run.")).to_be_visible()
    expect(page.get_by_label("Remind me at")).to_have_value("08:45")
    scope = page.evaluate("navigator.serviceWorker.ready.then(r => r.scope)")
    assert scope == f"{live_server.url}{path}", "the service worker is scoped to this client's page"
    page.screenshots("reminders-offered")

    page.get_by_role("button", name="Remind me on this phone").click()
    expect(page.get_by_text("Done: this phone will remind you at 08:45 on your days.")).to_be_visible()
    assert page.evaluate("window.__subscribedWith") == 65, "subscribed with our VAPID public key"
    subscription = PushSubscription.objects.get()
    assert subscription.endpoint == FAKE_ENDPOINT
    plan = ReminderPlan.objects.get()
    assert plan.time_zone  # the phone's zone came with the subscription
    expect(page.get_by_role("button", name="Stop reminders on this phone")).to_be_visible()
    page.screenshots("phone-on")

    page.get_by_label("Remind me at").fill("07:45")
    page.get_by_label("Sun").uncheck()
    page.get_by_label("Email me a reminder").check()
    page.get_by_role("button", name="Save my reminders").click()
    expect(page.get_by_text("Your reminders: 07:45, Mon, Tue, Wed, Thu, Fri, Sat")).to_be_visible()
    expect(page.get_by_text("We've emailed m•••@example.com a link to confirm.")).to_be_visible()
    plan.refresh_from_db()
    assert (plan.at, plan.days, plan.email, plan.email_confirmed_at) == (datetime.time(7, 45), "012345", "maya@example.com", None)
    page.screenshots("saved")

    page.get_by_role("button", name="Stop all reminders").click()
    expect(page.get_by_text("Nothing is sent until you ask.")).to_be_visible()
    assert not PushSubscription.objects.exists()


def test_an_iphone_is_told_to_add_the_page_to_the_home_screen_first(browser, live_server, path):
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 390, "height": 844},
        user_agent="Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 Mobile/15E148 Safari/604.1",
    )
    page = context.new_page()
    page.goto(f"{path}#reminders")
    expect(page.get_by_text("On an iPhone or iPad, add this page to your Home Screen first")).to_be_visible()
    expect(page.get_by_role("button", name="Remind me on this phone")).to_be_hidden()
    page.screenshot(path="test-artifacts/screenshots/reminders-iphone.png", full_page=True)
    context.close()
