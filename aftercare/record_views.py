"""The therapist's pages about the clinic's client records: the list and search, adding
and editing a client, the client's page with their visits and history, the export and the
deletion. (The client's own phone pages, opened from their link, are `link_views.py`.)"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Max, Prefetch
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.utils.translation import gettext
from django.utils.translation import gettext_noop
from django.utils.translation import gettext_lazy as _

from aftercare import audit, export, merge, reminders, tasks
from aftercare.access import get_export
from aftercare.feedback import HomeworkWord, ItemFeeling
from aftercare.forms import VisitForm
from aftercare.models import CheckIn, HomeworkItem, PreparedFile, ShareLink, Visit
from aftercare.nudges import Nudge
from aftercare.prepared import Kind, export_expiry
from clients.access import get_client, therapist_required
from clients.forms import ClientForm, DeleteClientForm, QuickClientForm
from clients.models import Client
from clients.paging import page_of

CLIENTS_PER_PAGE = 25
HISTORY_SHOWN = 10  # on the client's page; "Show all" pages through the rest
HISTORY_PER_PAGE = 50
MERGE_CANDIDATES = 10
# In English here, as the 403 page's key: the page translates it (templates/403.html).
OWNERS_MERGE = gettext_noop("Only the clinic's owners can merge two records of a client. Ask one of them.")


def _known_clients(request):
    """The clinic's clients a new one might duplicate, each with the date of their last
    visit (for "Is this Hannah Desk, last seen 3 Nov?")."""
    return Client.objects.for_clinic(request.clinic).annotate(last_seen=Max("visits__date"))


def _render_list(request, form=None, status=200):
    q = request.GET.get("q", "").strip()[:100]
    clients = Client.objects.for_clinic(request.clinic)
    if q:
        clients = clients.search(q)
    page = page_of(clients.only("pk", "first_name", "last_name", "email"), request.GET.get("page"), CLIENTS_PER_PAGE)
    if form is None:
        # Nobody found: offer to add them under the name that was searched for.
        form = QuickClientForm(initial={"first_name": q} if q and not page.object_list else None)
    steps = None
    if request.clinic.shows_checklist(request.therapist):
        steps = request.clinic.first_run_steps(request.therapist)
        steps = None if all(step.done for step in steps) else steps
    context = {"page": page, "q": q, "form": form, "steps": steps}
    return render(request, "clients/client_list.html", context, status=status)


@therapist_required
def client_list(request):
    return _render_list(request)


@require_POST
@therapist_required
def client_quick_add(request):
    form = QuickClientForm(request.POST, duplicates_among=_known_clients(request))
    if form.is_valid():
        client = form.save(commit=False)
        client.clinic = request.clinic
        client.save()
        audit.record(client, audit.Action.CLIENT_CREATED, by=request.therapist)
        messages.success(request, gettext("%(name)s is added. Start today's visit when you're ready.") % {"name": client.first_name})
        return redirect("clients:detail", pk=client.pk)
    return _render_list(request, form, status=400)


@therapist_required
def client_create(request):
    form = ClientForm(
        request.POST or None, clinic=request.clinic, submit_label=_("Add client"), duplicates_among=_known_clients(request)
    )
    if form.is_valid():
        client = form.save(commit=False)
        client.clinic = request.clinic
        client.save()
        form.save_m2m()
        audit.record(client, audit.Action.CLIENT_CREATED, by=request.therapist)
        messages.success(request, gettext("%(name)s is added.") % {"name": client.first_name})
        return redirect("clients:detail", pk=client.pk)
    return render(request, "clients/client_form.html", {"form": form, "client": None})


@require_POST
@therapist_required
def client_sample(request):
    """The first-run checklist's sample client: someone to try a visit on, with the
    therapist's own email so the link can be sent to themselves."""
    client = Client.objects.create(
        clinic=request.clinic, first_name="Sample", last_name="Client", email=request.user.email
    )
    audit.record(client, audit.Action.CLIENT_CREATED, by=request.therapist, detail="a sample client")
    messages.success(request, gettext("Here's a sample client to try things on. Start today's visit and give them homework."))
    return redirect("clients:detail", pk=client.pk)


