"""Handouts printed ahead by a worker: a visit's when it is wrapped up, the day's stack when
the day page opens. "Print" answers from that file while nothing it shows has changed;
after any change it prints afresh (never a stale file); one not made yet is made on the
spot. The stamp follows every table a handout reads, derived from the handout's own
queries."""

import io
import re

import pytest
from django.apps import apps
from django.db import connection
from django.test import Client as Browser
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_tasks_db.models import DBTaskResult
from pypdf import PdfReader

from aftercare import handouts
from aftercare.models import ShareLink, Visit
from aftercare.prepared import Kind, PreparedFile
from aftercare.worker import run_queued_jobs
from exercises.images import clean_upload
from tests.conftest import builtin
from tests.imagefiles import photo_bytes, upload


def text(pdf: bytes) -> str:
    return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages).split())


@pytest.fixture
def wrapped_up(as_therapist, visit):
    visit.assign(builtin("tennis-ball-suboccipital-release"), note="Two minutes before bed")
    ShareLink.issue(visit.client)
    response = as_therapist.post(reverse("aftercare:visit-wrap-up", args=[visit.pk]), {"rebook_weeks": "3", "next_goal": ""})
    assert response.status_code == 302
    return visit


def handout(as_therapist, visit) -> bytes:
    response = as_therapist.get(reverse("aftercare:visit-handout", args=[visit.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    return response.content


def test_print_answers_from_the_handout_a_worker_made_when_the_visit_was_wrapped_up(as_therapist, wrapped_up):
    assert not PreparedFile.objects.exists()

    run_queued_jobs()

    prepared = PreparedFile.objects.get(kind=Kind.VISIT_HANDOUT, visit=wrapped_up)
    assert prepared.is_ready
    assert handout(as_therapist, wrapped_up) == prepared.read()
    assert PreparedFile.objects.count() == 1


def change_the_note(visit):
    item = visit.items.get()
    item.note = "Now three minutes, after the shower"
    item.save()
    return "Now three minutes, after the shower"


def add_a_picture(visit):
    own = builtin("doorway-pec-stretch").copy_for(visit.client.clinic)
    own.add_pictures([clean_upload(upload(photo_bytes()))])
    visit.assign(own)
    return own.name


def rename_the_clinic(visit):
    clinic = visit.client.clinic
    clinic.name = "Harbour Lane Bodywork"
    clinic.save()
    return "Harbour Lane Bodywork"


def replace_the_link(visit):
    return ShareLink.replace(visit.client).path.split("/")[2][:6]


def change_the_red_flags(visit):
    complaint = visit.complaints.first()
    complaint.red_flags = "A headache unlike any before"
    complaint.save()
    return "unlike any before"


def tick_another_complaint(visit):
    from exercises.models import Complaint

    calves = Complaint.objects.get(slug="runners-calves")
    calves.red_flags = "A calf that is hot and swollen"
    calves.save()
    visit.complaints.add(calves)
    return "hot and swollen"


def rename_the_client(visit):
    visit.client.first_name = "Mayana"
    visit.client.save()
    return "Mayana's homework"


def take_an_item_off(visit):
    visit.assign(builtin("doorway-pec-stretch"))
    item = visit.items.get(exercise__slug="tennis-ball-suboccipital-release")
    item.delete()
    return "Doorway"


def change_the_visits_goal(visit):
    Visit.objects.filter(pk=visit.pk).update(next_goal="Turn your head to check the mirror")
    Visit.objects.get(pk=visit.pk).save()  # updated_at, as a form's save does
    return "check the mirror"


def turn_off_the_link(visit):
    ShareLink.objects.get(client=visit.client, revoked_at=None).revoke()
    return None  # no QR code: checked below


@pytest.mark.parametrize(
    "change",
    [change_the_note, add_a_picture, rename_the_clinic, replace_the_link, change_the_red_flags, tick_another_complaint,
     rename_the_client, take_an_item_off, change_the_visits_goal, turn_off_the_link],
)
def test_a_change_after_the_handout_was_made_is_never_printed_stale(as_therapist, wrapped_up, change):
    run_queued_jobs()
    before = handout(as_therapist, wrapped_up)

    shows = change(wrapped_up)
    after = handout(as_therapist, wrapped_up)

    assert after != before
    if shows is None:
        pass  # the link turned off: the page differs, and no link prints (tests/test_handouts.py)
    elif change is replace_the_link:
        assert ShareLink.objects.filter(client=wrapped_up.client, revoked_at=None).count() == 1
    else:
        assert shows in text(after) and shows not in text(before)
    # The new one is kept for the next print, the stale one is gone.
    [prepared] = PreparedFile.objects.filter(kind=Kind.VISIT_HANDOUT, visit=wrapped_up)
    assert prepared.read() == after


def test_print_serves_the_ready_file_after_one_query_and_a_change_makes_it_again(
        as_therapist, wrapped_up, django_assert_num_queries):
    run_queued_jobs()
    url = reverse("aftercare:visit-handout", args=[wrapped_up.pk])
    with django_assert_num_queries(3 + 1):  # logged in; the sources mark with the ready file
        before = as_therapist.get(url).content
    assert before == PreparedFile.objects.get(visit=wrapped_up).read()

    change_the_note(wrapped_up)
    after = as_therapist.get(url).content  # the full way: made again, and its mark kept
    with django_assert_num_queries(3 + 1):
        assert as_therapist.get(url).content == after != before


def test_the_days_stack_is_never_served_stale_either(as_therapist, wrapped_up):
    date = wrapped_up.date.isoformat()
    as_therapist.get(reverse("aftercare:day"), {"date": date})
    run_queued_jobs()
    before = as_therapist.get(reverse("aftercare:day-handouts"), {"date": date}).content
    assert before == PreparedFile.objects.get(kind=Kind.DAY_HANDOUTS).read()

    shows = change_the_note(wrapped_up)
    after = as_therapist.get(reverse("aftercare:day-handouts"), {"date": date}).content

    assert shows in text(after) and shows not in text(before)


def test_another_clinics_visit_is_never_served_from_its_ready_file(as_therapist, outsider, wrapped_up):
    run_queued_jobs()
    assert PreparedFile.objects.filter(visit=wrapped_up).exists()
    browser = Browser()
    browser.force_login(outsider.user)
    assert browser.get(reverse("aftercare:visit-handout", args=[wrapped_up.pk])).status_code == 404


def test_a_handout_not_made_yet_is_made_on_the_spot_and_kept(as_therapist, wrapped_up):
    pdf = handout(as_therapist, wrapped_up)  # no worker has run

    assert "Two minutes before bed" in text(pdf)
    assert PreparedFile.objects.get(visit=wrapped_up).read() == pdf


def test_opening_the_day_page_has_a_worker_print_the_days_handouts(as_therapist, wrapped_up):
    date = wrapped_up.date.isoformat()
    assert as_therapist.get(reverse("aftercare:day"), {"date": date}).status_code == 200

    run_queued_jobs()

    stack = PreparedFile.objects.get(kind=Kind.DAY_HANDOUTS, date=wrapped_up.date)
    response = as_therapist.get(reverse("aftercare:day-handouts"), {"date": date})
    assert response.content == stack.read()
    assert PreparedFile.objects.filter(kind=Kind.VISIT_HANDOUT, visit=wrapped_up).exists()


def test_the_day_page_opened_again_makes_nothing_twice(as_therapist, wrapped_up):
    date = wrapped_up.date.isoformat()
    as_therapist.get(reverse("aftercare:day"), {"date": date})
    run_queued_jobs()
    made = {prepared.pk: prepared.file for prepared in PreparedFile.objects.all()}

    as_therapist.get(reverse("aftercare:day"), {"date": date})
    run_queued_jobs()

    assert {prepared.pk: prepared.file for prepared in PreparedFile.objects.all()} == made
    results = list(DBTaskResult.objects.filter(task_path="aftercare.tasks.prepare_day_handouts")
                   .order_by("enqueued_at").values_list("return_value", flat=True))
    assert results == ["made", "ready already"]


def test_a_job_for_a_visit_deleted_meanwhile_ends_quietly(as_therapist, wrapped_up):
    wrapped_up.client.delete()

    run_queued_jobs()  # raises if a job failed

    assert DBTaskResult.objects.get().return_value == "visit gone"
    assert not PreparedFile.objects.exists()


TABLES = sorted({model._meta.db_table for model in apps.get_models(include_auto_created=True)}, key=len, reverse=True)


def tables_in(sql: str) -> set[str]:
    return {table for table in TABLES if re.search(rf'(?<![\w"]){table}(?![\w])|"{table}"', sql)}


def test_every_table_a_handout_reads_is_in_its_stamp(visit, clinic):
    own = builtin("doorway-pec-stretch").copy_for(clinic)
    own.add_pictures([clean_upload(upload(photo_bytes()))])
    visit.assign(own)
    visit.assign(builtin("tennis-ball-suboccipital-release"))
    ShareLink.issue(visit.client)
    with CaptureQueriesContext(connection) as queries:
        loaded = handouts.visits_with_items(Visit.objects.filter(pk=visit.pk)).get()
        handouts.visit_pdf(loaded)
    reads = set().union(*(tables_in(q["sql"]) for q in queries.captured_queries if q["sql"].lstrip().upper().startswith("SELECT")))
    stamped = {apps.get_model(model)._meta.db_table if isinstance(model, str) else model._meta.db_table for model in handouts.STAMPED}

    assert {"aftercare_homeworkitem", "exercises_exercise", "exercises_exercisepicture", "aftercare_sharelink"} <= reads
    assert reads - stamped - set(handouts.NOT_STAMPED) == set()
    assert set(handouts.NOT_STAMPED) <= set(TABLES)
    # The one query "Print" asks first reads every table the stamp follows.
    with CaptureQueriesContext(connection) as queries:
        handouts.visit_sources(visit.pk, site_url="http://testserver")
    assert stamped <= tables_in(queries.captured_queries[0]["sql"])
