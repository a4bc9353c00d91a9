"""Everything about one client in a zip, and deleting a client completely: their rows go,
the audit log keeps that it happened without saying who they were."""

import datetime
import io
import json
import threading
import time
import zipfile

import pytest
from django.apps import apps
from django.db import connection, models, transaction
from django.db.models.deletion import Collector
from django.test import Client as Browser
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader
from pytest_django.asserts import assertContains

from aftercare import audit
from aftercare.audit import Action, AuditEvent
from aftercare.models import CheckIn, HomeworkItem, ShareLink, Visit
from aftercare.prepared import PreparedFile
from aftercare.worker import run_queued_jobs
from aftercare import tasks
from django.core.files.storage import default_storage
from django_tasks_db.models import DBTaskResult
from clients.models import Client
from tests.conftest import builtin, make_client, make_therapist, make_visit

PERSONAL = ("Maya", "Lindqvist", "maya@example.com", "0412 345 678")


@pytest.fixture
def history(client_, therapist, colleague, client):
    """Maya: two visits with homework (one with Jo), one without, check-ins, a live link
    opened once."""
    client_.phone = "0412 345 678"
    client_.save()
    today = timezone.localdate()
    first = make_visit(client_, "headaches", therapist=therapist, date=today - datetime.timedelta(weeks=2))
    first.assign(builtin("tennis-ball-suboccipital-release"), note="Before bed, two minutes")
    second = make_visit(client_, "rounded-desk-shoulders", therapist=colleague, date=today - datetime.timedelta(days=1))
    pec = second.assign(builtin("doorway-pec-stretch"), hold_seconds=45)
    make_visit(client_, therapist=therapist, date=today)  # started, no homework yet
    CheckIn.objects.create(item=pec, day=today - datetime.timedelta(days=1))
    CheckIn.objects.create(item=pec, day=today)
    path = ShareLink.issue(client_, by=therapist)
    client.get(path, REMOTE_ADDR="203.0.113.7")
    return path


def export(browser_client, client_) -> zipfile.ZipFile:
    """Ask for the export, let a worker make it, and download it."""
    asked = browser_client.post(reverse("clients:export", args=[client_.pk]))
    assert asked.status_code == 302
    run_queued_jobs()
    ready = browser_client.get(asked.url)
    assertContains(ready, "Download the zip")
    response = browser_client.get(reverse("clients:export-download", args=[client_.pk, ready.context["prepared"].pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith(f'attachment; filename="{client_.first_name.lower()}')
    assert "-aftercare-" in response["Content-Disposition"]
    return zipfile.ZipFile(io.BytesIO(response.content))


def pdf_text(data: bytes) -> str:
    return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages).split())


def test_the_export_holds_the_client_their_visits_homework_check_ins_and_history(as_therapist, client_, history):
    archive = export(as_therapist, client_)
    data = json.loads(archive.read("client.json"))
    assert data["client"]["first_name"] == "Maya"
    assert data["client"]["email"] == "maya@example.com"
    assert data["client"]["phone"] == "0412 345 678"
    assert data["clinic"] == "Harbour Lane Massage"
    assert [visit["therapist"] for visit in data["visits"]] == ["Robin Tester", "Jo Tester", "Robin Tester"]
    first, second, today = data["visits"]
    assert first["intake_complaints"] == ["Headaches"]
    [ball] = first["homework"]
    assert ball["exercise"] == builtin("tennis-ball-suboccipital-release").name
    assert ball["note"] == "Before bed, two minutes"
    assert ball["how_often"] == "Every day"
    [pec] = second["homework"]
    assert (pec["exercise"], pec["dose_details"]["hold_seconds"]) == (builtin("doorway-pec-stretch").name, 45)
    assert "hold 45 seconds" in pec["dose"]
    assert len(pec["ticked_off_on"]) == 2
    assert today["homework"] == []
    assert [link["status"] for link in data["links"]] == ["opens"]
    # Asking for the export is recorded before a worker makes it, so the zip says so too.
    assert [event["action"] for event in data["audit"]] == [Action.LINK_ISSUED, Action.LINK_OPENED, Action.EXPORTED]


def test_the_export_has_a_handout_for_each_visit_with_homework(as_therapist, client_, history):
    archive = export(as_therapist, client_)
    handouts = sorted(name for name in archive.namelist() if name.startswith("handouts/"))
    assert len(handouts) == 2  # the visit without homework has no handout
    first, second = (archive.read(name) for name in handouts)
    assert first.startswith(b"%PDF-") and second.startswith(b"%PDF-")
    assert builtin("tennis-ball-suboccipital-release").name in pdf_text(first)
    assert "Maya" in pdf_text(first)
    assert builtin("doorway-pec-stretch").name in pdf_text(second)


def test_the_export_never_holds_the_link_nor_makes_one(as_therapist, client_, history, clinic):
    token = history.split("/")[2]
    link = ShareLink.objects.get(client=client_)
    archive = export(as_therapist, client_)
    for name in archive.namelist():
        content = archive.read(name)
        text = pdf_text(content) if name.endswith(".pdf") else content.decode()
        assert token not in text and link.salt not in text and link.digest not in text, name
    lou = make_client(clinic, "Lou")
    make_visit(lou, "headaches").assign(builtin("doorway-pec-stretch"))
    export(as_therapist, lou)
    assert not ShareLink.objects.filter(client=lou).exists()


def test_the_page_says_preparing_until_a_worker_has_made_the_export(as_therapist, client_, history):
    asked = as_therapist.post(reverse("clients:export", args=[client_.pk]))
    prepared = PreparedFile.objects.get(client=client_)

    waiting = as_therapist.get(asked.url)
    assertContains(waiting, "Preparing…")
    assert waiting["Refresh"] == "2" and waiting["Cache-Control"] == "no-store, private"
    download = reverse("clients:export-download", args=[client_.pk, prepared.pk])
    assert as_therapist.get(download).url == asked.url  # nothing to download yet

    run_queued_jobs()

    ready = as_therapist.get(asked.url)
    assertContains(ready, "Download the zip")
    assert "Refresh" not in ready
    assert as_therapist.get(download)["Content-Type"] == "application/zip"


def test_the_download_expires_and_the_file_is_then_deleted(as_therapist, client_, history, django_capture_on_commit_callbacks):
    export(as_therapist, client_)
    prepared = PreparedFile.objects.get(client=client_)
    assert default_storage.exists(prepared.file)
    PreparedFile.objects.filter(pk=prepared.pk).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))

    response = as_therapist.get(reverse("clients:export-download", args=[client_.pk, prepared.pk]))
    assertContains(as_therapist.get(response.url), "This download has expired")
    with django_capture_on_commit_callbacks(execute=True):
        tasks.forget_expired_files.call(minute=timezone.now().isoformat())

    assert not PreparedFile.objects.exists()
    assert not default_storage.exists(prepared.file)


