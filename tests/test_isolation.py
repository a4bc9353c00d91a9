"""A clinic never sees another clinic's clients, visits, exercises or links.

The test reads every URL pattern from the resolver (includes and namespaces too), fills
each with the ids of clinic A's real objects, and requests it with GET and POST as an owner
of another clinic. A route that takes an id answers 404 (or 405 where the view refuses the
method); a route that takes none shows nothing of clinic A; and nothing of clinic A changes
in the database. A new route is covered the day it is added: its kwargs must be in `IDS`,
or this test fails and says so.

Public by design, and checked to show the outsider exactly what anyone sees:
- the client's link, /h/<token>/ and its calendar file, handout and check-in: the token is
  the secret (256 bits, see test_share_link.py), there is no login;
- an invite link, /clinic/join/<token>/: a signed token, made to be sent to a stranger;
- the sign-up's confirmation link, /signup/confirm/<token>/, and Django's password reset
  link, /password/reset/<uidb64>/<token>/: signed, dated tokens sent by email to the person
  they are for (test_signup.py and test_password_reset.py check made-up and old ones fail);
- uploaded pictures under /media/ (development and tests only; production's web server
  serves them): random names, and they belong to exercises, never to a client.

The admin is left out: it asks for is_staff before anything else, which no therapist has;
`test_the_admin_shows_a_therapist_nothing` checks that.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

import pytest
from django.apps import apps
from django.contrib.auth.tokens import default_token_generator
from django.test import Client as Browser
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.resolvers import RoutePattern
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from pypdf import PdfReader

from aftercare import audit, printing, reminders
from aftercare.models import CheckIn, ShareLink
from aftercare.prepared import Kind, PreparedFile, export_expiry
from aftercare.reminder_models import ReminderPlan
from clients.models import Invite
from exercises.images import clean_upload
from exercises.models import Complaint, Exercise
from tests.conftest import builtin, make_client, make_visit
from tests.imagefiles import photo_bytes, upload

OWN_EXERCISE = "Harbourside towel squeeze"
# What would give clinic A away on a page that takes no id.
CLINIC_A_WORDS = ("Maya", "Lindqvist", "maya@example.com", "Harbour Lane", OWN_EXERCISE, "Robin", "Front desk Kim", "Shoulder rehab")

# Routes whose token is the secret; see the docstring.
PUBLIC_BY_DESIGN = (
    "client-page", "client-check-in", "client-reminders", "client-handout", "client-language", "clinic:join", "media/",
    "signup-confirm", "password_reset_confirm", "client-reminder-", "client-push-", "client-calendar",
    "client-manifest", "client-service-worker", "reminder-confirm", "reminder-stop",
)


@dataclass
class Route:
    label: str  # the namespaced name, or the route itself when it has no name
    pieces: list  # the pattern of each level, outermost first

    @property
    def kwargs(self) -> list[str]:
        names = []
        for pattern in self.pieces:
            names += list(getattr(pattern, "converters", {})) or list(pattern.regex.groupindex)
        return names

    def url(self, values: dict) -> str:
        path = ""
        for pattern in self.pieces:
            text = str(pattern)
            converters = getattr(pattern, "converters", {})
            if converters:
                text = re.sub(r"<(?:[^>:]+:)?([^>]+)>", lambda m: converters[m[1]].to_url(values[m[1]]), text)
            else:  # a regular expression: ^media/(?P<path>.*)$
                text = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: str(values[m[1]]), text).lstrip("^").rstrip("$")
            path += text
        return "/" + path

    def is_public(self) -> bool:
        return self.label.startswith(PUBLIC_BY_DESIGN)


def every_route(resolver: URLResolver | None = None, namespace: str = "", pieces: tuple = ()):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from every_route(entry, inner, (*pieces, entry.pattern))
        elif isinstance(entry, URLPattern):
            route = "".join(str(p).lstrip("^") for p in (*pieces, entry.pattern))
            label = f"{namespace}{entry.name or route}"
            yield Route(label, [*pieces, entry.pattern])


@pytest.fixture
def clinic_a(clinic, therapist, colleague, client):
    """Clinic A with one of everything a route can point at."""
    maya = make_client(clinic, "Maya", last_name="Lindqvist", email="maya@example.com", at_home=("tennis-ball",))
    own = builtin("doorway-pec-stretch").copy_for(clinic)
    own.name = OWN_EXERCISE
    own.save()
    own.add_pictures([clean_upload(upload(photo_bytes()))])
    visit = make_visit(maya, "headaches", therapist=therapist)
    item = visit.assign(own)
    visit.assign(builtin("tennis-ball-suboccipital-release"))
    CheckIn.objects.create(item=item, day=timezone.localdate())
    link_path = ShareLink.issue(maya, by=therapist)
    audit.record(maya, audit.Action.ITEM_ASSIGNED, by=therapist, detail=OWN_EXERCISE)
    invite = Invite.objects.create(clinic=clinic, invited_by=therapist, name="Front desk Kim")
    export = PreparedFile.objects.create(kind=Kind.EXPORT, clinic=clinic, client=maya, expires_at=export_expiry())
    export.keep(b"zip", ".zip")
    complaint = Complaint.objects.create(
        clinic=clinic, slug="rehab-shoulder", name="Shoulder rehab", body_area="shoulders", red_flags="hot, swollen joint"
    )
    complaint.exercises.add(own)
    duplicate = make_client(clinic, "Maya", last_name="L.", email="maya@example.com")
    return {
        "export": export,
        "complaint": complaint,
        "client": maya,
        "duplicate": duplicate,
        "owner": therapist,
        "visit": visit,
        "item": item,
        "exercise": own,
        "teammate": colleague,
        "invite": invite,
        "link_token": link_path.split("/")[2],
        "picture": own.pictures.get().image.name,
    }


def ids(a: dict) -> dict:
    """What each URL kwarg names in clinic A. `pk` and `token` mean different things on
    different routes, so those go by the route's name (the first matching prefix)."""
    return {
        "client_pk": a["client"].pk,
        "exercise_pk": a["exercise"].pk,
        "item_pk": a["item"].pk,
        "prepared_pk": a["export"].pk,
        "other_pk": a["duplicate"].pk,
        "uidb64": urlsafe_base64_encode(force_bytes(a["owner"].user.pk)),
        "pk": {
            "clients:": a["client"].pk,
            "aftercare:visit-": a["visit"].pk,
            "aftercare:item-": a["visit"].pk,
            "aftercare:link-": a["visit"].pk,
            "aftercare:exercise-sheet": a["exercise"].pk,
            "exercises:complaint-": a["complaint"].pk,
            "exercises:": a["exercise"].pk,
            "clinic:team-": a["teammate"].pk,
            "clinic:invite-": a["invite"].pk,
        },
        "token": {
            "client-": a["link_token"],
            "clinic:join": a["invite"].token,
            "signup-confirm": a["owner"].clinic.confirmation_token(a["owner"].user.email),
            "password_reset_confirm": default_token_generator.make_token(a["owner"].user),
            "reminder-confirm": reminders.confirm_token(
                ReminderPlan(client=a["client"], email="maya@example.com", email_nonce="isolation")
            ),
            "reminder-stop": reminders.stop_token(a["client"].pk, "maya@example.com"),
        },
        "path": {"media/": a["picture"]},
        # Signed for a browser of clinic A's (aftercare/printing.py); the outsider's session isn't it.
        "address": printing.signed(printing.Wanted(a["visit"].pk, None, a["visit"].client.clinic_id, a["owner"].pk),
                                   "clinic-a-session"),
        "language": "fr",
    }


