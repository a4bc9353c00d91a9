from django.contrib import messages
from django.db.models import Count, Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from aftercare.models import HomeworkItem, Visit
from clients.access import therapist_required
from clients.forms import ClientForm, QuickClientForm
from clients.models import Client
from clients.paging import page_of

CLIENTS_PER_PAGE = 25


def _get_client(request, pk: int) -> Client:
    return get_object_or_404(Client.objects.for_clinic(request.clinic), pk=pk)


def _render_list(request, form=None, status=200):
    q = request.GET.get("q", "").strip()[:100]
    clients = Client.objects.for_clinic(request.clinic)
    if q:
        clients = clients.search(q)
    page = page_of(clients.only("pk", "first_name", "last_name", "email"), request.GET.get("page"), CLIENTS_PER_PAGE)
    if form is None:
        # Nobody found: offer to add them under the name that was searched for.
        form = QuickClientForm(initial={"first_name": q} if q and not page.object_list else None)
    return render(request, "clients/client_list.html", {"page": page, "q": q, "form": form}, status=status)


@therapist_required
def client_list(request):
    return _render_list(request)


@require_POST
@therapist_required
def client_quick_add(request):
    form = QuickClientForm(request.POST)
    if form.is_valid():
        client = form.save(commit=False)
        client.clinic = request.clinic
        client.save()
        messages.success(request, f"{client.first_name} is added. Start today's visit when you're ready.")
        return redirect("clients:detail", pk=client.pk)
    return _render_list(request, form, status=400)


@therapist_required
def client_create(request):
    form = ClientForm(request.POST or None, clinic=request.clinic, submit_label="Add client")
    if form.is_valid():
        client = form.save(commit=False)
        client.clinic = request.clinic
        client.save()
        form.save_m2m()
        messages.success(request, f"{client.first_name} is added.")
        return redirect("clients:detail", pk=client.pk)
    return render(request, "clients/client_form.html", {"form": form, "client": None})


@therapist_required
def client_edit(request, pk: int):
    client = _get_client(request, pk)
    form = ClientForm(request.POST or None, clinic=request.clinic, instance=client)
    if form.is_valid():
        form.save()
        messages.success(request, "Saved.")
        return redirect("clients:detail", pk=client.pk)
    return render(request, "clients/client_form.html", {"form": form, "client": client})


@therapist_required
def client_detail(request, pk: int):
    client = _get_client(request, pk)
    visits = (
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
    return render(
        request,
        "clients/client_detail.html",
        {"client": client, "visits": visits, "equipment": client.equipment.all()},
    )
