"""Every page a person can GET answers in a pinned number of queries, so a query that
creeps in (an N+1 in a template, a lookup per row) fails CI, not a benchmark months later.

`PAGES` pins each GET page with its queries named; `POST_ONLY` lists the actions that
refuse GET (a test checks they do); `PINNED_ELSEWHERE` names the pages whose counts live
in their own feature's tests. A URL pattern in none of them fails
`test_every_page_has_a_pinned_query_count`: a new page needs its count here.

Most pages start with the same three queries, logged in: the session, the user, and the
therapist with their clinic (clients.access). The world below is small on purpose; the
counts must not depend on how many rows there are (tests/test_scale_data.py and
bench/scale.py check that side)."""

import datetime

import pytest
from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from aftercare import printing, reminders
from aftercare.models import ShareLink
from aftercare.reminder_models import ReminderPlan
from aftercare.prepared import Kind, PreparedFile, export_expiry
from clients.models import Clinic, Invite
from exercises.models import Complaint
from tests.conftest import builtin, make_client, make_therapist, make_visit

LOGGED_IN = 3  # session, user, therapist + clinic


@pytest.fixture
def world(client, client_, therapist, colleague, clinic):
    """A client with a visit of two homework items, a visit with none, the clinic's own
    copy of an exercise, an open invite and the client's link."""
    visit = make_visit(client_, "headaches", "rounded-desk-shoulders", therapist=therapist,
                       date=datetime.date(2026, 11, 23), rebook_weeks=3, next_goal="Turn without the pull.")
    item = visit.assign(builtin("tennis-ball-suboccipital-release"), note="Gently on the right.")
    visit.assign(builtin("doorway-pec-stretch"))
    empty_visit = make_visit(client_, "headaches", therapist=therapist, date=datetime.date(2026, 11, 30))
    own = builtin("calf-rolling-foam-roller").copy_for(clinic)
    export = PreparedFile.objects.create(kind=Kind.EXPORT, clinic=clinic, client=client_, expires_at=export_expiry())
    export.keep(b"zip", ".zip")
    signed_up = Clinic.objects.create(name="New Leaf Massage", email_confirmed_at=None)
    make_therapist(signed_up, "nova", owner=True).user.__class__.objects.filter(username="nova").update(
        email="nova@example.com"
    )
    return {
        "export": export,
        "client": client_,
        "visit": visit,
        "item": item,
        "empty_visit": empty_visit,
        "builtin": builtin("doorway-pec-stretch"),
        "own": own,
        "invite": Invite.objects.create(clinic=clinic, invited_by=therapist, name="Kim"),
        "link": ShareLink.issue(client_),
        "colleague": colleague,
        "complaint": Complaint.objects.create(
            clinic=clinic, slug="frozen-shoulder-rehab", name="Frozen shoulder rehab", body_area="shoulders",
            red_flags="a shoulder that gets hot and swollen",
        ),
        "duplicate": make_client(clinic, "Maya", last_name="L.", email="maya@example.com"),
        "confirm_token": signed_up.confirmation_token("nova@example.com"),
        "reminder_confirm": reminders.confirm_token(ReminderPlan(client=client_, email="maya@example.com", email_nonce="pin")),
        "reminder_stop": reminders.stop_token(client_.pk, "maya@example.com"),
        "browser": client,  # the test's own: a print address is signed for its session
        "reset": (urlsafe_base64_encode(force_bytes(therapist.user.pk)), default_token_generator.make_token(therapist.user)),
    }


def print_address(world: dict, visit) -> str:
    """The visit's print address, signed for the test browser's session (logged in first)."""
    wanted = printing.Wanted(visit.pk, None, visit.client.clinic_id, visit.therapist_id)
    return f"/print/{printing.signed(wanted, world['browser'].cookies[settings.SESSION_COOKIE_NAME].value)}.pdf"