@therapist_required
def client_edit(request, pk: int):
    client = get_client(request, pk)
    form = ClientForm(request.POST or None, clinic=request.clinic, instance=client)
    if form.is_valid():
        form.save()
        if form.changed_data:
            # Which details changed, never what they say: the log outlives the client.
            changed = ", ".join(str(form.fields[name].label).lower() for name in form.changed_data)
            audit.record(client, audit.Action.CLIENT_EDITED, by=request.therapist, detail=changed)
        messages.success(request, gettext("Saved."))
        return redirect("clients:detail", pk=client.pk)
    return render(request, "clients/client_form.html", {"form": form, "client": client})


@therapist_required
def client_detail(request, pk: int):
    client = get_client(request, pk)
    visits = list(
        Visit.objects.filter(client=client)
        .select_related("therapist__user")
        .prefetch_related(
            "complaints",
            Prefetch(
                "items",
                queryset=HomeworkItem.objects.select_related("exercise").annotate(tick_count=Count("check_ins")),
            ),
        )
    )
    events = audit.AuditEvent.objects.for_client(client)
    if "history" in request.GET:
        # Everything, openings of their link included, newest first.
        history = Paginator(events, HISTORY_PER_PAGE).get_page(request.GET.get("page"))
        more = False
    else:
        # The team's latest actions; the link's openings are summed up beside them.
        latest = list(events.actions()[: HISTORY_SHOWN + 1])
        history, more = latest[:HISTORY_SHOWN], len(latest) > HISTORY_SHOWN
    # Today's visit starts here: what they came in with, ticked from last time.
    last = visits[0] if visits else None
    start_form = VisitForm(
        initial={"complaints": list(last.complaints.all())} if last else None,
        clinic=request.clinic,
        submit_label=_("Start today's visit"),
        form_tag=False,
    )
    return render(
        request,
        "clients/client_detail.html",
        {
            "client": client,
            "visits": visits,
            "start_form": start_form,
            "last": last,
            "today_visit": last if last and last.date == timezone.localdate() else None,
            "equipment": client.equipment.all(),
            "conditions": client.conditions.all(),
            "history": history,
            "history_all": "history" in request.GET,
            "history_more": more,
            "openings": events.openings().aggregate(count=Count("pk"), last=Max("at")),
            "reminders": reminders.summary(client),
        },
    )


@require_POST
@therapist_required
def client_export(request, pk: int):
    """Everything about one client in a zip: a POST, because it is recorded. A job makes
    it; the page it leads to says "preparing", then gives the download for a while."""
    client = get_client(request, pk)
    # The event's row holds the client's row until the export's is written: a deletion
    # meanwhile waits, then takes both.
    with transaction.atomic():
        asked = audit.record_unless_deleted(client, audit.Action.EXPORTED, by=request.therapist)
        prepared = asked and PreparedFile.objects.create(
            kind=Kind.EXPORT, clinic=client.clinic, client=client, requested_by=request.therapist,
            expires_at=export_expiry(),
        )
    if not prepared:  # deleted a moment ago (by a colleague, in another tab)
        messages.error(request, gettext("%(name)s was deleted a moment ago, so there is nothing to export.") % {"name": client.first_name})
        return redirect("clients:list")
    tasks.prepare_export.enqueue(prepared.pk, request.build_absolute_uri("/").rstrip("/"))
    return redirect("clients:export-ready", pk=client.pk, prepared_pk=prepared.pk)


@require_GET
@therapist_required
def client_export_ready(request, pk: int, prepared_pk: int):
    client = get_client(request, pk)
    prepared = get_export(client, prepared_pk)
    response = render(request, "clients/export.html", {"client": client, "prepared": prepared})
    if not prepared.is_ready and not prepared.has_expired():
        response["Refresh"] = "2"  # look again in two seconds (no script needed)
    response["Cache-Control"] = "no-store, private"
    return response


