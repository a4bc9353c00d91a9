"""A clinic starts on its own: the sign-up page makes the clinic and its first owner, logs
them in, and has a worker email a link to confirm their address (clients.tasks). Until it
is confirmed, client links can't be emailed from the clinic (`Clinic.check_can_email_clients`); everything else works
at once, the built-in library included (its exercises belong to no clinic, so every clinic
sees them from its first minute).

Sign-ups and "send it again" are throttled per address and per login (django-ratelimit's
counts, as for the login); every sign-up post, failed ones too, and wrong confirmation links
per address as well (clients/doors.py)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.db import IntegrityError, transaction
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django_ratelimit.core import get_usage

from clients import doors, tasks
from clients.access import owner_required
from clients.forms import USERNAME_TAKEN, SignUpForm
from clients.models import CONFIRM_DAYS, Clinic, Therapist
from outbox.mail import new_email_key

TOO_MANY_SIGNUPS = "Several clinics have just signed up from here. Wait an hour and try again, or write to us."
TOO_MANY_RESENDS = "We've sent that link several times in the last hour. Look in your spam folder, or wait a while."


def _signups(request, *, count: bool) -> dict | None:
    return get_usage(request, group="signup", key="ip", rate=settings.SIGNUPS_PER_ADDRESS, increment=count)


def send_confirmation(request, clinic: Clinic, user) -> None:
    """A worker emails the signed, dated link that confirms the owner's address
    (clients.tasks.send_confirmation: made there, so the link is never stored with the job)."""
    site_url = request.build_absolute_uri("/").rstrip("/")
    tasks.send_confirmation.enqueue(clinic.pk, user.pk, user.email, site_url, new_email_key())


@never_cache
@require_http_methods(["GET", "POST"])
def signup(request):
    if request.user.is_authenticated:
        messages.info(request, "You're logged in already. To start another clinic, log out first.")
        return redirect("clients:list")
    form = SignUpForm(request.POST if request.method == "POST" else None)
    usage = _signups(request, count=False) if request.method == "POST" else None
    if usage and usage["count"] >= usage["limit"]:
        return render(request, "signup/signup.html", {"form": form, "lock_out": TOO_MANY_SIGNUPS}, status=429)
    if request.method == "POST" and doors.too_many_forms(request, "signup"):
        return render(request, "signup/signup.html", {"form": form, "lock_out": doors.TOO_MANY_FORMS}, status=429)
    if form.is_valid():
        try:
            with transaction.atomic():
                user = form.save()
                clinic = Clinic.objects.create(
                    name=form.cleaned_data["clinic_name"], email=user.email, email_confirmed_at=None
                )
                Therapist.objects.create(user=user, clinic=clinic, is_owner=True)
        except IntegrityError:  # the same username, taken a moment ago by someone else
            form.add_error("username", USERNAME_TAKEN)
        else:
            _signups(request, count=True)
            send_confirmation(request, clinic, user)
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(
                request,
                f"Welcome, {user.first_name}. We're sending {user.email} a link to confirm it: "
                "once you've opened it, you can email clients their links.",
            )
            return redirect("clients:list")
    return render(request, "signup/signup.html", {"form": form}, status=400 if request.method == "POST" else 200)


@never_cache
@require_safe
def signup_confirm(request, token: str):
    """The link in the confirmation email. Anyone holding it may open it (the owner on
    their phone, not logged in): the token is the secret, signed and dated, and confirming
    twice changes nothing. Wrong tokens count per address (clients/doors.py)."""
    if doors.too_many_misses(request):
        return doors.refused(request, doors.TOO_MANY_MISSES)
    confirmed = Clinic.confirm_email(token)
    if confirmed is None:
        doors.count_miss(request)
        return render(request, "signup/confirm_failed.html", {"days": CONFIRM_DAYS}, status=404)
    return render(request, "signup/confirmed.html", {"confirmed": confirmed})


@require_POST
@owner_required
def signup_resend(request):
    clinic = request.clinic
    if clinic.email_confirmed:
        messages.info(request, "Your email is confirmed already.")
        return redirect("clients:list")
    user = request.user
    usage = get_usage(request, group="signup-resend", key="user", rate=settings.CONFIRMATION_RESENDS_PER_LOGIN, increment=True)
    if usage and usage["should_limit"]:
        messages.error(request, TOO_MANY_RESENDS)
    elif not user.email:
        messages.error(request, "Your login has no email address, so there is nowhere to send the link.")
    else:
        send_confirmation(request, clinic, user)
        messages.success(request, f"Sending it again to {user.email}. The link works for {CONFIRM_DAYS} days.")
    return redirect("clients:list")