# name: (URL from the world, logged in?, queries, what they are)
PAGES = {
    "login": (lambda w: "/login/", False, 0, "none: the form needs nothing from the database"),
    "home": (lambda w: "/", True, 0, "none: a redirect to the client list"),
    "healthz": (lambda w: "/healthz", False, 1, "the oldest job waiting in the queue (also the database's answer)"),
    "password_change": (lambda w: "/password/", True, 2, "session, user"),
    "your-details": (lambda w: "/me/", True, LOGGED_IN, "the login itself is the form's instance"),
    "password_change_done": (lambda w: "/password/changed/", True, 2, "session, user"),
    "clients:list": (lambda w: "/clients/", True, LOGGED_IN + 2,
                     "+ the page of clients and one more (no count: clients.paging), the owner's first-run "
                     "checklist (anyone else on the team, any invite, any client: one query)"),
    "clients:list?q": (lambda w: "/clients/?q=maya+lind", True, LOGGED_IN + 2,
                       "+ the page of clients found, the owner's first-run checklist"),
    "clients:merge": (lambda w: f"/clients/{w['client'].pk}/merge/", True, LOGGED_IN + 2,
                      "+ client, the records that may be the same person with their last visits"),
    "clients:merge?q": (lambda w: f"/clients/{w['client'].pk}/merge/?q=maya", True, LOGGED_IN + 2,
                        "+ client, the records found with their last visits"),
    "clients:merge-confirm": (lambda w: f"/clients/{w['client'].pk}/merge/{w['duplicate'].pk}/", True, LOGGED_IN + 7,
                              "+ the client kept, the other record, what moves: its visits, homework items, "
                              "check-ins, links, history entries (five counts)"),
    "signup": (lambda w: "/signup/", False, 0, "none: the form needs nothing from the database"),
    "signup-confirm": (lambda w: f"/signup/confirm/{w['confirm_token']}/", False, 1,
                       "the owner the token names, with their clinic (already confirmed: no update)"),
    "password_reset": (lambda w: "/password/reset/", False, 0, "none: the form needs nothing from the database"),
    "password_reset_done": (lambda w: "/password/reset/sent/", False, 0, "none"),
    "password_reset_confirm": (lambda w: f"/password/reset/{w['reset'][0]}/{w['reset'][1]}/", False, 5,
                               "the user the link names, the session, and the token put in it for the "
                               "set-password page (savepoint, UPDATE, release); then a redirect"),
    "password_reset_complete": (lambda w: "/password/reset/done/", False, 0, "none"),
    "clients:create": (lambda w: "/clients/new/", True, LOGGED_IN + 4,
                       "+ does the clinic list its own equipment, the everyday equipment ticked to start, "
                       "the equipment to offer, the health flags to offer"),
    "clients:detail": (lambda w: f"/clients/{w['client'].pk}/", True, LOGGED_IN + 9,
                       "+ client, their equipment (only once asked: this client wasn't), visits with "
                       "therapists, the visits' complaints, "
                       "items with exercises and tick counts, the audit log's latest actions, "
                       "how often and when last their link was opened, all complaints (today's visit "
                       "starts here, ticked from the last one), their health flags, their reminders "
                       "(the ways chosen and the last one sent)"),
    "clients:delete": (lambda w: f"/clients/{w['client'].pk}/delete/", True, LOGGED_IN + 8,
                       "+ client, how many visits, homework items, check-ins, links, words (feelings, "
                       "words on the week) and nudges go with them"),
    "clients:export-ready": (lambda w: f"/clients/{w['client'].pk}/export/{w['export'].pk}/", True, LOGGED_IN + 2,
                             "+ client, the export"),
    "clients:export-download": (lambda w: f"/clients/{w['client'].pk}/export/{w['export'].pk}/download/", True,
                                LOGGED_IN + 2, "+ client, the export (its file comes from the storage)"),
    "clients:edit": (lambda w: f"/clients/{w['client'].pk}/edit/", True, LOGGED_IN + 7,
                     "+ client, their equipment (initial), their health flags (initial), does the clinic "
                     "list its own equipment, the everyday equipment ticked to start (nobody asked yet), "
                     "the equipment to offer, the health flags to offer"),
    "exercises:list": (lambda w: "/library/", True, LOGGED_IN + 6,
                       "+ count (pages), complaints and equipment (filters), the page of exercises, "
                       "their pictures, their equipment"),
    "exercises:add": (lambda w: "/library/add/", True, LOGGED_IN + 7,
                      "+ equipment, health flags (not for), the exercises to choose an easier and a harder "
                      "version from (one list each), complaints once for each of the three 'helps with' rows"),
    "exercises:detail": (lambda w: f"/library/{w['builtin'].pk}/", True, LOGGED_IN + 6,
                         "+ exercise with its easier and harder versions, its pictures, the clinic's own "
                         "version, complaints, equipment, the health flags it is not for"),
    "exercises:complaints": (lambda w: "/library/complaints/", True, LOGGED_IN + 2,
                             "+ the clinic's own complaints, the built-in ones"),
    "exercises:complaint-add": (lambda w: "/library/complaints/add/", True, LOGGED_IN + 1,
                                "+ the exercises it can be linked to"),
    "exercises:complaint-edit": (lambda w: f"/library/complaints/{w['complaint'].pk}/edit/", True, LOGGED_IN + 3,
                                 "+ the complaint, the exercises linked to it (initial), the exercises it "
                                 "can be linked to"),
    "exercises:edit": (lambda w: f"/library/{w['own'].pk}/edit/", True, LOGGED_IN + 15,
                       "+ exercise, its pictures, its equipment, the health flags it is not for, its complaint "
                       "rows, equipment (choices), health flags (choices), easier and harder versions "
                       "(choices, one list each), "
                       "pictures (formset), complaints once for each of the five 'helps with' rows "
                       "(its two complaints, runners' calves and post-event soreness, and the three blank "
                       "ones: one query a row, a known N+1 of the formset)"),
    "exercises:language": (lambda w: f"/library/{w['own'].pk}/in/fr/", True, LOGGED_IN + 1,
                           "+ the exercise (its texts in other languages are on its row)"),
    "exercises:complaint-language": (lambda w: f"/library/complaints/{w['complaint'].pk}/in/de/", True, LOGGED_IN + 1,
                                     "+ the complaint (its texts in other languages are on its row)"),
    "clinic:settings": (lambda w: "/clinic/", True, LOGGED_IN + 2, "+ the clinic's equipment, all equipment"),
    "clinic:team": (lambda w: "/clinic/team/", True, LOGGED_IN + 2, "+ open invites, the team with their logins"),
    "clinic:team-add": (lambda w: "/clinic/team/add/", True, LOGGED_IN, "nothing more: GET redirects to the team"),
    "clinic:invite-create": (lambda w: "/clinic/team/invite/", True, LOGGED_IN,
                             "nothing more: GET redirects to the team"),
    "clinic:join": (lambda w: f"/clinic/join/{w['invite'].token}/", False, 1, "the invite with its clinic"),
    "aftercare:visit-start": (lambda w: f"/clients/{w['client'].pk}/visits/new/", True, LOGGED_IN + 4,
                              "+ client, their last visit, its complaints (pre-filled), all complaints"),
    "aftercare:visit-detail": (lambda w: f"/visits/{w['visit'].pk}/", True, LOGGED_IN + 8,
                               "+ visit with client, the client's link, items with exercises, their pictures, "
                               "their check-ins, the visit's therapist, their login, the visit's complaints"),
    "aftercare:visit-edit": (lambda w: f"/visits/{w['visit'].pk}/edit/", True, LOGGED_IN + 3,
                             "+ visit with client, its complaints, all complaints"),
    "aftercare:visit-homework": (lambda w: f"/visits/{w['visit'].pk}/homework/", True, LOGGED_IN + 12,
                                 "+ visit with client, its items, last visit's items (with their feelings and "
                                 "words only when there is a last visit: not here), the client's health flags, "
                                 "the visit's complaints with their red flags, the suggestions (the client's "
                                 "equipment only once asked: this client wasn't), their pictures, their equipment, "
                                 "the visit's complaints (intake ticks), all complaints for the intake ticks, all "
                                 "complaints and all equipment for the library filter"),
    "aftercare:visit-teach": (lambda w: f"/visits/{w['visit'].pk}/teach/", True, LOGGED_IN + 3,
                              "+ visit with client, items with exercises, their pictures"),
    "aftercare:item-add": (lambda w: f"/visits/{w['empty_visit'].pk}/homework/add/{w['builtin'].pk}/", True,
                           LOGGED_IN + 5, "+ visit with client, the exercise with its easier and harder versions, "
                           "the client's health flags it is not for, its equipment, the visit's item count"),
    "aftercare:item-edit": (lambda w: f"/visits/{w['visit'].pk}/homework/{w['item'].pk}/edit/", True,
                            LOGGED_IN + 3, "+ visit with client, the item with its exercise, its equipment"),
    "aftercare:visit-handout": (lambda w: f"/visits/{w['visit'].pk}/handout.pdf", True, LOGGED_IN + 1,
                                "+ one: nothing the handout is made from has changed since the file ready for it "
                                "was made (handouts.SOURCES_SQL), which is served"),
    "aftercare:print-handout": (lambda w: print_address(w, w["visit"]), True, 1,
                                "one, and no session, user or therapist: nothing the handout is made from has "
                                "changed since the file ready for it was made, and the therapist the signed address "
                                "names is still in the clinic (aftercare/printing.py); the file is served"),
    "aftercare:day": (lambda w: "/day/?date=2026-11-23", True, LOGGED_IN + 5,
                      "+ the day's visits with clients and therapists, their items with exercises, the "
                      "exercises' own pictures, the visits' complaints (the same read as the day's handouts), "
                      "the job that prints them ahead"),
    "aftercare:day-handouts": (lambda w: "/day/handouts.pdf?date=2026-11-23", True, LOGGED_IN + 1,
                               "+ one: nothing the day's handouts are made from has changed since the stack "
                               "ready for it was made (however many visits: tests/test_handouts.py), which is served"),
    "aftercare:between-visits": (lambda w: "/between-visits/?who=team", True, LOGGED_IN + 2,
                                 "+ the count of rows (pages), the page of clients with every figure a subquery "
                                 "(however many clients: tests/test_between_visits.py)"),
    "aftercare:nudge": (lambda w: f"/clients/{w['client'].pk}/nudge/", True, LOGGED_IN + 5,
                        "+ client, their last nudge, how a nudge reaches them: their reminder plan, "
                        "whether an address said stop, whether a phone takes notifications"),
    "aftercare:exercise-sheet": (lambda w: f"/library/{w['builtin'].pk}/sheet.pdf", True, LOGGED_IN + 2,
                                 "+ the exercise, its equipment"),
    "client-reminders": (lambda w: f"{w['link']}reminders.ics", False, 5,
                         "the link, the client's visits with homework, their items with exercises, "
                         "the exercises' pictures, the visit's complaints (the handout's read, red flags)"),
    "client-calendar": (lambda w: f"{w['link']}calendar.ics", False, 6,
                        "the link, the client's newest visit with homework, its items with exercises, the "
                        "exercises' pictures, the visit's complaints (the handout's read), the client's "
                        "reminder plan (seen within the hour: no write)"),
    "client-manifest": (lambda w: f"{w['link']}manifest.webmanifest", False, 1, "the link with its client"),
    "client-service-worker": (lambda w: f"{w['link']}sw.js", False, 1, "the link with its client"),
    "reminder-confirm": (lambda w: f"/reminders/confirm/{w['reminder_confirm']}/", False, 0,
                         "none: the signed token is read; the button's POST confirms"),
    "reminder-stop": (lambda w: f"/reminders/stop/{w['reminder_stop']}/", False, 0,
                      "none: the signed token is read; the button's POST (or one-click) stops"),
    "client-handout": (lambda w: f"{w['link']}handout.pdf", False, 5,
                       "the link, the client's visits with homework, their items with exercises, "
                       "the exercises' pictures, the visit's complaints (red flags)"),
}

