"""The client's cached page follows everything it shows: the tables the page's own queries
read are all part of its change stamp (aftercare/link_page.py), or named in NOT_STAMPED
with the reason. Derived from the queries themselves, so adding a table to the page
without adding it to the stamp fails here, not in a client's stale page."""

import re

from django.apps import apps
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from aftercare import link_page
from aftercare.models import CheckIn, ShareLink
from exercises.images import clean_upload
from tests.conftest import builtin, make_client
from tests.imagefiles import photo_bytes, upload

TABLES = sorted({model._meta.db_table for model in apps.get_models(include_auto_created=True)}, key=len, reverse=True)


def tables_in(sql: str) -> set[str]:
    return {table for table in TABLES if re.search(rf'(?<![\w"]){table}(?![\w])|"{table}"', sql)}


def tables_the_page_reads(client_id: int, token: str) -> set[str]:
    with CaptureQueriesContext(connection) as queries:
        context = link_page.page_context(client_id, token, timezone.localdate())
        render_to_string("link/homework.html", context)
    reads = [query["sql"] for query in queries.captured_queries if query["sql"].lstrip().upper().startswith("SELECT")]
    assert reads, "the page read nothing: the capture missed it"
    return set().union(*(tables_in(sql) for sql in reads))


def unstamped(page_tables: set[str]) -> set[str]:
    return page_tables - tables_in(link_page.LOOKUP_SQL) - set(link_page.NOT_STAMPED)


def test_every_table_the_page_reads_is_in_its_change_stamp(visit, clinic):
    own = builtin("doorway-pec-stretch").copy_for(clinic)
    own.add_pictures([clean_upload(upload(photo_bytes(), "pec.jpg"))])
    item = visit.assign(own)
    CheckIn.objects.create(item=item, day=timezone.localdate())
    token = ShareLink.issue(visit.client).split("/")[2]
    page_tables = tables_the_page_reads(visit.client_id, token)
    # What the page is made of is really read: the homework, the exercise and its picture.
    assert {"aftercare_homeworkitem", "exercises_exercise", "exercises_exercisepicture", "aftercare_checkin"} <= page_tables
    assert unstamped(page_tables) == set()


def test_a_client_with_no_homework_yet_reads_only_stamped_tables(clinic):
    client = make_client(clinic, "Ana")
    token = ShareLink.issue(client).split("/")[2]
    page_tables = tables_the_page_reads(client.pk, token)
    assert {"clients_client", "clients_clinic"} <= page_tables
    assert unstamped(page_tables) == set()


def test_a_table_the_stamp_leaves_out_is_caught():
    # The check itself can fail: a page reading the invites table would not be followed.
    assert unstamped({"clients_invite", "aftercare_homeworkitem"}) == {"clients_invite"}
    assert tables_in('SELECT 1 FROM "aftercare_homeworkitem" JOIN aftercare_visit v') == {
        "aftercare_homeworkitem", "aftercare_visit"
    }


def test_every_reason_to_leave_a_table_out_names_a_real_table():
    assert set(link_page.NOT_STAMPED) <= set(TABLES)