def test_an_export_of_a_client_deleted_before_it_is_made_ends_quietly(as_therapist, client_, history):
    as_therapist.post(reverse("clients:export", args=[client_.pk]))
    as_therapist.post(reverse("clients:delete", args=[client_.pk]), {"confirm": "Maya"})

    run_queued_jobs()  # raises if the job failed

    assert not PreparedFile.objects.exists()
    assert DBTaskResult.objects.get(task_path="aftercare.tasks.prepare_export").return_value == "client gone"


def test_exporting_is_recorded(as_colleague, client_, history):
    export(as_colleague, client_)
    event = AuditEvent.objects.for_client(client_).first()
    assert (event.action, event.actor_name) == (Action.EXPORTED, "Jo Tester")


def test_the_export_is_a_post_so_nothing_exports_by_merely_following_a_link(as_therapist, client_):
    assert as_therapist.get(reverse("clients:export", args=[client_.pk])).status_code == 405
    assert not AuditEvent.objects.exists()


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("route", ["clients:export", "clients:delete"])
def test_another_clinic_gets_404_and_nothing_happens(as_outsider, client_, history, route, method):
    before = AuditEvent.objects.count()
    response = getattr(as_outsider, method)(reverse(route, args=[client_.pk]), {"confirm": "Maya"})
    assert response.status_code == (404 if method == "post" or route == "clients:delete" else 405)
    assert Client.objects.filter(pk=client_.pk).exists()
    assert AuditEvent.objects.count() == before


def test_deleting_asks_first_and_says_what_will_go(as_therapist, client_, history):
    response = as_therapist.get(reverse("clients:delete", args=[client_.pk]))
    assertContains(response, "Delete Maya Lindqvist?")
    assertContains(response, "3 visits")
    assertContains(response, "2 homework items and 2 check-ins")
    assertContains(response, "1 link:")
    assert Client.objects.filter(pk=client_.pk).exists()


def test_a_wrong_name_deletes_nothing_and_says_why(as_therapist, client_, history):
    response = as_therapist.post(reverse("clients:delete", args=[client_.pk]), {"confirm": "Mia"})
    assert response.status_code == 400
    assertContains(response, "That isn&#x27;t “Maya”. Nothing was deleted", status_code=400)
    assertContains(response, 'value="Mia"', status_code=400)
    assert Client.objects.filter(pk=client_.pk).exists()
    response = as_therapist.post(reverse("clients:delete", args=[client_.pk]), {"confirm": ""})
    assert response.status_code == 400
    assert Client.objects.filter(pk=client_.pk).exists()


def test_deleting_removes_every_row_and_the_link_stops_opening(as_colleague, client, client_, history, clinic):
    lou = make_client(clinic, "Lou")
    make_visit(lou, "headaches").assign(builtin("doorway-pec-stretch"))
    pk = client_.pk
    response = as_colleague.post(reverse("clients:delete", args=[pk]), {"confirm": "  maya "})
    assert response["Location"] == reverse("clients:list")
    assert not Client.objects.filter(pk=pk).exists()
    assert not Visit.objects.filter(client_id=pk).exists()
    assert not HomeworkItem.objects.filter(visit__client_id=pk).exists()
    assert CheckIn.objects.count() == 0
    assert not ShareLink.objects.filter(client_id=pk).exists()
    assert not Client.equipment.through.objects.filter(client_id=pk).exists()
    assert Visit.complaints.through.objects.count() == 1  # Lou's visit only
    assert client.get(history).status_code == 404
    assert as_colleague.get(reverse("clients:detail", args=[pk])).status_code == 404
    # Lou and the library are untouched.
    assert HomeworkItem.objects.filter(visit__client=lou).count() == 1
    assert builtin("doorway-pec-stretch")


