"""The therapist's week: how the clinic's clients are getting on between visits, and a
gentle nudge to one of them, on the therapist's say-so."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext

from aftercare import feedback
from aftercare.feedback_forms import BetweenFilterForm, NudgeForm
from aftercare.nudges import NO_WAY, Nudge, Way, default_text, reach
from clients.access import get_client, therapist_required

CLIENTS_PER_PAGE = 25


@therapist_required
def week(request):
    """Queries: the page of clients with every figure of the row as a subquery (see
    feedback.between_rows), and their count: two, for 3 clients or 10,000."""
    choose = BetweenFilterForm(request.GET or None)
    team = choose.team()
    today = timezone.localdate()
    rows = feedback.between_rows(request.clinic, today, therapist=None if team else request.therapist)
    page = Paginator(rows, CLIENTS_PER_PAGE).get_page(choose.page_number())
    for row in page.object_list:
        row.said = feedback.latest_word(row)
        row.flag_label = feedback.Flag(row.flag).label
        row.nudge_again = Nudge.next_allowed(row.last_nudge)
    return render(
        request,
        "aftercare/between_visits.html",
        {"page": page, "team": team, "today": today, "weeks": feedback.BETWEEN_WEEKS},
    )


@therapist_required
def nudge(request, client_pk: int):
    """The nudge's kind text, to read and change, then send: through the way the client can
    be reached (aftercare/nudges.py), once a week at most."""
    client = get_client(request, client_pk)
    last = client.nudges.values_list("created_at", flat=True).first()
    way, address = reach(client)
    form = NudgeForm(request.POST or None, initial={"text": default_text(client, request.therapist, request.clinic)})
    if request.method == "POST" and form.is_valid():
        try:
            Nudge.send(
                client, form.cleaned_data["text"], by=request.therapist,
                site_url=request.build_absolute_uri("/").rstrip("/"),
            )
        except ValidationError as e:
            form.add_error(None, e)
        else:
            messages.success(request, gettext("Sending %(name)s a gentle nudge %(way)s.") % {"name": client.first_name, "way": Way(way).label})
            return redirect("aftercare:between-visits")
    return render(
        request,
        "aftercare/nudge.html",
        {
            "client": client,
            "form": form,
            "way": way,
            "address": address,
            "no_way": NO_WAY.format(name=client.first_name) if way is None else "",
            "last": last,
            "too_soon": Nudge.too_soon(client, last) if Nudge.next_allowed(last) else "",
            "can_email": request.clinic.email_confirmed,
        },
        status=400 if form.errors else 200,
    )
