"""Issue 17, item 6 (caching): nothing a logged-in person sees, and no PDF or export, may
be kept by a cache on the way or by the browser: the visit page shows the client's live
link and its QR code, the client page their name and history. One middleware says
`Cache-Control: private, no-store` on each; this walks every page of the pinned list
(tests/test_query_counts.py: a new page is there or that test fails)."""

import pytest
from django.urls import reverse

from tests.test_query_counts import PAGES, world  # noqa: F401  (the fixture, used by name)

STAFF_PAGES = sorted(name for name, (_url, logged_in, _n, _what) in PAGES.items() if logged_in)
FILES = sorted(name for name in PAGES if name.endswith(("handout", "handouts", "sheet", "reminders")))


def directives(response) -> set[str]:
    return {part.strip().split("=")[0] for part in response.get("Cache-Control", "").split(",") if part.strip()}


def assert_private_no_store(response) -> None:
    said = directives(response)
    assert {"private", "no-store"} <= said, response.get("Cache-Control")
    assert not said & {"public", "s-maxage"}


def test_the_walk_covers_the_pages_the_issue_names():
    for name in ["clients:detail", "aftercare:visit-detail", "aftercare:day", "aftercare:visit-handout",
                 "aftercare:day-handouts", "aftercare:exercise-sheet", "clinic:settings"]:
        assert name in STAFF_PAGES
    assert {"client-handout", "client-reminders"} <= set(FILES)


@pytest.mark.parametrize("name", STAFF_PAGES)
def test_every_page_for_logged_in_staff_is_private_and_not_stored(name, client, therapist, world):  # noqa: F811
    client.force_login(therapist.user)
    response = client.get(PAGES[name][0](world))
    assert response.status_code in (200, 302)
    assert_private_no_store(response)


@pytest.mark.parametrize("name", FILES)
def test_every_pdf_and_calendar_file_is_private_and_not_stored(name, client, therapist, world):  # noqa: F811
    client.force_login(therapist.user)
    response = client.get(PAGES[name][0](world), {"time": "08:00"} if name.endswith("reminders") else None)
    assert response.status_code == 200
    assert response["Content-Type"].startswith(("application/pdf", "text/calendar"))
    assert_private_no_store(response)


def test_the_clients_own_handout_is_private_without_any_login(client, world):  # noqa: F811
    response = client.get(PAGES["client-handout"][0](world))
    assert response.status_code == 200 and "sessionid" not in client.cookies
    assert_private_no_store(response)


def test_the_export_is_private_and_not_stored(as_therapist, world):  # noqa: F811
    response = as_therapist.post(reverse("clients:export", args=[world["client"].pk]))
    assert response["Content-Type"] == "application/zip"
    assert_private_no_store(response)


def test_the_page_after_logging_in_is_private_too(client, therapist):
    response = client.post("/login/", {"username": "robin", "password": "password"}, follow=True)
    assert response.redirect_chain and response.status_code == 200
    assert_private_no_store(response)
