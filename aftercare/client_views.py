"""The client's own pages, opened from their private link with no account.

Every answer here (404 and 429 included) says: never send a Referer, never index, never
store. Unknown, revoked and expired links all get the same 404, and an address that
keeps missing gets 429."""

from __future__ import annotations

import datetime
import hashlib
import ipaddress
import logging
import re
import time
from dataclasses import dataclass
from functools import lru_cache, wraps
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.core.files.storage import default_storage
from django.db.models import Count, Exists, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404, HttpResponse, HttpResponseForbidden
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import get_template, render_to_string
from django.templatetags.static import static
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST, require_safe

from aftercare import audit, calendar, handouts, link_files
from aftercare.addresses import client_address
from aftercare.forms import CheckInForm, ReminderForm
from aftercare.models import CheckIn, HomeworkItem, ShareLink, Visit
from exercises.images import THUMB_LONG_SIDE
from exercises.models import ExercisePicture

logger = logging.getLogger(__name__)

EARLIER_VISITS_SHOWN = 10
# The cache key changes with everything on the page but a therapist's own name; this is
# how late a renamed therapist can show.
PAGE_CACHE_SECONDS = 10 * 60
PAGE_TEMPLATES = ("client/homework.html", "client/_card.html", "base_client.html")
PRIVATE_HEADERS = {
    "Referrer-Policy": "no-referrer",
    "X-Robots-Tag": "noindex, nofollow, noarchive",
    "Cache-Control": "no-store, private",
}


class TooManyGuesses(Exception):
    pass