def test_the_audit_log_keeps_the_deletion_without_personal_data(as_colleague, client_, history):
    pk = client_.pk
    as_colleague.post(reverse("clients:delete", args=[pk]), {"confirm": "Maya"})
    deleted = AuditEvent.objects.get(action=Action.DELETED)
    assert deleted.sentence == f"Client #{pk} deleted by Jo Tester"
    assert deleted.client is None and deleted.client_number == pk
    earlier = AuditEvent.objects.filter(client_number=pk).exclude(action=Action.DELETED)
    assert {event.action for event in earlier} == {Action.LINK_ISSUED, Action.LINK_OPENED}
    assert all(event.client is None and event.detail == "" and event.address_hash == "" for event in earlier)
    everything = str(list(AuditEvent.objects.values()))
    assert not any(word in everything for word in PERSONAL)


def test_the_scrub_touches_only_the_deleted_clients_events(as_therapist, client_, history, clinic, therapist):
    lou = make_client(clinic, "Lou")
    kept = audit.record(lou, Action.ITEM_ASSIGNED, by=therapist, detail="Doorway chest stretch")
    as_therapist.post(reverse("clients:delete", args=[client_.pk]), {"confirm": "Maya"})
    kept.refresh_from_db()
    assert (kept.client, kept.detail) == (lou, "Doorway chest stretch")


def test_no_file_belongs_to_a_client(client_, history):
    """Pictures belong to exercises and logos to clinics: nothing a client deletion removes
    has a file, so no file can outlive its client. A file field added later on anything
    a client owns fails this, and deleting must then remove the file too."""
    collector = Collector(using="default")
    collector.collect([client_])
    removed = set(collector.data) | {qs.model for qs in collector.fast_deletes}
    assert Visit in removed and ShareLink in removed and CheckIn in removed
    with_files = [
        model.__name__
        for model in removed
        if any(isinstance(field, models.FileField) for field in model._meta.get_fields())
    ]
    assert with_files == []
    # And the models with files are all kept when a client goes.
    owners = {m for m in apps.get_models() if any(isinstance(f, models.FileField) for f in m._meta.get_fields())}
    assert {m.__name__ for m in owners} == {"Clinic", "ExercisePicture"}


def test_a_therapist_removed_from_the_team_cannot_delete(client, client_, clinic):
    gone = make_therapist(clinic, "alex")
    gone.remove()
    gone.user.is_active = True  # even if the login somehow still works
    gone.user.save()
    client.force_login(gone.user)
    assert client.post(reverse("clients:delete", args=[client_.pk]), {"confirm": "Maya"}).status_code == 403
    assert Client.objects.filter(pk=client_.pk).exists()


@pytest.mark.django_db(transaction=True)
def test_an_opening_of_the_link_while_the_client_is_deleted_is_a_404_and_the_delete_goes_through(
    as_therapist, clinic, monkeypatch
):
    """The therapist deletes Maya while Maya's phone opens her link: the delete holds her
    row, the opening waits, then finds her gone. Neither side fails, and no opening with an
    address hash slips in after the log was scrubbed."""
    maya = make_client(clinic, "Maya")
    path = ShareLink.issue(maya)
    scrubbed, outcome = threading.Event(), {}
    scrub_and_record = audit.client_deleted

    def slow_client_deleted(client, *, by):
        event = scrub_and_record(client, by=by)
        scrubbed.set()
        time.sleep(0.5)  # the phone's request arrives now, inside the delete's transaction
        return event

    monkeypatch.setattr(audit, "client_deleted", slow_client_deleted)

    def delete():
        try:
            outcome["delete"] = as_therapist.post(reverse("clients:delete", args=[maya.pk]), {"confirm": "Maya"}).status_code
        finally:
            connection.close()

    deleting = threading.Thread(target=delete)
    deleting.start()
    assert scrubbed.wait(10)
    response = Browser().get(path)
    deleting.join(30)

    assert outcome["delete"] == 302
    assert response.status_code == 404
    assert not Client.objects.filter(pk=maya.pk).exists()
    assert not AuditEvent.objects.filter(client_number=maya.pk, action=Action.LINK_OPENED, address_hash__gt="").exists()


def test_a_head_request_is_not_an_opening(client, client_):
    path = ShareLink.issue(client_)
    assert client.head(path).status_code == 200
    assert not AuditEvent.objects.openings().filter(client=client_).exists()
    client.get(path)
    assert AuditEvent.objects.openings().filter(client=client_).count() == 1
