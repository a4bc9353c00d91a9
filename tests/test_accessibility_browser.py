"""axe-core (vendored in static/vendor/axe-core/) on every page a crawl reaches: from the
login as the clinic's owner and as a therapist, and the client's own link page. No
violations, at any level axe reports.

The crawl follows every same-site link it finds (GET only: no form is sent), and checks
one page per route (the route name from the URL resolver), so a list of 65 exercises costs
one look at the exercise page, not 65."""

from urllib.parse import urldefrag, urlsplit

import pytest
from django.urls import Resolver404, resolve

from aftercare.models import CheckIn, ShareLink
from tests.conftest import builtin, log_in, make_client, make_visit

pytestmark = [pytest.mark.browser]

# Not pages: files, and what a GET would do nothing useful on.
SKIPPED_ROUTES = {"logout", "aftercare:visit-handout", "aftercare:day-handouts", "aftercare:exercise-sheet",
                  "client-reminders", "client-handout", "client-calendar", "healthz"}
AXE = "/static/vendor/axe-core/axe.min.js"


def violations_on(page) -> list[str]:
    page.add_script_tag(url=AXE)
    found = page.evaluate(
        """async () => {
            const result = await axe.run(document, {resultTypes: ["violations"]});
            return result.violations.map(v => v.id + " (" + v.impact + "): " + v.help + " — " +
                v.nodes.slice(0, 3).map(n => n.target.join(" ")).join(" | "));
        }"""
    )
    return found


def crawl(page, starts: list[str], limit: int = 60) -> dict[str, list[str]]:
    """{url: violations} for one page per route reachable from `starts` (the first page of
    each route found is the one checked, so the richest pages go first)."""
    seen_routes, queue, results = set(), list(starts), {}
    origin = urlsplit(page.url).netloc or None
    while queue and len(results) < limit:
        url = queue.pop(0)
        path = urlsplit(url).path
        try:
            route = resolve(path).view_name
        except Resolver404:
            continue
        if route in seen_routes or route in SKIPPED_ROUTES or route.startswith("admin:"):
            continue
        seen_routes.add(route)
        response = page.goto(url)
        if response is None or "text/html" not in response.headers.get("content-type", ""):
            continue
        origin = origin or urlsplit(page.url).netloc
        results[url] = violations_on(page)
        for href in page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)"):
            href = urldefrag(href)[0]
            if urlsplit(href).netloc == urlsplit(page.url).netloc and href not in queue:
                queue.append(href)
    return results


@pytest.fixture
def clinic_in_use(therapist, colleague, client_, clinic):
    visit = make_visit(client_, "headaches", "rounded-desk-shoulders", therapist=therapist, next_goal="Fewer headaches",
                       rebook_weeks=2, referral="osteopath", referral_note="for the neck")
    item = visit.assign(builtin("tennis-ball-suboccipital-release"), note="Before bed")
    visit.assign(builtin("doorway-pec-stretch"))
    CheckIn.objects.create(item=item, day=visit.date)
    make_visit(make_client(clinic, "Lou"), therapist=colleague)
    builtin("doorway-pec-stretch").copy_for(clinic)
    return visit


@pytest.mark.parametrize("username", ["robin", "jo"], ids=["owner", "therapist"])
def test_every_page_a_therapist_reaches_has_no_accessibility_violations(page, clinic_in_use, username):
    log_in(page, username)
    assert violations_on(page) == [], "the client list"
    visit = clinic_in_use
    item = visit.items.first()
    base = page.url.split("/clients/")[0]
    richest = [f"/visits/{visit.pk}/homework/", f"/visits/{visit.pk}/teach/", f"/visits/{visit.pk}/edit/",
               f"/visits/{visit.pk}/homework/{item.pk}/edit/", f"/clients/{visit.client_id}/visits/new/",
               f"/visits/{visit.pk}/homework/add/{builtin('psoas-release').pk}/"]
    results = crawl(page, [page.url, *(base + path for path in richest)])
    assert len(results) >= (20 if username == "robin" else 17), sorted(results)
    failing = {url: found for url, found in results.items() if found}
    assert failing == {}


def test_the_login_and_the_clients_link_page_have_no_accessibility_violations(page, clinic_in_use):
    page.goto("/login/")
    assert violations_on(page) == []
    page.goto(ShareLink.issue(clinic_in_use.client))
    assert violations_on(page) == []
    page.set_viewport_size({"width": 390, "height": 844})
    assert violations_on(page) == []
    page.goto("/h/not-a-real-link/")
    page.expected_not_found = 1
    assert violations_on(page) == []
