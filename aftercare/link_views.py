"""The client's own pages, opened from their private link with no account: the page
itself (read through aftercare/link_page.py), ticks, the calendar file and the handout.

Every answer here (404 and 429 included) says: never send a Referer, never index, never
store. Unknown, revoked and expired links all get the same 404, and an address that
keeps missing gets 429."""

from __future__ import annotations

import datetime
from functools import wraps

from django.http import Http404, HttpResponse, HttpResponseForbidden, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext, gettext_lazy
from django.utils.http import content_disposition_header
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST, require_safe

from aftercare import calendar, handouts, link_files, link_page
from aftercare.forms import CheckInForm, ReminderForm
from aftercare.link_page import FromAnotherSite, TooManyGuesses, get_link
from aftercare.models import CheckIn, HomeworkItem, ShareLink, Visit

PRIVATE_HEADERS = {
    "Referrer-Policy": "no-referrer",
    "X-Robots-Tag": "noindex, nofollow, noarchive",
    "Cache-Control": "no-store, private",
}


TOO_MANY_POSTS = gettext_lazy("This page has been changed many times in a short while. Wait a little, then try again.")


def private_page(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            response = view(request, *args, **kwargs)
        except Http404:
            response = render(request, "link/not_found.html", status=404)
        except TooManyGuesses:
            response = render(request, "link/too_many.html", status=429)
        except link_files.TooManyFiles:
            response = render(request, "link/too_many_files.html", status=429)
        except link_files.TooManyPosts:
            if request.content_type == "application/json":  # the page's script reads {"error": ...}
                response = JsonResponse({"error": str(TOO_MANY_POSTS)}, status=429)
            else:
                response = render(request, "link/too_many_posts.html", status=429)
        except FromAnotherSite as refusal:
            response = HttpResponseForbidden(str(refusal))
        for header, value in PRIVATE_HEADERS.items():
            response[header] = value
        return response

    return wrapper


def in_clients_language(link: ShareLink):
    """What a view under the link says (a form sent back with its errors, a refusal) in the
    client's language, as their page is. A dead link's pages stay in the browser's."""
    return translation.override(handouts.client_language(link.client))


def _latest_homework(link: ShareLink) -> Visit | None:
    """The client's newest visit with homework, its items with what a handout prints."""
    return handouts.visits_with_items(Visit.objects.filter(client=link.client_id).with_homework()).first()


@require_safe
@private_page
def client_page(request, token: str):
    """Queries and caching: see link_page.open_page."""
    return HttpResponse(link_page.open_page(request, token))


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
        return HttpResponseForbidden(gettext("Check-ins come from your own homework page."))
    link = get_link(request, token)
    today = timezone.localdate()
    form = CheckInForm(request.POST, today=today)
    if not form.is_valid():
        if set(form.errors) == {"day"}:  # a day outside the last seven: say so, change nothing
            with in_clients_language(link):
                context = link_page.page_context(
                    link.client_id, token, today, refused_message=form.errors["day"][0], tick_form=form
                )
                return render(request, "link/homework.html", context, status=400)
        raise Http404
    item = get_object_or_404(HomeworkItem.objects.filter(visit__client=link.client), pk=form.cleaned_data["item"])
    day = form.cleaned_data["day"]
    if form.cleaned_data["action"] == "undo":
        CheckIn.objects.filter(item=item, day=day).delete()
    else:
        CheckIn.objects.get_or_create(item=item, day=day)
    return redirect(f"{link.path}#{'tick' if day == today else 'days'}-{item.pk}")


@require_safe
@private_page
def reminders(request, token: str):
    link = get_link(request, token)
    link_files.count(request, link)
    form = ReminderForm(request.GET)
    if not form.is_valid():
        # The page again with what was wrong, in the client's language as the page always is.
        with in_clients_language(link):
            context = link_page.page_context(link.client_id, token, timezone.localdate(), reminder_form=form)
            return render(request, "link/homework.html", context, status=400)
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
    link = get_link(request, token)
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