@require_GET
@therapist_required
def client_export_download(request, pk: int, prepared_pk: int):
    client = get_client(request, pk)
    prepared = get_export(client, prepared_pk)
    if not prepared.is_ready or prepared.has_expired():
        return redirect("clients:export-ready", pk=client.pk, prepared_pk=prepared.pk)
    response = HttpResponse(prepared.read(), content_type="application/zip")
    response["Content-Disposition"] = content_disposition_header(True, export.zip_name(client))
    response["Cache-Control"] = "no-store, private"
    return response


@therapist_required
def client_delete(request, pk: int):
    client = get_client(request, pk)
    form = DeleteClientForm(request.POST or None, client=client)
    if form.is_valid():
        with transaction.atomic():
            # Locked first: an opening of their link meanwhile waits, then finds them gone
            # (a 404), instead of adding a log row to a client on the way out.
            Client.objects.select_for_update().filter(pk=client.pk).first()
            audit.client_deleted(client, by=request.therapist)
            client.delete()
        messages.success(
            request,
            gettext("%(name)s is deleted, with their visits, homework, check-ins, words, nudges and link.")
            % {"name": client.first_name},
        )
        return redirect("clients:list")
    counts = {
        "visits": Visit.objects.filter(client=client).count(),
        "items": HomeworkItem.objects.filter(visit__client=client).count(),
        "check_ins": CheckIn.objects.filter(item__visit__client=client).count(),
        "links": ShareLink.objects.filter(client=client).count(),
        "words": ItemFeeling.objects.filter(item__visit__client=client).count()
        + HomeworkWord.objects.filter(visit__client=client).count(),
        "nudges": Nudge.objects.filter(client=client).count(),
    }
    return render(
        request,
        "clients/client_delete.html",
        {"client": client, "form": form, "counts": counts},
        status=400 if form.errors else 200,
    )


@therapist_required
def client_merge(request, pk: int):
    """Choose the other record of this client: the possible duplicates first, or search."""
    client = get_client(request, pk)
    if not request.therapist.is_owner:
        raise PermissionDenied(OWNERS_MERGE)
    q = request.GET.get("q", "").strip()[:100]
    others = Client.objects.for_clinic(request.clinic).exclude(pk=client.pk).annotate(last_seen=Max("visits__date"))
    if q:
        candidates = others.search(q)
    else:
        candidates = others.possible_duplicates(
            first_name=client.first_name, last_name=client.last_name, email=client.email, phone=client.phone
        )
    candidates = list(candidates.order_by("-last_seen", "first_name", "pk")[:MERGE_CANDIDATES])
    return render(request, "clients/client_merge.html", {"client": client, "candidates": candidates, "q": q})


@require_http_methods(["GET", "POST"])
@therapist_required
def client_merge_confirm(request, pk: int, other_pk: int):
    """GET says what will move; POST merges `other_pk` into `pk` (the one kept)."""
    client, other = get_client(request, pk), get_client(request, other_pk)
    if not request.therapist.is_owner:
        raise PermissionDenied(OWNERS_MERGE)
    if client.pk == other.pk:
        messages.error(request, gettext(merge.SAME_CLIENT))
        return redirect("clients:merge", pk=client.pk)
    if request.method == "POST":
        try:
            merge.merge(client, other, by=request.therapist)
        except ValidationError as e:
            messages.error(request, e.messages[0])
            return redirect("clients:merge", pk=client.pk)
        messages.success(
            request,
            gettext("%(other)s's visits, links and history are now %(name)s's; the other record is gone.")
            % {"other": other.full_name, "name": client.full_name},
        )
        return redirect("clients:detail", pk=client.pk)
    context = {"client": client, "other": other, "moving": merge.what_moves(other)}
    return render(request, "clients/client_merge_confirm.html", context)