def values_for(route: Route, table: dict) -> dict:
    values = {}
    for kwarg in route.kwargs:
        if kwarg not in table:
            pytest.fail(f"{route.label} takes <{kwarg}>, which test_isolation.ids() doesn't know: add what it names in clinic A")
        entry = table[kwarg]
        if isinstance(entry, dict):
            matches = [value for prefix, value in entry.items() if route.label.startswith(prefix)]
            if not matches:
                pytest.fail(f"{route.label} takes <{kwarg}>: say in test_isolation.ids() what it names on this route")
            entry = matches[0]
        values[kwarg] = entry
    return values


def project_rows() -> dict:
    """Every row of every table the project writes (sessions aside), by model and key."""
    rows = {}
    for model in apps.get_models(include_auto_created=True):
        if model._meta.app_label in ("sessions", "contenttypes"):
            continue
        pk = model._meta.pk.attname
        for row in model._base_manager.order_by(pk).values():
            rows[(model._meta.label, row[pk])] = row
    return rows


def changes(before: dict, after: dict, outsider) -> list:
    """What changed, apart from the outsider's own: rows of their clinic (an invite they
    made with an empty form) and their login's last_login (we log them in before each
    request, as POST /logout/ logs them out)."""
    changed = []
    for key in before.keys() | after.keys():
        old, new = before.get(key), after.get(key)
        if old == new:
            continue
        row = new or old
        if row.get("clinic_id") == outsider.clinic_id or key == ("clients.Clinic", outsider.clinic_id):
            continue  # their own clinic's rows, and its own row (hiding their checklist)
        if key == ("auth.User", outsider.user_id) and old and new:
            if {f for f in old if old[f] != new[f]} <= {"last_login"}:
                continue
        changed.append((key, old, new))
    return changed


