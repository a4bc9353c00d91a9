"""Issue 17, item 3: requests that meet answer a clear page, never a 500. Each race is
run with threads, each with its own database connection, on SQLite and on PostgreSQL
(DATABASE_URL): ten "Replace link" at once, deleting a visit while an item is added to it
(either one first), and an export while the same client is deleted."""

import threading
import time

import pytest
from django.db import close_old_connections, connection
from django.db.models.signals import pre_delete
from django.test import Client as Browser
from django.urls import reverse

from aftercare import handouts
from aftercare.forms import HomeworkItemForm
from aftercare.models import HomeworkItem, ShareLink, Visit
from clients.models import Client
from tests.conftest import builtin, make_client, make_visit

pytestmark = pytest.mark.django_db(transaction=True)


def logged_in(therapist) -> Browser:
    browser = Browser(raise_request_exception=False)  # a 500 is an answer here, to be counted
    browser.force_login(therapist.user)
    return browser


def in_thread(fn, *args) -> threading.Thread:
    def run():
        try:
            fn(*args)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def test_ten_replace_link_clicks_at_once_give_one_new_link_and_no_error(clinic, therapist):
    maya = make_client(clinic, "Maya")
    visit = make_visit(maya, "headaches", therapist=therapist)
    shown = ShareLink.current(maya)
    browsers = [logged_in(therapist) for _ in range(10)]
    start, statuses = threading.Barrier(10), []

    def replace(browser):
        start.wait()
        # What the visit page's button sends: which link it is replacing.
        statuses.append(browser.post(reverse("aftercare:link-replace", args=[visit.pk]), {"link": shown.pk}).status_code)

    threads = [in_thread(replace, browser) for browser in browsers]
    for thread in threads:
        thread.join(60)
    close_old_connections()

    assert statuses == [302] * 10
    live = ShareLink.objects.filter(client=maya, revoked_at__isnull=True)
    assert live.count() == 1 and live.get().pk != shown.pk
    assert ShareLink.objects.filter(client=maya).count() == 2  # the old one and one new one
    assert browsers[0].get(live.get().path).status_code == 200


def test_replace_after_turning_the_link_off_makes_one_new_link(clinic, therapist):
    maya = make_client(clinic, "Maya")
    visit = make_visit(maya, "headaches", therapist=therapist)
    off = ShareLink.current(maya)
    off.revoke()
    browser = logged_in(therapist)
    for _ in range(2):  # a double-click
        response = browser.post(reverse("aftercare:link-replace", args=[visit.pk]), {"link": off.pk})
        assert response.status_code == 302
    assert ShareLink.objects.filter(client=maya, revoked_at__isnull=True).count() == 1
    assert ShareLink.objects.filter(client=maya).count() == 2


def item_form(exercise) -> dict:
    fields = exercise.dose() | {"how_often": exercise.how_often, "note": ""}
    return {name: value for name, value in fields.items() if value is not None}


def assert_deleted_cleanly(visit: Visit, response) -> None:
    assert response.status_code in (302, 400, 404), response.status_code
    if response.status_code == 400:
        assert "deleted" in response.content.decode()
    assert not Visit.objects.filter(pk=visit.pk).exists()
    assert not HomeworkItem.objects.filter(visit_id=visit.pk).exists()


def test_a_visit_deleted_while_an_item_is_being_added_ends_in_a_clear_answer(clinic, therapist, monkeypatch):
    """The add has checked its form when the delete goes through; then it saves."""
    visit = make_visit(make_client(clinic, "Maya"), "headaches", therapist=therapist)
    adder, deleter = logged_in(therapist), logged_in(therapist)
    outcome = {}
    details = HomeworkItemForm.details

    def delete_first(form):
        thread = in_thread(lambda: outcome.setdefault("delete", deleter.post(reverse("aftercare:visit-delete", args=[visit.pk]))))
        thread.join(30)
        return details(form)

    monkeypatch.setattr(HomeworkItemForm, "details", delete_first)
    exercise = builtin("chin-tucks")
    response = adder.post(reverse("aftercare:item-add", args=[visit.pk, exercise.pk]), item_form(exercise))

    assert outcome["delete"].status_code == 302
    assert_deleted_cleanly(visit, response)


def test_an_item_added_while_the_visit_is_being_deleted_ends_in_a_clear_answer(clinic, therapist):
    """The delete has begun (it found no homework) when the add arrives."""
    visit = make_visit(make_client(clinic, "Maya"), "headaches", therapist=therapist)
    adder, deleter = logged_in(therapist), logged_in(therapist)
    exercise = builtin("chin-tucks")
    outcome, threads = {}, []

    def add():
        outcome["add"] = adder.post(reverse("aftercare:item-add", args=[visit.pk, exercise.pk]), item_form(exercise))

    def add_meanwhile(sender, instance, **kwargs):
        if isinstance(instance, Visit) and not threads:
            threads.append(in_thread(add))
            time.sleep(0.7)  # the add runs now, in the middle of the delete

    pre_delete.connect(add_meanwhile, dispatch_uid="race")
    try:
        response = deleter.post(reverse("aftercare:visit-delete", args=[visit.pk]))
        threads[0].join(30)
    finally:
        pre_delete.disconnect(dispatch_uid="race")
    close_old_connections()

    assert response.status_code == 302
    assert_deleted_cleanly(visit, outcome["add"])


def test_an_export_while_the_client_is_deleted_ends_cleanly(clinic, therapist, monkeypatch):
    maya = make_client(clinic, "Maya")
    make_visit(maya, "headaches", therapist=therapist).assign(builtin("chin-tucks"))
    exporter, deleter = logged_in(therapist), logged_in(therapist)
    outcome = {}
    visit_pdf = handouts.visit_pdf

    def delete_meanwhile(visit, **kwargs):
        if "delete" not in outcome:
            post = lambda: outcome.setdefault("delete", deleter.post(reverse("clients:delete", args=[maya.pk]), {"confirm": "Maya"}))
            in_thread(post).join(30)
        return visit_pdf(visit, **kwargs)

    monkeypatch.setattr(handouts, "visit_pdf", delete_meanwhile)
    response = exporter.post(reverse("clients:export", args=[maya.pk]), follow=True)

    assert outcome["delete"].status_code == 302
    assert not Client.objects.filter(pk=maya.pk).exists()
    assert response.status_code in (200, 404)
    assert response.get("Content-Type", "").startswith("text/html")  # no zip of a deleted client
    if response.status_code == 200:
        assert "deleted" in response.content.decode()
