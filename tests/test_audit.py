"""The audit log: who did what to which client, each opening of their link with a hashed
address, shown on the client's page, and never changed or removed."""

import datetime
import hmac
from hashlib import sha256

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import transaction
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from aftercare import audit, handouts
from aftercare.audit import Action, AppendOnly, AuditEvent
from aftercare.models import ShareLink
from clients.models import Client
from exercises.models import Complaint, Dose
from tests.conftest import builtin, make_client

DOSE = {"how_often": "daily", "times_per_week": "", "sets": "", "reps": "", "hold_seconds": "30", "minutes": "", "note": ""}


def actions(client) -> list[tuple[str, str, str]]:
    return list(
        AuditEvent.objects.for_client(client).order_by("at", "pk").values_list("action", "actor_name", "detail")
    )


def test_every_step_of_a_visit_is_recorded_with_who_did_it(as_therapist, clinic, mailoutbox):
    as_therapist.post(reverse("clients:create"), {"first_name": "Noor", "last_name": "Haddad"})
    noor = Client.objects.get(first_name="Noor")
    as_therapist.post(reverse("clients:edit", args=[noor.pk]), {"first_name": "Noor", "last_name": "Haddad", "phone": "0400 000 000"})
    headaches = Complaint.objects.get(slug="headaches")
    as_therapist.post(reverse("aftercare:visit-start", args=[noor.pk]), {"complaints": [headaches.pk]})
    visit = noor.visits.get()
    pec = builtin("doorway-pec-stretch")
    as_therapist.post(reverse("aftercare:item-add", args=[visit.pk, pec.pk]), DOSE)
    item = visit.items.get()
    as_therapist.post(reverse("aftercare:item-edit", args=[visit.pk, item.pk]), {**DOSE, "hold_seconds": "45"})
    as_therapist.post(reverse("aftercare:item-remove", args=[visit.pk, item.pk]))
    as_therapist.get(reverse("aftercare:visit-detail", args=[visit.pk]))  # shows (so makes) the link
    as_therapist.post(reverse("aftercare:link-email", args=[visit.pk]), {"email": "noor@example.com"})
    as_therapist.post(reverse("aftercare:link-replace", args=[visit.pk]))
    as_therapist.post(reverse("aftercare:link-revoke", args=[visit.pk]))
    as_therapist.post(reverse("aftercare:link-revoke", args=[visit.pk]))  # already off: nothing to record
    as_therapist.post(reverse("clients:export", args=[noor.pk]))

    today = f"{timezone.localdate():%-d %b %Y}"
    assert actions(noor) == [
        (Action.CLIENT_CREATED, "Robin Tester", ""),
        (Action.CLIENT_EDITED, "Robin Tester", "phone"),
        (Action.VISIT_STARTED, "Robin Tester", today),
        (Action.ITEM_ASSIGNED, "Robin Tester", pec.name),
        (Action.ITEM_CHANGED, "Robin Tester", pec.name),
        (Action.ITEM_REMOVED, "Robin Tester", pec.name),
        (Action.LINK_ISSUED, "Robin Tester", ""),
        # the email went to the address typed in the form: that is an edit the link form
        # makes, and the log says the link was emailed, never to which address
        (Action.LINK_EMAILED, "Robin Tester", ""),
        (Action.LINK_REPLACED, "Robin Tester", ""),
        (Action.LINK_REVOKED, "Robin Tester", ""),
        (Action.EXPORTED, "Robin Tester", ""),
    ]
    assert "noor@example.com" not in str(list(AuditEvent.objects.values()))


def test_a_quick_add_is_recorded(as_therapist):
    as_therapist.post(reverse("clients:quick-add"), {"first_name": "Lou"})
    assert actions(Client.objects.get(first_name="Lou")) == [(Action.CLIENT_CREATED, "Robin Tester", "")]


def test_saving_a_homework_item_unchanged_records_no_edit_and_a_change_does(as_therapist, visit):
    item = visit.assign(builtin("doorway-pec-stretch"), note="Between clients")
    url = reverse("aftercare:item-edit", args=[visit.pk, item.pk])
    as_is = {name: getattr(item, name) if getattr(item, name) is not None else "" for name in (*Dose.DOSE_FIELDS, "note")}
    assert as_therapist.post(url, as_is).status_code == 302
    assert not AuditEvent.objects.filter(client=visit.client, action=Action.ITEM_CHANGED).exists()
    as_therapist.post(url, {**as_is, "note": "Between clients, and after the school run"})
    assert AuditEvent.objects.filter(client=visit.client, action=Action.ITEM_CHANGED).count() == 1


def test_saving_the_client_unchanged_records_no_edit(as_therapist, client_):
    as_therapist.post(
        reverse("clients:edit", args=[client_.pk]),
        {"first_name": "Maya", "last_name": "Lindqvist", "email": "maya@example.com"},
    )
    assert actions(client_) == []


