""""Print" by a short-lived signed address: the visit page's and the day page's print links
answer from the file a worker made ahead for the price of a static file, in a middleware
placed before sessions and logins, with one query.

The address, /print/<what>:<timestamp>:<signature>.pdf, names the file (a visit's handout,
or a clinic's stack for a day), the clinic and the therapist the page was shown to. It is
signed with django.core.signing (so SECRET_KEY_FALLBACKS still verify after a key
rotation) under a salt holding a digest of the browser's session cookie: without a lookup
in the session store, an address copied to another browser verifies nowhere, and none
verifies after PRINT_ADDRESS_MINUTES.

A verified address is served after the one query the authenticated addresses ask first
(handouts.SOURCES_SQL: has anything the file is made from changed since it was made?),
which here also asks that the therapist is still an active member of the clinic, so a
therapist removed from the team prints nothing more at once. Anything else (an address
expired, tampered with or another browser's, a visit changed or deleted, a file not made
yet or a storage that can't open it) goes on through sessions and logins to
handout_views.print_handout, which answers as /visits/<pk>/handout.pdf and
/day/handouts.pdf do, for whoever is logged in: made on the spot, 404 for another clinic's.

What the address leaves as it is: logging out ends it at once (the browser drops the
session cookie); a session ended elsewhere (a password changed on another computer) is
only noticed on the authenticated way, so its addresses print ready files for at most
PRINT_ADDRESS_MINUTES more. The address needs no redaction in logs (aftercare/redact.py):
it names ids the authenticated addresses show as well, and is of no use without the
session cookie, which logs never hold."""

from __future__ import annotations

import dataclasses
import datetime
import hashlib
import re

from django.conf import settings
from django.core import signing
from django.http import FileResponse, HttpRequest
from django.urls import reverse

from aftercare import handouts

# Long enough for a page left open while the client puts their coat on; an older address
# still prints, the authenticated way.
PRINT_ADDRESS_MINUTES = 5
SALT = "aftercare.print"
ADDRESS = re.compile(r"^/print/(?P<address>[^/]+)\.pdf$")
WHAT = re.compile(r"^(?:visit\.(?P<visit>\d+)|day\.(?P<date>\d{4}-\d{2}-\d{2}))\.(?P<clinic>\d+)\.(?P<therapist>\d+)$")


@dataclasses.dataclass(frozen=True)
class Wanted:
    """What a print address names: a visit's handout, or the clinic's stack for a date."""

    visit_id: int | None
    date: datetime.date | None
    clinic_id: int
    therapist_id: int


    def __str__(self) -> str:
        where = f"visit.{self.visit_id}" if self.visit_id is not None else f"day.{self.date:%Y-%m-%d}"
        return f"{where}.{self.clinic_id}.{self.therapist_id}"


def _signer(session_cookie: str) -> signing.TimestampSigner:
    bound = hashlib.sha256(session_cookie.encode()).hexdigest()
    return signing.TimestampSigner(salt=f"{SALT}:{bound}")


def _session_cookie(request: HttpRequest) -> str | None:
    return request.COOKIES.get(settings.SESSION_COOKIE_NAME) or None


def signed(wanted: Wanted, session_cookie: str) -> str:
    """The address's part after /print/, for the browser holding `session_cookie`."""
    return _signer(session_cookie).sign(str(wanted))


def _address(request: HttpRequest, wanted: Wanted) -> str:
    cookie = _session_cookie(request)
    if cookie is None:  # not from a browser with a session (a test's bare request): nothing to bind to
        return ""
    return reverse("aftercare:print-handout", kwargs={"address": signed(wanted, cookie)})


def visit_address(request: HttpRequest, visit) -> str:
    """The visit's "Print" address for this browser (request.therapist's page); the
    authenticated address when there is no session cookie to bind it to."""
    wanted = Wanted(visit.pk, None, request.clinic.pk, request.therapist.pk)
    return _address(request, wanted) or reverse("aftercare:visit-handout", args=[visit.pk])


def day_address(request: HttpRequest, date: datetime.date) -> str:
    wanted = Wanted(None, date, request.clinic.pk, request.therapist.pk)
    return _address(request, wanted) or f"{reverse('aftercare:day-handouts')}?date={date:%Y-%m-%d}"


def wanted(address: str) -> Wanted | None:
    """What an address names, read without checking its signature (for the authenticated
    way, which checks access itself); None when it names nothing."""
    match = WHAT.match(address.split(":", 1)[0])
    if match is None:
        return None
    try:
        date = datetime.date.fromisoformat(match["date"]) if match["date"] else None
    except ValueError:
        return None
    return Wanted(int(match["visit"]) if match["visit"] else None, date, int(match["clinic"]), int(match["therapist"]))


def verified(request: HttpRequest, address: str) -> Wanted | None:
    """What the address names, if it was made for this browser's session in the last
    PRINT_ADDRESS_MINUTES; None otherwise."""
    cookie = _session_cookie(request)
    if cookie is None:
        return None
    try:
        what = _signer(cookie).unsign(address, max_age=datetime.timedelta(minutes=PRINT_ADDRESS_MINUTES))
    except signing.BadSignature:  # SignatureExpired included
        return None
    return wanted(what)


def ready_response(request: HttpRequest) -> FileResponse | None:
    """The ready file for a verified print address, or None to take the authenticated way."""
    match = ADDRESS.match(request.path_info)
    if match is None or request.method != "GET":
        return None
    what = verified(request, match["address"])
    if what is None:
        return None
    site_url = request.build_absolute_uri("/").rstrip("/")
    if what.visit_id is not None:
        sources = handouts.visit_sources(what.visit_id, site_url=site_url, clinic_id=what.clinic_id,
                                         therapist_id=what.therapist_id)
        name = handouts.filename(sources.first_name or "", sources.date or "", "homework")
    else:
        sources = handouts.day_sources(what.clinic_id, what.date, site_url=site_url, therapist_id=what.therapist_id)
        name = handouts.filename("handouts", f"{what.date:%Y-%m-%d}")
    ready = handouts.open_ready(sources)
    if ready is None:
        return None
    file, size = ready
    # Streamed from the storage (MEDIA_ROOT, or the bucket); inline, as the authenticated
    # addresses answer, so it opens in the browser's viewer with its print button.
    response = FileResponse(file, content_type="application/pdf", filename=name)
    response["Content-Length"] = size
    return response


class PrintMiddleware:
    """Before sessions and logins (settings.MIDDLEWARE): a verified print address of a ready,
    unchanged file is answered here; every other request goes on as usual."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        if request.path_info.startswith("/print/"):
            response = ready_response(request)
            if response is not None:
                return response
        return self.get_response(request)