def text_of(response) -> str:
    if response.get("Content-Type", "").startswith("application/pdf"):
        return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode(errors="replace")
    return response.content.decode(errors="replace")


def test_another_clinic_gets_404_on_every_route_and_changes_nothing(client, clinic_a, outsider):
    table = ids(clinic_a)
    routes = [route for route in every_route() if not route.label.startswith("admin:")]
    assert len(routes) > 40  # the walk found the project's routes, not a stub
    before = project_rows()
    checked = {"id": 0, "no id": 0}
    for route in routes:
        if route.is_public():
            continue
        url = route.url(values_for(route, table))
        for method in ("get", "post"):
            client.force_login(outsider.user)
            response = getattr(client, method)(url)
            if route.kwargs:
                checked["id"] += 1
                assert response.status_code in (404, 405), f"{method.upper()} {url} ({route.label}) answered {response.status_code}"
            else:
                checked["no id"] += 1
                assert response.status_code < 500, f"{method.upper()} {url} answered {response.status_code}"
                shown = [word for word in CLINIC_A_WORDS if word in text_of(response)]
                assert shown == [], f"{method.upper()} {url} ({route.label}) shows clinic A's {shown}"
    assert checked["id"] >= 40 and checked["no id"] >= 20
    assert changes(before, project_rows(), outsider) == []


def test_public_routes_show_the_outsider_just_what_anyone_sees(client, clinic_a, outsider):
    table = ids(clinic_a)
    public = [route for route in every_route() if route.is_public()]
    assert {route.label for route in public} >= {"client-page", "client-reminders", "clinic:join"}
    client.force_login(outsider.user)
    anyone = Browser()
    for route in public:
        url = route.url(values_for(route, table))
        for method in ("get", "post"):
            theirs, everyones = getattr(client, method)(url), getattr(anyone, method)(url)
            assert theirs.status_code == everyones.status_code, url
            assert theirs.get("Content-Type") == everyones.get("Content-Type"), url
            # The navigation bar differs (it names the outsider and their own clinic);
            # what they learn about clinic A may not.
            seen_by_them = {word for word in CLINIC_A_WORDS if word in text_of(theirs)}
            seen_by_anyone = {word for word in CLINIC_A_WORDS if word in text_of(everyones)}
            assert seen_by_them == seen_by_anyone, url


def test_a_route_with_an_unknown_kwarg_fails_the_walk(clinic_a):
    new_route = Route("aftercare:visit-gizmo", [RoutePattern("visits/<int:pk>/gizmos/<int:gizmo_pk>/")])
    with pytest.raises(pytest.fail.Exception, match="gizmo_pk"):
        values_for(new_route, ids(clinic_a))


def test_the_admin_shows_a_therapist_nothing(client, clinic_a, outsider):
    client.force_login(outsider.user)
    for url in (
        reverse("admin:index"),
        reverse("admin:clients_client_change", args=[clinic_a["client"].pk]),
        reverse("admin:aftercare_auditevent_changelist"),
    ):
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            assert response.status_code == 302 and response["Location"].startswith(reverse("admin:login")), url
            assert "Maya" not in response.content.decode()


def test_another_clinics_own_exercise_cannot_be_assigned_to_my_visit(client, clinic_a, outsider, other_clinic):
    """Mixed ids: the outsider's own visit with clinic A's exercise."""
    mine = make_visit(make_client(other_clinic, "Olu"), "headaches", therapist=outsider)
    client.force_login(outsider.user)
    url = reverse("aftercare:item-add", args=[mine.pk, clinic_a["exercise"].pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"how_often": "daily", "hold_seconds": "30"}).status_code == 404
    assert not mine.items.exists()
    assert Exercise.objects.get(pk=clinic_a["exercise"].pk).clinic_id == clinic_a["client"].clinic_id