def test_a_link_made_while_printing_is_recorded_with_the_therapist_who_printed(as_colleague, colleague, visit):
    visit.assign(builtin("doorway-pec-stretch"))
    as_colleague.get(reverse("aftercare:day-handouts") + f"?date={visit.date.isoformat()}")
    event = AuditEvent.objects.get(client=visit.client)
    assert (event.action, event.actor) == (Action.LINK_ISSUED, colleague)
    assert event.sentence.startswith(colleague.display_name)


def test_a_link_made_with_no_one_logged_in_is_recorded_without_a_name(visit):
    handouts.live_link(visit.client)
    event = AuditEvent.objects.get(client=visit.client)
    assert (event.action, event.actor) == (Action.LINK_ISSUED, None)
    assert event.sentence == "A new link was made for the client"


def test_the_clients_page_shows_the_history_newest_first_as_a_person_reads_it(as_colleague, visit, therapist):
    pec = builtin("doorway-pec-stretch")
    audit.record(visit.client, Action.VISIT_STARTED, by=therapist, detail="23 Nov 2026")
    event = audit.record(visit.client, Action.ITEM_ASSIGNED, by=therapist, detail=pec.name)
    response = as_colleague.get(reverse("clients:detail", args=[visit.client.pk]))
    when = timezone.localtime(event.at).strftime("%-d %b %H:%M")
    assertContains(response, f"Robin Tester assigned &#x27;{pec.name}&#x27; · <time")
    assertContains(response, f">{when}</time>")
    page = response.content.decode()
    assert page.index("assigned") < page.index("started a visit")
    assertContains(response, "Maya hasn't opened their link yet.")


def test_the_history_shows_the_latest_ten_and_all_of_it_on_request(as_therapist, client_, therapist, client):
    for n in range(12):
        audit.record(client_, Action.CLIENT_EDITED, by=therapist, detail=f"change {n:02d}")
    path = ShareLink.issue(client_)
    client.get(path)
    cache.clear()  # the next look comes after the half hour in which it's the same opening
    client.get(path)
    detail = reverse("clients:detail", args=[client_.pk])
    response = as_therapist.get(detail)
    assertContains(response, "(change 11)")
    assertContains(response, "(change 03)")  # ten of the edits and the link made above
    assertNotContains(response, "(change 02)")
    assertContains(response, "Maya opened their link 2 times, last on")
    assertNotContains(response, "The client opened their link")
    assertContains(response, "Show all")
    everything = as_therapist.get(detail, {"history": "all"})
    assertContains(everything, "(change 00)")
    assertContains(everything, "The client opened their link", count=2)


def test_an_outsider_never_sees_the_history(as_outsider, client_, therapist):
    audit.record(client_, Action.CLIENT_CREATED, by=therapist)
    assert as_outsider.get(reverse("clients:detail", args=[client_.pk]), {"history": "all"}).status_code == 404


def test_opening_the_link_records_the_time_and_a_keyed_hash_of_the_address(client, client_, settings):
    path = ShareLink.issue(client_)
    before = timezone.now()
    client.get(path, REMOTE_ADDR="203.0.113.7")
    client.get(path, REMOTE_ADDR="198.51.100.20")
    cache.clear()  # as if half an hour had passed
    client.get(path, REMOTE_ADDR="203.0.113.7")
    opened = list(AuditEvent.objects.openings().filter(client=client_).order_by("pk"))
    assert len(opened) == 3
    assert all(event.at >= before and event.actor is None for event in opened)
    assert opened[0].address_hash == opened[2].address_hash != opened[1].address_hash
    # HMAC-SHA256 under a key derived from the secret key (Django's salted_hmac), never the
    # bare address nor a plain hash of it that anyone could recompute.
    key = sha256((audit.ADDRESS_SALT + settings.SECRET_KEY).encode()).digest()
    assert opened[0].address_hash == hmac.new(key, b"203.0.113.7", sha256).hexdigest()
    assert opened[0].address_hash != sha256(b"203.0.113.7").hexdigest()
    assert "203.0.113.7" not in str(list(AuditEvent.objects.values()))


def test_behind_a_proxy_each_phone_is_its_own_opening(client, client_, settings):
    settings.CLIENT_ADDRESS_HEADER = "HTTP_X_REAL_IP"
    path = ShareLink.issue(client_)
    for phone in ("203.0.113.7", "198.51.100.20", "203.0.113.7"):
        client.get(path, REMOTE_ADDR="10.0.0.2", HTTP_X_REAL_IP=phone)  # every request from the proxy
    opened = list(AuditEvent.objects.openings().filter(client=client_).order_by("pk"))
    assert len(opened) == 2, "the third is the first phone again within the half hour"
    assert opened[0].address_hash != opened[1].address_hash
    assert opened[0].address_hash == audit.hash_address(RequestFactory().get("/", REMOTE_ADDR="203.0.113.7"))


