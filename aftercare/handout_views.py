"""The clinic's printouts: a visit's handout, the day's visits and their handouts in one
PDF, and a sheet for any exercise of the library."""

from __future__ import annotations

import datetime

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET

from aftercare import handouts, printing, tasks
from aftercare.access import get_visit
from aftercare.forms import DayForm
from aftercare.models import Visit
from clients.access import get_exercise, therapist_required


def pdf_response(pdf: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    # Inline, so it opens in the browser's viewer with its print button.
    response["Content-Disposition"] = content_disposition_header(False, filename)
    return response


def file_response(ready, filename: str) -> HttpResponse:
    """A ready file from the storage (handouts.open_ready), as pdf_response. (Read whole
    rather than streamed: a handout is tens of kilobytes, a day's stack a few hundred.)"""
    file, _size = ready
    with file:
        return pdf_response(file.read(), filename)


def site_url(request) -> str:
    """Where the QR code's link points: the address this request came to."""
    return request.build_absolute_uri("/").rstrip("/")


def _day(data) -> datetime.date:
    form = DayForm(data)
    if not form.is_valid():
        raise Http404
    return form.cleaned_data["date"] or timezone.localdate()


@require_GET
@therapist_required
def visit_handout(request, pk: int):
    return _visit_handout(request, pk)


def _visit_handout(request, pk: int):
    # Unchanged since the handout was made: served as it is, after one query.
    sources = handouts.visit_sources(pk, site_url=site_url(request), clinic_id=request.clinic.pk)
    ready = handouts.open_ready(sources)
    if ready:
        return file_response(ready, handouts.filename(sources.first_name, sources.date, "homework"))
    # The visit with its clinic, therapist and homework in one go (the clinic's own only).
    visit = get_visit(request, pk, loading=handouts.visits_with_items(Visit.objects.all()))
    pdf = handouts.ready_visit_pdf(visit, site_url=site_url(request), by=request.therapist, sources=sources.mark)
    return pdf_response(pdf, handouts.filename(visit.client.first_name, f"{visit.date:%Y-%m-%d}", "homework"))


@require_GET
@therapist_required
def day(request):
    form = DayForm(request.GET)
    date = form.cleaned_data["date"] if form.is_valid() and form.cleaned_data["date"] else timezone.localdate()
    visits = handouts.day_visits(request.clinic, date)
    if any(visit.items.all() for visit in visits):
        # Print the day's handouts ahead, so "Print" answers from a ready file.
        tasks.prepare_day_handouts.enqueue(request.clinic.pk, date.isoformat(), site_url(request))
    return render(
        request,
        "aftercare/day.html",
        {
            "form": DayForm(initial={"date": date}) if form.is_valid() else form,
            "date": date,
            "today": timezone.localdate(),
            "previous": date - datetime.timedelta(days=1),
            "next": date + datetime.timedelta(days=1),
            "visits": visits,
            "printable": sum(1 for visit in visits if visit.items.all()),
        },
        status=200 if form.is_valid() else 400,
    )


@require_GET
@therapist_required
def day_handouts(request):
    return _day_handouts(request, _day(request.GET))


def _day_handouts(request, date: datetime.date):
    sources = handouts.day_sources(request.clinic.pk, date, site_url=site_url(request))
    ready = handouts.open_ready(sources)
    if ready:
        return file_response(ready, handouts.filename("handouts", f"{date:%Y-%m-%d}"))
    pdf = handouts.ready_day_pdf(request.clinic, date, site_url=site_url(request), by=request.therapist, sources=sources.mark)
    return pdf_response(pdf, handouts.filename("handouts", f"{date:%Y-%m-%d}"))


@require_GET
@therapist_required
def print_handout(request, address: str):
    """A print address (aftercare/printing.py) the middleware didn't answer from a ready file:
    expired, another browser's, tampered with, or the file changed, not made yet or gone.
    Answered as the authenticated addresses answer, for whoever is logged in: what the
    address names is only read here, never trusted (another clinic's visit is a 404)."""
    wanted = printing.wanted(address)
    if wanted is None:
        raise Http404
    if wanted.visit_id is not None:
        return _visit_handout(request, wanted.visit_id)
    return _day_handouts(request, _day({"date": wanted.date}))  # the day page's rule for dates


@require_GET
@therapist_required
def exercise_sheet(request, pk: int):
    # Any exercise the clinic can see, retired or copied ones too (the sheet is for reading).
    # In the clinic's language, or ?language=fr for a client who reads another.
    exercise = get_exercise(request, pk)
    pdf = handouts.exercise_pdf(exercise, request.clinic, language=request.GET.get("language"))
    return pdf_response(pdf, handouts.filename(exercise.name))
