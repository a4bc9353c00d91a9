""""Print" by a signed address (aftercare/printing.py): the visit page and the day page link
to a short-lived address bound to the browser's session, answered from the ready file in
one query, before sessions and logins. Whatever it can't answer (an address expired,
tampered with or replayed from another browser, a visit changed or deleted, a therapist
taken off the team) goes the authenticated way: made on the spot, 404 for another clinic's,
a login for nobody logged in; never a stale file, never another clinic's, never a 500."""

import io
import re

import pytest
from django.core import signing
from django.core.files.storage import default_storage
from django.test import Client as Browser
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from aftercare import printing, tasks
from aftercare.models import ShareLink
from aftercare.prepared import Kind, PreparedFile
from aftercare.storage import PREPARED
from aftercare.worker import run_queued_jobs
from tests.conftest import builtin, log_in, make_client, make_visit
from tests.pdfs import clicked_pdf, read_pdf
from tests.test_object_storage import bucket, keys  # noqa: F401  (the fixture, used by name)

LOGGED_IN = 3  # session, user, therapist with clinic: what the signed address does without


def text(pdf: bytes) -> str:
    return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages).split())


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def logged_in(user) -> Browser:
    browser = Browser()
    browser.force_login(user)
    return browser


@pytest.fixture
def prepared(as_therapist, visit):
    """The visit wrapped up and the day page opened, and the worker's handout and stack made."""
    visit.assign(builtin("tennis-ball-suboccipital-release"), note="Two minutes before bed")
    ShareLink.issue(visit.client)
    as_therapist.post(reverse("aftercare:visit-wrap-up", args=[visit.pk]), {"rebook_weeks": "3", "next_goal": ""})
    as_therapist.get(reverse("aftercare:day"), {"date": visit.date.isoformat()})
    run_queued_jobs()
    assert {prepared.kind for prepared in PreparedFile.objects.all()} == {Kind.VISIT_HANDOUT, Kind.DAY_HANDOUTS}
    return visit


def print_link(browser, visit) -> str:
    page = browser.get(reverse("aftercare:visit-detail", args=[visit.pk])).content.decode()
    return re.search(r'href="([^"]+)">Print handout<', page)[1]


def day_link(browser, date) -> str:
    page = browser.get(reverse("aftercare:day"), {"date": date.isoformat()}).content.decode()
    return re.search(r'href="([^"]+)">Print the day\'s handouts', page)[1]


def test_print_on_the_visit_page_serves_the_ready_handout_in_one_query(as_therapist, prepared, django_assert_num_queries):
    address = print_link(as_therapist, prepared)
    assert address.startswith("/print/visit.") and address.endswith(".pdf")

    with django_assert_num_queries(1):  # the sources mark with the ready file, and the therapist still in the clinic
        response = as_therapist.get(address)

    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    pdf = body(response)
    assert pdf == PreparedFile.objects.get(kind=Kind.VISIT_HANDOUT, visit=prepared).read()
    assert response["Content-Disposition"] == 'inline; filename="maya-{:%Y-%m-%d}-homework.pdf"'.format(prepared.date)
    assert response["Cache-Control"] == "private, no-store"
    # The same headers as the authenticated address.
    authenticated = as_therapist.get(reverse("aftercare:visit-handout", args=[prepared.pk]))
    assert authenticated["Content-Disposition"] == response["Content-Disposition"]
    assert authenticated.content == pdf


def test_print_on_the_day_page_serves_the_ready_stack_in_one_query(as_therapist, prepared, django_assert_num_queries):
    address = day_link(as_therapist, prepared.date)
    assert address.startswith("/print/day.")
    # Each visit's own handout on the day page is signed too.
    page = as_therapist.get(reverse("aftercare:day"), {"date": prepared.date.isoformat()}).content.decode()
    assert f"/print/visit.{prepared.pk}." in page

    with django_assert_num_queries(1):
        response = as_therapist.get(address)

    assert body(response) == PreparedFile.objects.get(kind=Kind.DAY_HANDOUTS).read()
    assert response["Content-Disposition"] == 'inline; filename="handouts-{:%Y-%m-%d}.pdf"'.format(prepared.date)
    assert response["Cache-Control"] == "private, no-store"