def test_the_address_hash_depends_on_the_secret_key(client_, settings):
    request = RequestFactory().get("/", REMOTE_ADDR="203.0.113.7")
    first = audit.hash_address(request)
    settings.SECRET_KEY = "another-secret-key-for-this-test"
    assert audit.hash_address(request) != first


def test_recording_an_opening_is_one_insert_and_nothing_else(client_, django_assert_num_queries):
    token = ShareLink.issue(client_).split("/")[2]
    link = ShareLink.find(token)
    request = RequestFactory().get(f"/h/{token}/", REMOTE_ADDR="203.0.113.7")
    with django_assert_num_queries(1):  # INSERT into the audit log
        audit.link_opened(link, request)
    assert AuditEvent.objects.openings().get().client == client_


def test_the_calendar_file_and_the_handout_are_not_counted_as_openings(client, visit):
    visit.assign(builtin("doorway-pec-stretch"))
    path = ShareLink.issue(visit.client)
    assert client.get(f"{path}reminders.ics", {"time": "08:00"}).status_code == 200
    assert client.get(f"{path}handout.pdf").status_code == 200
    assert client.get("/h/not-a-real-token-at-all/").status_code == 404
    assert not AuditEvent.objects.openings().exists()


@pytest.fixture
def event(client_, therapist):
    return audit.record(client_, Action.ITEM_ASSIGNED, by=therapist, detail="Doorway pec stretch")


def test_an_event_refuses_to_be_changed(event):
    event.detail = "Something else"
    with pytest.raises(AppendOnly):
        event.save()
    with pytest.raises(AppendOnly):
        AuditEvent.objects.filter(pk=event.pk).update(detail="Something else")
    with pytest.raises(AppendOnly), transaction.atomic():
        AuditEvent.objects.bulk_update([event], ["detail"])
    assert AuditEvent.objects.get(pk=event.pk).detail == "Doorway pec stretch"


def test_an_event_refuses_to_be_deleted(event):
    with pytest.raises(AppendOnly):
        event.delete()
    with pytest.raises(AppendOnly):
        AuditEvent.objects.filter(pk=event.pk).delete()
    with pytest.raises(AppendOnly):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_the_admin_shows_events_but_offers_no_way_to_change_them(client, event):
    admin = get_user_model().objects.create_superuser("admin", "admin@example.com", "password")
    client.force_login(admin)
    assertContains(client.get(reverse("admin:aftercare_auditevent_changelist")), "Robin Tester")
    change = client.get(reverse("admin:aftercare_auditevent_change", args=[event.pk]))
    assertContains(change, "Doorway pec stretch")
    assertNotContains(change, 'name="_save"')
    assert client.get(reverse("admin:aftercare_auditevent_add")).status_code == 403
    assert client.post(reverse("admin:aftercare_auditevent_delete", args=[event.pk]), {"post": "yes"}).status_code == 403
    assert client.post(reverse("admin:aftercare_auditevent_change", args=[event.pk]), {"detail": "x"}).status_code == 403
    assert AuditEvent.objects.get(pk=event.pk).detail == "Doorway pec stretch"


def test_events_come_newest_first(client_, therapist):
    old = audit.record(client_, Action.CLIENT_CREATED, by=therapist)
    AuditEvent.objects.create(
        clinic=client_.clinic, client=client_, client_number=client_.pk, action=Action.EXPORTED,
        at=old.at - datetime.timedelta(days=1),
    )
    new = audit.record(client_, Action.CLIENT_EDITED, by=therapist)
    assert [e.action for e in AuditEvent.objects.for_client(client_)] == [new.action, old.action, Action.EXPORTED]


def test_another_clients_events_stay_with_them(clinic, client_, therapist):
    lou = make_client(clinic, "Lou")
    audit.record(lou, Action.CLIENT_CREATED, by=therapist)
    assert not AuditEvent.objects.for_client(client_).exists()


def test_coming_back_within_the_half_hour_is_the_same_opening(client, client_):
    path = ShareLink.issue(client_)
    for _ in range(3):  # a look, a reload, a tick's reload
        assert client.get(path, REMOTE_ADDR="203.0.113.7").status_code == 200
    assert AuditEvent.objects.openings().filter(client=client_).count() == 1
    client.get(path, REMOTE_ADDR="198.51.100.20")
    assert AuditEvent.objects.openings().filter(client=client_).count() == 2


def test_without_a_cache_every_opening_is_written(client, client_, settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    path = ShareLink.issue(client_)
    client.get(path)
    client.get(path)
    assert AuditEvent.objects.openings().filter(client=client_).count() == 2
