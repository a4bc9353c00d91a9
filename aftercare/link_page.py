"""The client's page, `/h/<token>/`, read: the whole path from a token to the page's HTML.

Every opening runs `find()`, one query that gives the live link and a *change stamp* of
everything the page is built from; the stamp keys the shared cache, so a cached page can
never show what is no longer true. One trip to the cache (`get_many`) then reads the page,
this address's wrong tokens (`Misses`) and whether this address opened the link lately (the
audit log's opening). Only on a cache miss is the page built, with the ORM.

`find()` is hand-written SQL because it runs on every opening and composing it with the ORM
costs several times the rest of a cached opening (docs/client-page-performance.md). It
builds no model instances: it returns plain values. What it must cover is not kept by hand
anywhere else: tests/test_link_page_stamp.py reads the tables the page's own queries read
and fails when one of them is missing from the stamp."""

from __future__ import annotations

import datetime
import hashlib
import ipaddress
import logging
import re
import time
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.core.files.storage import default_storage
from django.db import connection
from django.db.models import Count, Exists, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.template.loader import get_template, render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone, translation

from aftercare import audit, feedback, link_files, reminders
from aftercare.addresses import client_address
from aftercare.forms import ReminderForm
from aftercare.models import CheckIn, HomeworkItem, ShareLink, Visit
from clients.models import Client
from exercises import library
from exercises.images import THUMB_LONG_SIDE
from exercises.models import Complaint, ExercisePicture
from exercises.translations import stamp as translations_stamp
from exercises.translations import supported

logger = logging.getLogger(__name__)

EARLIER_VISITS_SHOWN = 10
# The stamp changes with everything on the page but a therapist's own name and email on
# their login; this is how late those can show.
PAGE_CACHE_SECONDS = 10 * 60
PAGE_TEMPLATES = (
    "link/homework.html", "link/_card.html", "link/_feedback.html", "link/_word.html", "link/_reminders.html",
    "base_client.html",
)
# Tables the page reads that the stamp leaves out on purpose, and why. The stamp test
# fails on any other table the page reads that the stamp doesn't.
NOT_STAMPED = {
    "auth_user": "the therapist's name and email on their login: shown within PAGE_CACHE_SECONDS",
    "clients_therapist": "who the therapist is never changes on a visit; their name is on auth_user",
}


class TooManyGuesses(Exception):
    pass


class Misses:
    """Wrong tokens tried from one address (an IPv6 /64 counts as one) in the current
    window of CLIENT_LINK_MISS_RATE ("20/m", "100/h", "5/10m"), in the shared cache. Misses
    count, not hits, so a client opening their page often is never slowed down. Every view
    under the client's link reads it before its lookup."""

    UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}

    def __init__(self, request):
        self.limit, self.period = self.parse(settings.CLIENT_LINK_MISS_RATE)
        address = ipaddress.ip_address(client_address(request))
        if address.version == 6:
            address = ipaddress.ip_network(f"{address}/64", strict=False).network_address
        self.key = f"client-link-misses:{address}:{int(time.time() // self.period)}"

    @staticmethod
    @lru_cache(maxsize=8)
    def parse(rate: str) -> tuple[int, int]:
        limit, multiple, unit = re.fullmatch(r"(\d+)/(\d*)([smhd])", rate).groups()
        return int(limit), int(multiple or 1) * Misses.UNITS[unit]

    def too_many(self, count: int | None) -> bool:
        return (count or 0) >= self.limit

    def count(self) -> int | None:
        try:
            return cache.get(self.key)
        except Exception:
            logger.warning("Can't read the client link misses from the cache.", exc_info=True)
            return None

    def count_one(self) -> None:
        try:
            cache.add(self.key, 0, self.period + 10)
            try:
                cache.incr(self.key)
            except ValueError:  # the window ended between the two
                cache.set(self.key, 1, self.period + 10)
        except Exception:
            logger.warning("Can't count a client link miss in the cache.", exc_info=True)


class FromAnotherSite(Exception):
    """A post the browser marks as coming from another site: refused with this message."""


def get_link(request, token: str) -> ShareLink:
    """The live link for `token` with its client and clinic (one query), for the views
    under the link other than the page, unless this address has guessed too often. A post
    counts against the link's changes (link_files.count_post)."""
    misses = Misses(request)
    if misses.too_many(misses.count()):
        raise TooManyGuesses
    link = ShareLink.find(token)
    if link is None:
        misses.count_one()
        raise Http404
    if request.method == "POST":
        link_files.count_post(request, f"link:{link.pk}")
    return link


