"""Personas and makers shared by every test file: a therapist, a colleague in the same
clinic, and an outsider from another clinic (after healthchecks' hc/test.py).

Every test database starts with the built-in library (a data migration puts it there).
Tests that commit (threads, the browser) empty the database when they finish, so the
`builtin_library` fixture puts the library back before any test that needs the database."""

import os
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.db.models import Q

from aftercare.models import Visit
from clients.models import Client, Clinic, Therapist
from exercises.models import Complaint, Condition, Equipment, Exercise, ExerciseComplaint
from exercises.seeding import load_library


def pytest_sessionstart(session):
    """The compiled translations, made here when a .po file is newer than its .mo (`make
    test` makes them first; this is for running pytest on its own after changing one)."""
    import subprocess

    from django.conf import settings

    for po in Path(settings.LOCALE_PATHS[0]).glob("*/LC_MESSAGES/*.po"):
        mo = po.with_suffix(".mo")
        if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            subprocess.run(["msgfmt", "--check-format", "-o", str(mo), str(po)], check=True)


def make_therapist(clinic: Clinic, username: str, *, owner: bool = False) -> Therapist:
    user = get_user_model().objects.create_user(
        username=username, password="password", first_name=username.title(), last_name="Tester"
    )
    return Therapist.objects.create(user=user, clinic=clinic, is_owner=owner)


def make_client(
    clinic: Clinic,
    first_name: str = "Maya",
    *,
    at_home: tuple[str, ...] | None = (),
    flags: tuple[str, ...] = (),
    **fields,
) -> Client:
    """A client. `at_home`: the equipment they have, recorded as the form does (everyday
    things ticked too); empty: nobody asked yet; None: asked, nothing at home at all.
    `flags`: their health flags (Condition slugs)."""
    client = Client.objects.create(clinic=clinic, first_name=first_name, **fields)
    if at_home is None:
        client.record_equipment([])
    elif at_home:
        client.record_equipment(Equipment.objects.filter(Q(slug__in=at_home) | Q(everyday=True)))
    if flags:
        client.conditions.set(Condition.objects.filter(slug__in=flags))
    return client


def make_visit(client: Client, *complaint_slugs: str, therapist: Therapist | None = None, **fields) -> Visit:
    visit = Visit.objects.create(client=client, therapist=therapist, **fields)
    visit.complaints.set(Complaint.objects.filter(slug__in=complaint_slugs))
    return visit


def builtin(slug: str) -> Exercise:
    return Exercise.objects.get(clinic=None, slug=slug)


@pytest.fixture(autouse=True)
def fresh_cache():
    """Each test starts with an empty cache: ids come round again after a rollback, and a
    page, a throttle count or a noted opening must not carry over from another test."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def builtin_library(request):
    """Make sure the built-in library is there for every test that touches the database.
    Runs after pytest-django has opened the test's database (its own autouse fixtures go
    first), and costs one query when the library is already in place."""
    uses_db = (
        request.node.get_closest_marker("django_db")
        or {"db", "transactional_db", "live_server", "_django_db_helper"} & set(request.fixturenames)
    )
    if not uses_db:
        return
    request.getfixturevalue("_django_db_helper")
    if not Exercise.objects.filter(clinic=None).exists():
        load_library(Complaint, Equipment, Exercise, ExerciseComplaint, Condition)


@pytest.fixture
def clinic(db):
    return Clinic.objects.create(name="Harbour Lane Massage")


@pytest.fixture
def other_clinic(db):
    return Clinic.objects.create(name="Elsewhere Bodywork")


@pytest.fixture
def therapist(clinic):
    return make_therapist(clinic, "robin", owner=True)


@pytest.fixture
def colleague(clinic):
    return make_therapist(clinic, "jo")


@pytest.fixture
def outsider(other_clinic):
    return make_therapist(other_clinic, "sam", owner=True)


@pytest.fixture
def client_(clinic):
    """A client of the therapist's clinic (named so it doesn't shadow pytest-django's `client`)."""
    return make_client(clinic, "Maya", last_name="Lindqvist", email="maya@example.com")


@pytest.fixture
def visit(client_, therapist):
    return make_visit(client_, "headaches", therapist=therapist)


@pytest.fixture
def as_therapist(client, therapist):
    client.force_login(therapist.user)
    return client


@pytest.fixture
def as_colleague(client, colleague):
    client.force_login(colleague.user)
    return client


@pytest.fixture
def as_outsider(client, outsider):
    client.force_login(outsider.user)
    return client


# Browser tests: Playwright driving the system's Chromium. They never skip: a missing
# Chromium fails them, and `make test` installs it first.
CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"


@pytest.fixture(scope="session")
def browser():
    # Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
    # between steps are still plain synchronous calls.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


class Screenshots:
    def __init__(self, page, name: str):
        self.page = page
        self.folder = ARTIFACTS / "screenshots"
        self.folder.mkdir(parents=True, exist_ok=True)
        self.name = name
        self.count = 0

    def __call__(self, step: str) -> Path:
        self.count += 1
        path = self.folder / f"{self.name}-{self.count:02d}-{step}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path


@pytest.fixture
def page(browser, live_server, request):
    """A fresh browser tab on the live server that fails the test on any request to another
    site or any error in the page's console."""
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    foreign, console_errors = [], []
    # Chromium's own PDF viewer (a handout opened inline) loads its parts from chrome:// and
    # its built-in extension: the browser's, not another site's.
    own = (live_server.url, "chrome://", "chrome-extension://")
    page.on("request", lambda r: None if r.url.startswith(own) else foreign.append(r.url))
    page.on("console", lambda m: console_errors.append(m.text) if m.type == "error" else None)
    failed = []  # which addresses answered 4xx/5xx, to say so when the console complains
    page.on("response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    page.screenshots = Screenshots(page, request.node.name)
    # A form sent back with its errors answers 400, which Chromium logs; a test that
    # expects that says so, and only that many are forgiven.
    page.expected_refusals = 0
    page.expected_not_found = 0  # the same for a page that is meant to answer 404
    yield page
    context.close()
    assert foreign == [], f"requests to other sites: {foreign}"
    refusals = [e for e in console_errors if "status of 400" in e]
    assert len(refusals) == page.expected_refusals, f"400 answers: {refusals}"
    not_found = [e for e in console_errors if "status of 404" in e]
    assert len(not_found) == page.expected_not_found, f"404 answers: {not_found}; answers: {failed}"
    others = [e for e in console_errors if e not in refusals and e not in not_found]
    assert others == [], f"console errors: {others}; answers: {failed}"


def log_in(page, username: str, password: str = "password") -> None:
    page.goto("/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()


# Object storage: a real SeaweedFS (its S3 gateway) on loopback ports, started once for the
# session by the first test that asks for it (tests/services.py). With CI=true a `weed`
# that won't start fails those tests.
@pytest.fixture(scope="session")
def seaweedfs():
    from tests.services import SeaweedFS

    server = SeaweedFS()
    yield server
    server.stop()
