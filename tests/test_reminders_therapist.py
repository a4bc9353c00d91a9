"""The therapist's side of reminders: a suggested time in the wrap-up (offered first on the
client's page), share buttons through their own phone's apps, and, on the client's page,
which ways the client chose and when the last reminder went."""

import datetime
from urllib.parse import quote

import pytest
from django.urls import reverse
from django.utils import timezone

from aftercare.models import ShareLink
from aftercare.reminder_models import Channel, PushSubscription, ReminderPlan, ReminderSent
from tests.conftest import builtin


@pytest.fixture
def item(visit):
    return visit.assign(builtin("doorway-pec-stretch"))


def wrap_up(browser, visit, **fields):
    return browser.post(reverse("aftercare:visit-wrap-up", args=[visit.pk]),
                        {"referral": "", "referral_note": "", "next_goal": "", "rebook_weeks": "3", **fields})


def test_the_suggested_time_goes_from_the_wrap_up_to_the_clients_page_and_the_share_text(as_therapist, client, visit, item):
    response = wrap_up(as_therapist, visit, reminder_time="08:45", reminder_words="after the school run")
    assert response.status_code == 302
    visit.refresh_from_db()
    assert (visit.reminder_time, visit.reminder_words) == (datetime.time(8, 45), "after the school run")

    page = as_therapist.get(reverse("aftercare:visit-detail", args=[visit.pk])).content.decode()
    url = f"http://testserver{ShareLink.issue(visit.client)}"
    text = (f"Hi Maya, here's your homework from Harbour Lane Massage: {url} You can set a reminder there; "
            "we thought 08:45, after the school run might suit you.")
    assert f'href="sms:?&amp;body={quote(text, safe="")}"' in page
    assert f'href="https://wa.me/?text={quote(text, safe="")}"' in page

    client.logout()
    link_page = client.get(ShareLink.issue(visit.client)).content.decode()
    assert "Suggested by Robin: 08:45, after the school run." in link_page
    assert 'name="at" id="id_at" value="08:45"' in link_page


def test_a_suggested_time_like_25_99_is_a_clear_message(as_therapist, visit, item):
    response = wrap_up(as_therapist, visit, reminder_time="25:99", reminder_words="after the school run")
    assert response.status_code == 400
    assert "Choose a time like 07:30 or 19:00." in response.content.decode()
    assert 'value="after the school run"' in response.content.decode()


def test_finishing_by_mistake_undoes_the_suggestion_too(as_therapist, visit, item):
    wrap_up(as_therapist, visit, reminder_time="08:45")
    as_therapist.post(reverse("aftercare:visit-unfinish", args=[visit.pk]))
    visit.refresh_from_db()
    assert visit.reminder_time is None


def test_the_clients_page_says_which_ways_and_when_the_last_went(as_colleague, client_, visit, item):
    detail = reverse("clients:detail", args=[client_.pk])
    assert "hasn&#x27;t asked for reminders" in as_colleague.get(detail).content.decode() or \
        "hasn't asked for reminders" in as_colleague.get(detail).content.decode()
    ReminderPlan.objects.create(client=client_, at=datetime.time(7, 30), days="024", email="maya@example.com",
                                email_confirmed_at=timezone.now())
    PushSubscription.objects.create(client=client_, endpoint="https://fcm.googleapis.com/fcm/send/x",
                                    endpoint_digest="x", p256dh="p", auth="a")
    sent = timezone.make_aware(datetime.datetime(2026, 11, 2, 7, 30))
    ReminderSent.objects.create(client=client_, channel=Channel.EMAIL, day=sent.date(), batch="b", sent_at=sent)
    page = as_colleague.get(detail).content.decode()
    assert "Reminders: email, phone notifications, at 07:30 (Mon, Wed, Fri)." in page
    assert "The last one went on" in page and "2 Nov 07:30" in page
    assert "maya@example.com" not in page.split('id="reminder-summary"')[1].split("</p>")[0]


def test_an_outsider_sees_none_of_it(as_outsider, client_, visit):
    assert as_outsider.get(reverse("clients:detail", args=[client_.pk])).status_code == 404
    assert wrap_up(as_outsider, visit, reminder_time="08:45").status_code == 404


def test_the_clients_reminders_are_in_their_export(client_, visit, item):
    import json
    import zipfile
    from io import BytesIO

    from aftercare import export

    assert json.loads(zipfile.ZipFile(BytesIO(export.client_zip(client_))).read("client.json"))["reminders"] is None
    ReminderPlan.objects.create(
        client=client_, at=datetime.time(8, 45), days="024", time_zone="Europe/London",
        email="maya.own@example.com", email_confirmed_at=timezone.now(),
    )
    ReminderSent.objects.create(client=client_, channel=Channel.EMAIL, day=datetime.date(2026, 11, 30), batch="b",
                                sent_at=timezone.now())
    ReminderSent.objects.create(client=client_, channel=Channel.PUSH, day=datetime.date(2026, 11, 30), batch="c")
    data = json.loads(zipfile.ZipFile(BytesIO(export.client_zip(client_))).read("client.json"))["reminders"]
    assert (data["time"], data["days"], data["email"], data["phones"]) == ("08:45", ["Mon", "Wed", "Fri"], "maya.own@example.com", 0)
    assert [(r["day"], r["way"]) for r in data["sent"]] == [("2026-11-30", "email")]  # claimed but never sent: not listed
