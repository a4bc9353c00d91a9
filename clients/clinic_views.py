"""The clinic's own settings and team: owners only. Joining by invite link is the one
page here for someone not yet logged in."""

import logging
import secrets

from django.contrib import messages
from django.contrib.auth import login, logout
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from clients import doors
from clients.access import owner_required
from clients.forms import ClinicForm, InviteForm, JoinForm, TeamMemberForm
from clients.models import Invite, Therapist
from exercises.images import STORAGE_DOWN, STORAGE_ERRORS

logger = logging.getLogger("aftercare.clinic")

# No 0/O or 1/l/I: a temporary password is read off a screen and typed on another.
PASSWORD_ALPHABET = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def _get_teammate(request, pk: int) -> Therapist:
    return get_object_or_404(Therapist.objects.filter(clinic=request.clinic).select_related("user"), pk=pk)


def _temporary_password() -> str:
    return "".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(12))


def _get_invite(request, pk: int) -> Invite:
    return get_object_or_404(Invite.objects.filter(clinic=request.clinic), pk=pk)


@owner_required
def clinic_settings(request):
    clinic = request.clinic
    old_logo = clinic.logo.name
    form = ClinicForm(request.POST or None, request.FILES or None, instance=clinic)
    if form.is_valid():
        clinic = form.save(commit=False)
        try:
            if form.cleaned_data["new_logo"]:
                clinic.logo.save(form.cleaned_data["new_logo"].name, form.cleaned_data["new_logo"], save=False)
        except STORAGE_ERRORS:
            # The logo's store is down: nothing is saved, the settings typed are shown again.
            form.add_error("new_logo", STORAGE_DOWN)
            return render(request, "clinic/settings.html", {"form": form}, status=503)
        if form.cleaned_data.get("remove_logo") and not form.cleaned_data["new_logo"]:
            clinic.logo = ""
        clinic.save()
        form.save_m2m()
        if old_logo and old_logo != clinic.logo.name:
            try:
                clinic.logo.storage.delete(old_logo)
            except STORAGE_ERRORS:
                logger.warning("Clinic %s: old logo %s left in storage (storage down)", clinic.pk, old_logo)
        messages.success(request, "Saved. Handouts and client pages show the changes from now on.")
        return redirect("clinic:settings")
    return render(
        request, "clinic/settings.html", {"form": form}, status=400 if request.method == "POST" else 200
    )


def _render_team(request, add_form=None, invite_form=None, status=200, **extra):
    team = Therapist.objects.filter(clinic=request.clinic).select_related("user")
    invites = [i for i in Invite.objects.filter(clinic=request.clinic, used_at__isnull=True, revoked_at__isnull=True) if i.is_open()]
    return render(
        request,
        "clinic/team.html",
        {
            "team": [t for t in team if not t.is_removed],
            "removed": [t for t in team if t.is_removed],
            "invites": invites,
            "add_form": add_form or TeamMemberForm(),
            "invite_form": invite_form or InviteForm(),
            **extra,
        },
        status=status,
    )


@owner_required
def team(request):
    return _render_team(request)


@never_cache
@require_http_methods(["GET", "POST"])
@owner_required
def team_add(request):
    if request.method == "GET":  # a reload of the page the form answered with
        return redirect("clinic:team")
    form = TeamMemberForm(request.POST)
    if not form.is_valid():
        return _render_team(request, add_form=form, status=400)
    password = _temporary_password()
    with transaction.atomic():
        user = form.save(commit=False)
        user.set_password(password)
        user.save()
        teammate = Therapist.objects.create(user=user, clinic=request.clinic)
    # Shown on this page once and never stored as it is: no redirect, no message queue.
    return _render_team(request, new_teammate=teammate, new_password=password)