def get_own_link(request, token: str, refusal: str) -> ShareLink:
    """get_link for a post from the link's own page: one the browser marks as coming from
    another site (Sec-Fetch-Site: cross-site) is refused with `refusal`, before any lookup."""
    if request.headers.get("Sec-Fetch-Site") == "cross-site":
        raise FromAnotherSite(refusal)
    return get_link(request, token)


@dataclass(frozen=True)
class PageLink:
    """What an opening needs before it knows whether the page is cached."""

    pk: int
    client_id: int
    clinic_id: int
    token: str
    stamp: str


# What the page shows, and what the stamp follows: the client and clinic rows themselves;
# for their homework items, a count (deletions) and the newest updated_at of the items, their
# visits and exercises (additions, edits, wrap-ups); pictures of those exercises and
# check-ins, a count and the newest created_at; the client's feelings and words (aftercare/
# feedback.py), a count and the newest updated_at; the complaints of the client's visits (their
# red flags are printed), a count, a sum of ids (a complaint swapped for another) and the
# newest updated_at; the client's reminder plan, its updated_at. Plain SQL that SQLite and PostgreSQL read
# alike.
LOOKUP_SQL = """
    SELECT share_link.id, share_link.salt, share_link.client_id, client.clinic_id,
           CAST(client.updated_at AS TEXT) || ' ' || CAST(clinic.updated_at AS TEXT)
           || ' ' ||
           (SELECT CAST(COUNT(*) AS TEXT) || ' ' || COALESCE(CAST(MAX(item.updated_at) AS TEXT), '')
                   || ' ' || COALESCE(CAST(MAX(visit.updated_at) AS TEXT), '')
                   || ' ' || COALESCE(CAST(MAX(exercise.updated_at) AS TEXT), '')
              FROM aftercare_homeworkitem item
              JOIN aftercare_visit visit ON visit.id = item.visit_id
              JOIN exercises_exercise exercise ON exercise.id = item.exercise_id
             WHERE visit.client_id = share_link.client_id)
           || ' ' ||
           (SELECT CAST(COUNT(*) AS TEXT) || ' ' || COALESCE(CAST(MAX(picture.created_at) AS TEXT), '')
              FROM exercises_exercisepicture picture
              JOIN aftercare_homeworkitem item ON item.exercise_id = picture.exercise_id
              JOIN aftercare_visit visit ON visit.id = item.visit_id
             WHERE visit.client_id = share_link.client_id)
           || ' ' ||
           (SELECT CAST(COUNT(*) AS TEXT) || ' ' || CAST(COALESCE(SUM(complaint.id), 0) AS TEXT)
                   || ' ' || COALESCE(CAST(MAX(complaint.updated_at) AS TEXT), '')
              FROM aftercare_visit_complaints visit_complaint
              JOIN exercises_complaint complaint ON complaint.id = visit_complaint.complaint_id
              JOIN aftercare_visit visit ON visit.id = visit_complaint.visit_id
             WHERE visit.client_id = share_link.client_id)
           || ' ' ||
           COALESCE((SELECT CAST(plan.updated_at AS TEXT) FROM aftercare_reminderplan plan
                      WHERE plan.client_id = share_link.client_id), '')
           || ' ' ||
           (SELECT CAST(COUNT(*) AS TEXT) || ' ' || COALESCE(CAST(MAX(check_in.created_at) AS TEXT), '')
              FROM aftercare_checkin check_in
              JOIN aftercare_homeworkitem item ON item.id = check_in.item_id
              JOIN aftercare_visit visit ON visit.id = item.visit_id
             WHERE visit.client_id = share_link.client_id)
           || ' ' ||
           (SELECT CAST(COUNT(*) AS TEXT) || ' ' || COALESCE(CAST(MAX(feeling.updated_at) AS TEXT), '')
              FROM aftercare_itemfeeling feeling
              JOIN aftercare_homeworkitem item ON item.id = feeling.item_id
              JOIN aftercare_visit visit ON visit.id = item.visit_id
             WHERE visit.client_id = share_link.client_id)
           || ' ' ||
           (SELECT CAST(COUNT(*) AS TEXT) || ' ' || COALESCE(CAST(MAX(word.updated_at) AS TEXT), '')
              FROM aftercare_homeworkword word
              JOIN aftercare_visit visit ON visit.id = word.visit_id
             WHERE visit.client_id = share_link.client_id)
      FROM aftercare_sharelink share_link
      JOIN clients_client client ON client.id = share_link.client_id
      JOIN clients_clinic clinic ON clinic.id = client.clinic_id
     WHERE share_link.digest = %s AND share_link.revoked_at IS NULL AND share_link.expires_at > %s
"""


