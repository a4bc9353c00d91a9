"""The client's own pages, opened from their private link with no account.

Every answer here (404 and 429 included) says: never send a Referer, never index, never
store. Unknown, revoked and expired links all get the same 404, and an address that
keeps missing gets 429."""

from __future__ import annotations

import datetime
from functools import wraps

from django.conf import settings
from django.db.models import Prefetch
from django.http import Http404, HttpResponse, HttpResponseForbidden
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST, require_safe
from django_ratelimit.core import get_usage

from aftercare import audit, calendar, handouts
from aftercare.forms import CheckInForm, ReminderForm
from aftercare.models import CheckIn, HomeworkItem, ShareLink, Visit

EARLIER_VISITS_SHOWN = 10
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
        for header, value in PRIVATE_HEADERS.items():
            response[header] = value
        return response

    return wrapper


def _get_link(request, token: str) -> ShareLink:
    """The live link for `token`. Misses count against the address, not hits, so a client
    opening their page often is never slowed down."""
    throttle = {"group": "client-link-miss", "key": "ip", "rate": settings.CLIENT_LINK_MISS_RATE}
    misses = get_usage(request, increment=False, **throttle)
    if misses and misses["count"] >= misses["limit"]:
        raise TooManyGuesses
    link = ShareLink.find(token)
    if link is None:
        get_usage(request, increment=True, **throttle)
        raise Http404
    return link


def _homework(link: ShareLink):
    """The client's visits that have homework, newest first, with their items."""
    return list(
        Visit.objects.filter(client=link.client, items__isnull=False)
        .distinct()
        .select_related("therapist__user")
        .prefetch_related(
            Prefetch("items", queryset=HomeworkItem.objects.select_related("exercise").prefetch_related("exercise__pictures"))
        )[
            : EARLIER_VISITS_SHOWN + 1
        ]
    )


def _render_page(request, link: ShareLink, reminder_form: ReminderForm | None = None, status: int = 200):
    today = timezone.localdate()
    visits = _homework(link)
    latest = visits[0] if visits else None
    items = list(latest.items.all()) if latest else []
    this_week = CheckIn.objects.filter(item__in=items).in_week_of(today).values_list("item_id", "day")
    counts, done_today = {}, set()
    for item_id, day in this_week:
        counts[item_id] = counts.get(item_id, 0) + 1
        if day == today:
            done_today.add(item_id)
    for item in items:
        item.this_week = counts.get(item.pk, 0)
        item.done_today = item.pk in done_today
    clinic = link.client.clinic
    return render(
        request,
        "client/homework.html",
        {
            "link": link,
            "client": link.client,
            "clinic": clinic,
            "latest": latest,
            "items": items,
            "earlier": visits[1:],
            "today": today,
            "reminder_form": reminder_form or ReminderForm(),
            "ask_email": _ask_email(latest, clinic),
        },
        status=status,
    )


def _ask_email(visit: Visit | None, clinic) -> str:
    if visit and visit.therapist and visit.therapist.user.email:
        return visit.therapist.user.email
    return clinic.email


@require_safe
@private_page
def client_page(request, token: str):
    link = _get_link(request, token)
    audit.link_opened(link, request)  # one INSERT; the .ics, handout and check-ins aren't logged
    return _render_page(request, link)


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
    form = ReminderForm(request.GET)
    if not form.is_valid():
        return _render_page(request, link, reminder_form=form, status=400)
    visits = _homework(link)
    latest = visits[0] if visits else None
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
    visits = _homework(link)
    if not visits:
        raise Http404
    visit = visits[0]
    visit.client = link.client
    pdf = handouts.visit_pdf(visit, site_url=request.build_absolute_uri("/").rstrip("/"), link=link)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(
        False, handouts.filename(link.client.first_name, f"{visit.date:%Y-%m-%d}", "homework")
    )
    return response