def private_page(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            response = view(request, *args, **kwargs)
        except Http404:
            response = render(request, "client/not_found.html", status=404)
        except TooManyGuesses:
            response = render(request, "client/too_many.html", status=429)
        except link_files.TooManyFiles:
            response = render(request, "client/too_many_files.html", status=429)
        for header, value in PRIVATE_HEADERS.items():
            response[header] = value
        return response

    return wrapper


class Misses:
    """Wrong tokens tried from one address (an IPv6 /64 counts as one) in the current
    window of CLIENT_LINK_MISS_RATE ("20/m", "100/h", "5/10m"), in the shared cache. Misses
    count, not hits, so a client opening their page often is never slowed down."""

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


def _get_link(request, token: str) -> ShareLink:
    """The live link for `token` (one query), unless this address has guessed too often."""
    misses = Misses(request)
    if misses.too_many(misses.count()):
        raise TooManyGuesses
    link = ShareLink.find(token)
    if link is None:
        misses.count_one()
        raise Http404
    return link


def _latest_homework(link: ShareLink) -> Visit | None:
    """The client's newest visit with homework, its items with what a handout prints."""
    return handouts.visits_with_items(Visit.objects.filter(client=link.client_id).with_homework()).first()


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


def _page_visits(link: ShareLink, today: datetime.date) -> list[Visit]:
    """The client's newest visits that have homework, newest first, each with `homework`:
    its items, with their exercise, picture, ticks this week and whether done today.
    One query for all of it."""
    with_homework = (
        Visit.objects.filter(client=link.client_id).with_homework().order_by("-date", "-created_at")
        .values("pk")[: EARLIER_VISITS_SHOWN + 1]
    )
    first_picture = ExercisePicture.objects.filter(exercise=OuterRef("exercise_id")).order_by("position", "pk")
    ticks_this_week = (
        CheckIn.objects.filter(item=OuterRef("pk")).in_week_of(today).order_by().values("item").annotate(n=Count("pk"))
    )
    items = (
        HomeworkItem.objects.filter(visit__in=Subquery(with_homework))
        .select_related("visit__therapist__user", "exercise")
        .annotate(
            picture_image=Subquery(first_picture.values("image")[:1]),
            picture_thumbnail=Subquery(first_picture.values("thumbnail")[:1]),
            picture_width=Subquery(first_picture.values("width")[:1]),
            picture_height=Subquery(first_picture.values("height")[:1]),
            this_week=Coalesce(Subquery(ticks_this_week.values("n")[:1]), 0),
            done_today=Exists(CheckIn.objects.filter(item=OuterRef("pk"), day=today)),
        )
        .order_by("-visit__date", "-visit__created_at", "slot")
    )
    visits: dict[int, Visit] = {}
    for item in items:
        item.picture = _picture(item)
        visit = visits.setdefault(item.visit_id, item.visit)
        visit.homework = [*getattr(visit, "homework", []), item]
    return list(visits.values())


def _page_context(link: ShareLink, today: datetime.date, reminder_form: ReminderForm | None = None) -> dict:
    visits = _page_visits(link, today)
    latest = visits[0] if visits else None
    clinic = link.client.clinic
    return {
        "link": link,
        "client": link.client,
        "clinic": clinic,
        "latest": latest,
        "items": latest.homework if latest else [],
        "earlier": visits[1:],
        "today": today,
        "reminder_form": reminder_form or ReminderForm(),
        "ask_email": _ask_email(latest, clinic),
    }


def _render_page(request, link: ShareLink, reminder_form: ReminderForm | None = None, status: int = 200):
    context = _page_context(link, timezone.localdate(), reminder_form)
    return render(request, "client/homework.html", context, status=status)


@lru_cache(maxsize=1)
def _release() -> str:
    """Changes when the page's templates or stylesheet change, so a deploy never serves a
    page cached by the previous release."""
    digest = hashlib.sha256(static("css/client.css").encode())
    for name in PAGE_TEMPLATES:
        digest.update(Path(get_template(name).origin.name).read_bytes())
    return digest.hexdigest()[:16]


def _page_key(link: ShareLink, today: datetime.date) -> str:
    stamp = repr((today, _release(), *link.page_stamp))
    return f"client-page:{link.pk}:{hashlib.sha256(stamp.encode()).hexdigest()}"


def _ask_email(visit: Visit | None, clinic) -> str:
    if visit and visit.therapist and visit.therapist.user.email:
        return visit.therapist.user.email
    return clinic.email


@require_safe
@private_page
def client_page(request, token: str):
    """Queries: 1 the link with its client, clinic and page stamp (always asked, so a
    revoked or expired link is a 404 at once); 2 the opening written to the audit log, when
    this address hasn't opened the link in the last half hour; on a cache miss, 3 the
    page's homework. One trip to the shared cache reads this address's misses, whether it
    opened the link lately, and the page.

    The page is rendered without the request, so nothing of one request (a session, a CSRF
    token) is ever cached into it; a cache that is down costs speed, never the page."""
    link = ShareLink.find_for_page(token)
    today = timezone.localdate()
    misses = Misses(request)
    page_key = _page_key(link, today) if link else None
    opened_key = audit.opening_key(link, request) if link else None
    try:
        cached = cache.get_many([misses.key, page_key, opened_key] if link else [misses.key])
    except Exception:
        logger.warning("The client page cache can't be read; rendering without it.", exc_info=True)
        cached, page_key, opened_key = {}, None, None
    # A guesser held up learns nothing, not even whether a token was right.
    if misses.too_many(cached.get(misses.key)):
        raise TooManyGuesses
    if link is None:
        misses.count_one()
        raise Http404
    # The audit log's record of this opening: one INSERT, no reads. The .ics, the handout
    # and check-ins aren't logged as openings; nor is coming back within the half hour, nor
    # a HEAD (a link checker's, not a person's). Without a cache every opening is written.
    remember = {}
    if opened_key not in cached and request.method == "GET":
        if not audit.link_opened(link, request):
            raise Http404  # the client was deleted a moment ago
        if opened_key:
            remember[opened_key] = (True, audit.OPENING_GAP_SECONDS)
    html = cached.get(page_key)
    if html is None:
        html = render_to_string("client/homework.html", _page_context(link, today))
        if page_key:
            remember[page_key] = (html, PAGE_CACHE_SECONDS)
    for key, (value, seconds) in remember.items():
        try:
            cache.set(key, value, seconds)
        except Exception:
            logger.warning("The client page cache can't be written.", exc_info=True)
            break
    return HttpResponse(html)


@csrf_exempt
@require_POST
@private_page
def check_in(request, token: str):
    """Tick or untick an item for a day.

    Django's CSRF check can't run here: under `Referrer-Policy: no-referrer` browsers send
    `Origin: null` with every form post, and there is no session. What protects it instead:
    the link token in the address is a 256-bit secret a forging site cannot know, and a post
    that the browser marks as coming from another site is refused."""
    if request.headers.get("Sec-Fetch-Site") == "cross-site":
        return HttpResponseForbidden("Check-ins come from your own homework page.")
    link = _get_link(request, token)
    form = CheckInForm(request.POST, today=timezone.localdate())
    if not form.is_valid():
        raise Http404
    item = get_object_or_404(HomeworkItem.objects.filter(visit__client=link.client), pk=form.cleaned_data["item"])
    if form.cleaned_data["action"] == "undo":
        CheckIn.objects.filter(item=item, day=form.cleaned_data["day"]).delete()
    else:
        CheckIn.objects.get_or_create(item=item, day=form.cleaned_data["day"])
    return redirect(f"{link.path}#tick-{item.pk}")


@require_safe
@private_page
def reminders(request, token: str):
    link = _get_link(request, token)
    link_files.count(request, link)
    form = ReminderForm(request.GET)
    if not form.is_valid():
        return _render_page(request, link, reminder_form=form, status=400)
    latest = _latest_homework(link)
    today = timezone.localdate()
    rebook_by = latest.rebook_by if latest else None
    ics = calendar.reminders(
        list(latest.items.all()) if latest else [],
        at=form.cleaned_data["time"],
        starting=today,
        until=rebook_by + datetime.timedelta(weeks=1) if rebook_by and rebook_by > today else None,
        link_url=request.build_absolute_uri(link.path),
    )
    response = HttpResponse(ics, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="aftercare-reminders.ics"'
    return response


@require_safe
@private_page
def handout(request, token: str):
    """The client's own printable handout of their newest homework."""
    link = _get_link(request, token)
    link_files.count(request, link)
    visit = _latest_homework(link)
    if visit is None:
        raise Http404
    pdf = handouts.visit_pdf(visit, site_url=request.build_absolute_uri("/").rstrip("/"), link=link)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(
        False, handouts.filename(link.client.first_name, f"{visit.date:%Y-%m-%d}", "homework")
    )
    return response