def find(token: str) -> PageLink | None:
    """The live link for `token` and the page's change stamp, as plain values; None for
    unknown, revoked and expired alike. One query."""
    if not ShareLink.could_be(token):
        return None
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    with connection.cursor() as cursor:
        cursor.execute(LOOKUP_SQL, [ShareLink.digest_of(token), now])
        row = cursor.fetchone()
    if row is None:
        return None
    pk, salt, client_id, clinic_id, stamp = row
    if not ShareLink.token_matches(salt, token):
        return None
    return PageLink(pk=pk, client_id=client_id, clinic_id=clinic_id, token=token, stamp=stamp)


@lru_cache(maxsize=1)
def _release() -> str:
    """Changes when the page's templates, stylesheet, translations or built-in pictures
    change, so a deploy never serves a page cached by the previous release."""
    digest = hashlib.sha256(static("css/client.css").encode() + translations_stamp().encode())
    for name in PAGE_TEMPLATES:
        digest.update(Path(get_template(name).origin.name).read_bytes())
    # A redrawn built-in picture gets a new address (its hash in the static manifest) that
    # a page cached before the deploy would not have.
    for name in sorted({row["illustration"] for row in library.EXERCISES}):
        digest.update(static(f"exercises/illustrations/{name}").encode())
    return digest.hexdigest()[:16]


def page_key(link: PageLink, today: datetime.date) -> str:
    stamp = repr((today, _release(), link.stamp))
    return f"client-page:{link.pk}:{hashlib.sha256(stamp.encode()).hexdigest()}"


# Coming back to the page from the same address within this long (a reload, a tick, which
# reloads the page, a second look after lunch) is the same opening: the log tells a
# therapist when the client looked, not how often their browser asked. It also keeps a
# write off the page's common path.
OPENING_GAP_SECONDS = 30 * 60


def opening_key(link: PageLink, request) -> str:
    """The shared cache's note that this address opened this link within the gap."""
    return f"client-link-opened:{link.pk}:{audit.hash_address(request)[:32]}"


def open_page(request, token: str) -> str:
    """The page's HTML for `token`, the opening recorded; Http404 for a link that doesn't
    open, TooManyGuesses for an address that keeps missing.

    Queries: 1 the link and its stamp (always asked, so a revoked or expired link is a 404
    at once); 2 the opening written to the audit log, when this address hasn't opened the
    link in the last half hour; on a cache miss, 3 the page's homework with the client and
    clinic (and 4 the client and clinic when there is no homework yet). The page is rendered
    without the request, so nothing of one request (a session, a CSRF token) is ever cached
    into it; a cache that is down costs speed, never the page."""
    link = find(token)
    today = timezone.localdate()
    misses = Misses(request)
    html_key = page_key(link, today) if link else None
    opened_key = opening_key(link, request) if link else None
    try:
        cached = cache.get_many([misses.key, html_key, opened_key] if link else [misses.key])
    except Exception:
        logger.warning("The client page cache can't be read; rendering without it.", exc_info=True)
        cached, html_key, opened_key = {}, None, None
    # A guesser held up learns nothing, not even whether a token was right.
    if misses.too_many(cached.get(misses.key)):
        raise TooManyGuesses
    if link is None:
        misses.count_one()
        raise Http404
    # The audit log's record of this opening: one INSERT, no reads. The .ics, the handout
    # and check-ins aren't openings; nor is coming back within the half hour, nor a HEAD (a
    # link checker's, not a person's). Without a cache every opening is written.
    remember = {}
    if opened_key not in cached and request.method == "GET":
        if not audit.link_opened(link, request):
            raise Http404  # the client was deleted a moment ago
        if opened_key:
            remember[opened_key] = (True, OPENING_GAP_SECONDS)
    html = cached.get(html_key)
    if html is None:
        context = page_context(link.client_id, link.token, today)
        with translation.override(context["language"]):
            html = render_to_string("link/homework.html", context)
        if html_key:
            remember[html_key] = (html, PAGE_CACHE_SECONDS)
    for key, (value, seconds) in remember.items():
        try:
            cache.set(key, value, seconds)
        except Exception:
            logger.warning("The client page cache can't be written.", exc_info=True)
            break
    return html