@never_cache
@require_http_methods(["GET", "POST"])
@owner_required
def invite_create(request):
    if request.method == "GET":
        return redirect("clinic:team")
    form = InviteForm(request.POST)
    if not form.is_valid():
        return _render_team(request, invite_form=form, status=400)
    invite = Invite.objects.create(clinic=request.clinic, invited_by=request.therapist, name=form.cleaned_data["name"])
    url = request.build_absolute_uri(reverse("clinic:join", args=[invite.token]))
    return _render_team(request, new_invite=invite, invite_url=url)


@require_POST
@owner_required
def invite_revoke(request, pk: int):
    invite = _get_invite(request, pk)
    invite.revoked_at = timezone.now()
    invite.save(update_fields=["revoked_at"])
    messages.success(request, "That invite link no longer works.")
    return redirect("clinic:team")


@require_POST
@owner_required
def team_owner(request, pk: int):
    teammate = _get_teammate(request, pk)
    make_owner = request.POST.get("owner") == "1"
    if teammate.is_removed:
        messages.error(request, f"{teammate.display_name} isn't on the team any more.")
        return redirect("clinic:team")
    try:
        teammate.set_owner(make_owner)
    except ValidationError as e:
        messages.error(request, e.messages[0])
        return redirect("clinic:team")
    if make_owner:
        messages.success(request, f"{teammate.display_name} is now an owner: they can change settings and the team.")
    else:
        messages.success(request, f"{teammate.display_name} is no longer an owner.")
    if teammate.pk == request.therapist.pk and not make_owner:
        return redirect("clients:list")
    return redirect("clinic:team")


@never_cache
@require_POST
@owner_required
def team_password(request, pk: int):
    """A new temporary password for a teammate who lost theirs; shown once, like the first."""
    teammate = _get_teammate(request, pk)
    if teammate.is_removed or teammate.pk == request.therapist.pk:
        messages.error(request, "Only a teammate still on the team gets a new password here; your own is under your name.")
        return redirect("clinic:team")
    password = _temporary_password()
    teammate.user.set_password(password)
    teammate.user.save(update_fields=["password"])
    return _render_team(request, new_teammate=teammate, new_password=password, password_reset=True)


@require_POST
@owner_required
def team_remove(request, pk: int):
    teammate = _get_teammate(request, pk)
    if teammate.pk == request.therapist.pk:
        messages.error(request, "You can't remove yourself. Another owner can, if you're leaving.")
        return redirect("clinic:team")
    try:
        teammate.remove()
    except ValidationError as e:
        messages.error(request, e.messages[0])
        return redirect("clinic:team")
    messages.success(
        request, f"{teammate.display_name} can no longer log in. Their past visits stay, with their name."
    )
    return redirect("clinic:team")


@never_cache
def join(request, token: str):
    if doors.too_many_misses(request):
        return doors.refused(request, doors.TOO_MANY_MISSES)
    invite = Invite.find(token)
    if invite is None:
        doors.count_miss(request)
        return render(request, "clinic/join_closed.html", status=404)
    if request.method == "POST" and doors.too_many_forms(request, "join"):
        return doors.refused(request, doors.TOO_MANY_FORMS)
    form = JoinForm(request.POST or None)
    if form.is_valid():
        try:
            with transaction.atomic():
                user = form.save()
                invite.accept(user)
        except ValidationError:
            return render(request, "clinic/join_closed.html", status=404)
        if request.user.is_authenticated:
            logout(request)
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, f"Welcome to {invite.clinic.name}, {user.first_name}.")
        return redirect("clients:list")
    return render(
        request, "clinic/join.html", {"form": form, "invite": invite}, status=400 if request.method == "POST" else 200
    )


@require_POST
@owner_required
def checklist_dismiss(request):
    clinic = request.clinic
    clinic.checklist_dismissed_at = timezone.now()
    clinic.save(update_fields=["checklist_dismissed_at", "updated_at"])
    messages.success(request, "The checklist is put away. Everything on it stays under Clinic whenever you want it.")
    return redirect("clients:list")