def test_a_colleague_prints_by_their_own_address_and_by_the_therapists_the_long_way(
        as_therapist, colleague, prepared, django_assert_num_queries):
    theirs = logged_in(colleague.user)
    own, robins = print_link(theirs, prepared), print_link(as_therapist, prepared)
    assert own != robins
    with django_assert_num_queries(1):
        assert theirs.get(own).status_code == 200

    # Robin's address in Jo's browser: not Jo's session, so logged in and checked as usual.
    with django_assert_num_queries(LOGGED_IN + 1):
        response = theirs.get(robins)
    assert response.status_code == 200 and body(response).startswith(b"%PDF")


def test_an_outsider_gets_404_with_the_address_and_with_it_tampered(as_therapist, outsider, prepared):
    address = print_link(as_therapist, prepared)
    theirs = logged_in(outsider.user)

    assert theirs.get(address).status_code == 404
    # The clinic and therapist in the address swapped for the outsider's own: the signature fails.
    signed = address.removeprefix("/print/").partition(":")[2]
    mine = f"/print/visit.{prepared.pk}.{outsider.clinic_id}.{outsider.pk}:{signed}"
    assert theirs.get(mine).status_code == 404


def test_nobody_logged_in_is_sent_to_log_in(as_therapist, prepared):
    address = print_link(as_therapist, prepared)
    response = Browser().get(address)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_the_address_replayed_in_another_browser_of_the_same_login_takes_the_long_way(
        as_therapist, therapist, prepared, django_assert_num_queries):
    address = print_link(as_therapist, prepared)
    other_browser = logged_in(therapist.user)  # another session, the same person

    with django_assert_num_queries(LOGGED_IN + 1):
        response = other_browser.get(address)

    assert response.status_code == 200
    assert printing.verified(other_browser.get("/").wsgi_request, address.removeprefix("/print/")[:-4]) is None


def test_an_expired_address_takes_the_long_way_and_never_fails(as_therapist, prepared, monkeypatch, django_assert_num_queries):
    real_time = signing.time.time
    with monkeypatch.context() as earlier:
        earlier.setattr(signing.time, "time", lambda: real_time() - (printing.PRINT_ADDRESS_MINUTES * 60 + 5))
        address = print_link(as_therapist, prepared)
        day = day_link(as_therapist, prepared.date)

    with django_assert_num_queries(LOGGED_IN + 1):
        response = as_therapist.get(address)
    assert response.status_code == 200 and response.content == PreparedFile.objects.get(visit=prepared).read()
    assert as_therapist.get(day).status_code == 200
    assert Browser().get(address).status_code == 302  # nobody logged in: to the login page, not a 500


@pytest.mark.parametrize("address", [
    "visit.x.1.1:1abc:forged",
    "day.2026-13-45.1.1:1abc:forged",  # a date that doesn't exist
    "day.1999-12-31.1.1:1abc:forged",  # nor one the day page takes
    "week.2026-11-23.1.1:1abc:forged",
    "nothing",
])
def test_an_address_that_names_nothing_is_a_404_not_a_500(as_therapist, prepared, address):
    assert as_therapist.get(f"/print/{address}.pdf").status_code == 404


def test_an_unsigned_address_prints_only_the_long_way_and_only_the_clinics_own(
        as_therapist, outsider, prepared, django_assert_num_queries):
    unsigned = f"/print/day.{prepared.date:%Y-%m-%d}.{outsider.clinic_id}.{outsider.pk}.pdf"
    with django_assert_num_queries(LOGGED_IN + 1):
        response = as_therapist.get(unsigned)  # the day of the clinic Robin is in, whatever the address says
    assert response.status_code == 200 and "Maya's homework" in text(body(response))
    other = make_visit(make_client(outsider.clinic, "Olu"), "headaches", therapist=outsider)
    assert as_therapist.get(f"/print/visit.{other.pk}.{outsider.clinic_id}.{outsider.pk}.pdf").status_code == 404


def test_a_tampered_signature_takes_the_long_way(as_therapist, prepared, django_assert_num_queries):
    address = print_link(as_therapist, prepared)
    tampered = address[:-5] + ("A" if address[-5] != "A" else "B") + ".pdf"

    with django_assert_num_queries(LOGGED_IN + 1):
        assert as_therapist.get(tampered).status_code == 200


def test_a_change_to_the_visit_is_never_printed_from_the_old_file(as_therapist, prepared):
    address = print_link(as_therapist, prepared)
    before = body(as_therapist.get(address))
    item = prepared.items.get()
    item.note = "Now three minutes, after the shower"
    item.save()

    after = body(as_therapist.get(address))  # the same address, still fresh: made again

    assert "after the shower" in text(after) and "after the shower" not in text(before)
    assert PreparedFile.objects.get(kind=Kind.VISIT_HANDOUT, visit=prepared).read() == after