# Actions that only take a POST; GET is refused with 405 (checked below).
POST_ONLY = {
    "logout": lambda w: "/logout/",
    "clients:quick-add": lambda w: "/clients/add/",
    "clients:export": lambda w: f"/clients/{w['client'].pk}/export/",
    "exercises:copy": lambda w: f"/library/{w['builtin'].pk}/copy/",
    "exercises:retire": lambda w: f"/library/{w['own'].pk}/retire/",
    "exercises:unretire": lambda w: f"/library/{w['own'].pk}/bring-back/",
    "clinic:invite-revoke": lambda w: f"/clinic/team/invites/{w['invite'].pk}/revoke/",
    "clinic:team-owner": lambda w: f"/clinic/team/{w['colleague'].pk}/owner/",
    "clinic:team-password": lambda w: f"/clinic/team/{w['colleague'].pk}/password/",
    "clinic:team-remove": lambda w: f"/clinic/team/{w['colleague'].pk}/remove/",
    "aftercare:visit-delete": lambda w: f"/visits/{w['visit'].pk}/delete/",
    "aftercare:item-remove": lambda w: f"/visits/{w['visit'].pk}/homework/{w['item'].pk}/remove/",
    "aftercare:item-note": lambda w: f"/visits/{w['visit'].pk}/homework/{w['item'].pk}/note/",
    "aftercare:item-restore": lambda w: f"/visits/{w['visit'].pk}/homework/undo-remove/",
    "aftercare:visit-unfinish": lambda w: f"/visits/{w['visit'].pk}/undo-finish/",
    "aftercare:visit-wrap-up": lambda w: f"/visits/{w['visit'].pk}/wrap-up/",
    "aftercare:link-email": lambda w: f"/visits/{w['visit'].pk}/link/email/",
    "aftercare:link-replace": lambda w: f"/visits/{w['visit'].pk}/link/replace/",
    "aftercare:link-revoke": lambda w: f"/visits/{w['visit'].pk}/link/revoke/",
    "client-check-in": lambda w: f"{w['link']}done/",
    "client-feeling": lambda w: f"{w['link']}feeling/",
    "client-word": lambda w: f"{w['link']}word/",
    "aftercare:item-carry": lambda w: f"/visits/{w['visit'].pk}/homework/carry/{w['item'].pk}/",
    "client-language": lambda w: f"{w['link']}language/",
    "client-reminder-settings": lambda w: f"{w['link']}reminders/",
    "client-reminder-stop-all": lambda w: f"{w['link']}reminders/stop/",
    "client-push-subscribe": lambda w: f"{w['link']}reminders/phone/",
    "client-push-unsubscribe": lambda w: f"{w['link']}reminders/phone/stop/",
    "clients:sample": lambda w: "/clients/sample/",
    "clinic:checklist-dismiss": lambda w: "/clinic/checklist/dismiss/",
    "signup-resend": lambda w: "/signup/confirm-again/",
}