@dataclass(frozen=True)
class Picture:
    src: str
    width: int
    height: int
    srcset: str = ""


def _picture(item: HomeworkItem) -> Picture:
    """The item's picture as the page shows it: the clinic's own photo with its thumbnail
    offered to small screens, else the built-in drawing (SVG, sharp at any size)."""
    if not item.picture_image:
        return Picture(item.exercise.illustration_url(), 400, 300)
    width, height = item.picture_width or 1600, item.picture_height or 1200
    # The thumbnail is the stored picture shrunk to fit 400 px (never enlarged).
    thumb_width = round(width * min(1, THUMB_LONG_SIDE / max(width, height)))
    image, thumbnail = default_storage.url(item.picture_image), default_storage.url(item.picture_thumbnail)
    return Picture(image, width, height, f"{thumbnail} {thumb_width}w, {image} {width}w")


def _page_visits(client_id: int, today: datetime.date) -> list[Visit]:
    """The client's newest visits that have homework, newest first, each with `homework`:
    its items, with their exercise, picture, ticks this week and whether done today, and
    each visit with its client and clinic. One query for all of it."""
    with_homework = (
        Visit.objects.filter(client=client_id).with_homework().order_by("-date", "-created_at")
        .values("pk")[: EARLIER_VISITS_SHOWN + 1]
    )
    first_picture = ExercisePicture.objects.filter(exercise=OuterRef("exercise_id")).order_by("position", "pk")
    ticks_this_week = (
        CheckIn.objects.filter(item=OuterRef("pk")).in_week_of(today).order_by().values("item").annotate(n=Count("pk"))
    )
    items = (
        HomeworkItem.objects.filter(visit__in=Subquery(with_homework))
        .select_related("visit__client__clinic", "visit__client__reminder_plan", "visit__therapist__user", "exercise")
        .annotate(
            picture_image=Subquery(first_picture.values("image")[:1]),
            picture_thumbnail=Subquery(first_picture.values("thumbnail")[:1]),
            picture_width=Subquery(first_picture.values("width")[:1]),
            picture_height=Subquery(first_picture.values("height")[:1]),
            this_week=Coalesce(Subquery(ticks_this_week.values("n")[:1]), 0),
            done_today=Exists(CheckIn.objects.filter(item=OuterRef("pk"), day=today)),
            **feedback.page_annotations(today),
        )
        .order_by("-visit__date", "-visit__created_at", "slot")
    )
    visits: dict[int, Visit] = {}
    for item in items:
        item.picture = _picture(item)
        visit = visits.setdefault(item.visit_id, item.visit)
        visit.homework = [*getattr(visit, "homework", []), item]
    feedback.attach_days(items, today)
    return list(visits.values())


def page_context(
    client_id: int, token: str, today: datetime.date, reminder_form: ReminderForm | None = None,
    reminder_settings=None, **refused
) -> dict:
    """What the page shows; `refused`: a form sent back with what was wrong (a 400, never cached)."""
    visits = _page_visits(client_id, today)
    latest = visits[0] if visits else None
    # The client and clinic come with the homework; a client with none yet costs a query.
    client = latest.client if latest else Client.objects.select_related("clinic").filter(pk=client_id).first()
    if client is None:
        raise Http404  # deleted a moment ago
    # Everything on the page in the client's language: the library's texts too.
    language = supported(client.speaks)
    for visit in visits:
        for item in visit.homework:
            item.exercise = item.exercise.in_language(language)
    # "See your doctor first if…" for the newest visit's complaints: one query.
    red_flags = list(Complaint.objects.filter(visits=latest.pk).exclude(red_flags="")) if latest else []
    return {
        "token": token,
        "language": language,
        "language_switch": {"action": reverse("client-language", args=[token]), "choices": settings.LANGUAGES},
        "red_flags": [complaint.in_language(language) for complaint in red_flags],
        "client": client,
        "clinic": client.clinic,
        "latest": latest,
        "items": latest.homework if latest else [],
        "earlier": visits[1:],
        "today": today,
        "reminder_form": reminder_form or ReminderForm(),
        "ask_email": _ask_email(latest, client.clinic),
        **reminders.page_part(client, latest, latest.homework if latest else [], token, form=reminder_settings),
        **refused,
    }


def _ask_email(visit: Visit | None, clinic) -> str:
    if visit and visit.therapist and visit.therapist.user.email:
        return visit.therapist.user.email
    return clinic.email