def test_a_change_to_a_visit_of_the_day_is_never_printed_from_the_old_stack(as_therapist, prepared):
    address = day_link(as_therapist, prepared.date)
    before = body(as_therapist.get(address))
    other = make_visit(make_client(prepared.client.clinic, "Ines"), "headaches", therapist=prepared.therapist,
                       date=prepared.date)
    other.assign(builtin("doorway-pec-stretch"))

    after = body(as_therapist.get(address))

    assert "Ines's homework" in text(after) and "Ines" not in text(before)


def test_a_deleted_visit_is_a_404(as_therapist, prepared):
    address = print_link(as_therapist, prepared)
    prepared.delete()

    assert as_therapist.get(address).status_code == 404


def test_a_therapist_taken_off_the_team_prints_nothing_more_at_once(as_therapist, therapist, colleague, prepared):
    address = print_link(as_therapist, prepared)
    type(therapist).objects.filter(pk=therapist.pk).update(removed_at=timezone.now())

    response = as_therapist.get(address)

    assert response.status_code == 403


def test_a_missing_file_is_made_on_the_spot(as_therapist, prepared):
    address = print_link(as_therapist, prepared)
    ready = PreparedFile.objects.get(kind=Kind.VISIT_HANDOUT, visit=prepared)
    default_storage.delete(ready.file)

    response = as_therapist.get(address)

    assert response.status_code == 200 and "Two minutes before bed" in text(body(response))


def test_an_address_made_before_a_key_rotation_still_prints_from_the_ready_file(
        as_therapist, prepared, settings, django_assert_num_queries):
    address = print_link(as_therapist, prepared)
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "a-new-key-" + "x" * 50

    with django_assert_num_queries(1):
        assert as_therapist.get(address).status_code == 200


def test_print_streams_the_ready_file_from_the_bucket(as_therapist, visit, bucket, seaweedfs, django_assert_num_queries):  # noqa: F811
    visit.assign(builtin("tennis-ball-suboccipital-release"), note="Two minutes before bed")
    ShareLink.issue(visit.client)
    as_therapist.post(reverse("aftercare:visit-wrap-up", args=[visit.pk]), {"rebook_weeks": "3", "next_goal": ""})
    run_queued_jobs()
    ready = PreparedFile.objects.get(kind=Kind.VISIT_HANDOUT, visit=visit)
    assert ready.file in keys(seaweedfs, bucket) and ready.file.startswith(PREPARED)

    address = print_link(as_therapist, visit)
    with django_assert_num_queries(1):
        response = as_therapist.get(address)

    pdf = body(response)
    assert pdf == ready.read() and "Two minutes before bed" in text(pdf)


@pytest.mark.browser
def test_clicking_print_on_the_visit_page_gets_the_ready_pdf(page, live_server, therapist, visit):
    visit.assign(builtin("tennis-ball-suboccipital-release"), note="Two minutes before bed")
    ShareLink.issue(visit.client)
    tasks.prepare_visit_handout.enqueue(visit.pk, live_server.url)  # as wrapping the visit up does
    run_queued_jobs()
    ready = PreparedFile.objects.get(kind=Kind.VISIT_HANDOUT, visit=visit)
    log_in(page, "robin")
    page.goto(reverse("aftercare:visit-detail", args=[visit.pk]))
    link = page.get_by_role("link", name="Print handout")
    assert link.get_attribute("href").startswith(f"/print/visit.{visit.pk}.")

    pdf = clicked_pdf(page, link)

    assert pdf == ready.read()
    count, words = read_pdf(pdf, "print-address-visit-handout")
    assert count == 1 and "Maya's homework" in words and "Two minutes before bed" in words
    assert list(PreparedFile.objects.values_list("pk", flat=True)) == [ready.pk]  # served, not made again


def test_a_file_gone_from_the_bucket_is_made_on_the_spot(as_therapist, visit, bucket, seaweedfs):  # noqa: F811
    visit.assign(builtin("tennis-ball-suboccipital-release"), note="Two minutes before bed")
    ShareLink.issue(visit.client)
    as_therapist.post(reverse("aftercare:visit-wrap-up", args=[visit.pk]), {"rebook_weeks": "3", "next_goal": ""})
    run_queued_jobs()
    address = print_link(as_therapist, visit)
    default_storage.delete(PreparedFile.objects.get(kind=Kind.VISIT_HANDOUT, visit=visit).file)

    response = as_therapist.get(address)

    assert response.status_code == 200 and "Two minutes before bed" in text(body(response))