# GET pages whose query counts are pinned in their own feature's tests.
PINNED_ELSEWHERE = {
    "client-page": "tests/test_client_page.py (the client's phone page)",
}


def url_names(resolver=None, namespace=None):
    """Every named URL pattern of the project, namespaced; the admin is Django's own and
    the media files are no page."""
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            inner = pattern.namespace or namespace
            if inner != "admin":
                yield from url_names(pattern, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}:{pattern.name}" if namespace else pattern.name


def test_every_page_has_a_pinned_query_count():
    names = set(url_names())
    names |= {name for name in PAGES if "?" in name}  # the same page asked differently
    unpinned = names - set(PAGES) - set(POST_ONLY) - set(PINNED_ELSEWHERE)
    assert not unpinned, f"pages without a pinned query count (add them to PAGES or POST_ONLY): {sorted(unpinned)}"
    gone = (set(PAGES) | set(POST_ONLY) | set(PINNED_ELSEWHERE)) - names
    assert not gone, f"pinned pages that no longer exist: {sorted(gone)}"


@pytest.mark.parametrize("name", sorted(PAGES))
def test_each_page_takes_its_pinned_number_of_queries(name, client, therapist, world, django_assert_num_queries):
    url_for, logged_in, expected, _what = PAGES[name]
    if logged_in:
        client.force_login(therapist.user)
    url = url_for(world)
    client.get(url)  # once before, so nothing made on a first visit (a session, a cache) counts
    with django_assert_num_queries(expected):
        response = client.get(url)
    assert response.status_code in (200, 302), f"{url} answered {response.status_code}"


@pytest.mark.parametrize("name", sorted(POST_ONLY))
def test_actions_that_only_take_a_post_refuse_a_get(name, client, therapist, world):
    client.force_login(therapist.user)
    assert client.get(POST_ONLY[name](world)).status_code == 405
