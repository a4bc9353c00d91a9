"""Logging in, with a throttle on failed attempts; and getting back in by email when the
password is forgotten (Django's own password reset views, throttled too).

Only failures count, per address and per username (as the form itself reads it, see
`identity`), in the default cache (django-ratelimit,
as for client links). While either is over its rate the form answers 429 with a lock-out
message and checks no password at all, so a guesser learns nothing by carrying on; the
username typed stays in the form.

A reset asked for an address nobody has gets the very answer a known address gets (Django's
view does that); the throttle counts every request, per address and per email typed, so it
tells nothing either. The email itself goes from a worker (clients.forms.QueuedPasswordResetForm)."""

from __future__ import annotations

import unicodedata
from functools import wraps

from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm, UsernameField
from django.contrib.auth import views as auth_views
from django.http import HttpRequest
from django.shortcuts import render
from django_ratelimit.core import get_usage

from clients.doors import throttle_reset_links
from clients.forms import QueuedPasswordResetForm

FROM_HERE = "Too many attempts from here; wait a few minutes and try again."
RESETS_FROM_HERE = "Too many password resets asked for from here; wait a while and try again."
RESETS_FOR_EMAIL = "We've sent several reset links to that address lately. Look in your spam folder, or wait an hour and try again."
FOR_USERNAME = "Too many attempts for this username; wait a while and try again, or ask your clinic's owner for help."


def identity(username: str) -> str:
    """Who a typed username is, for counting failures: the login form's own normalisation
    (trimmed, NFKC, as Django does before it checks the password, so `ｊｏ` is `jo`),
    case-folded. Every spelling that could log in as one person counts as that person."""
    normalised = UsernameField().to_python(username) or ""
    return unicodedata.normalize("NFKC", normalised.casefold()).strip()


def _username(group: str, request: HttpRequest) -> str:
    return identity(request.POST.get("username", ""))


def _throttles() -> list[tuple[dict, str]]:
    return [
        ({"group": "login-failure-address", "key": "ip", "rate": settings.LOGIN_FAILURES_PER_ADDRESS}, FROM_HERE),
        ({"group": "login-failure-username", "key": _username, "rate": settings.LOGIN_FAILURES_PER_USERNAME}, FOR_USERNAME),
    ]


def lock_out(request: HttpRequest) -> str | None:
    """The lock-out message if this address or username has failed too often lately."""
    for throttle, message in _throttles():
        usage = get_usage(request, increment=False, **throttle)
        if usage and usage["count"] >= usage["limit"]:
            return message
    return None


def count_failure(request: HttpRequest) -> None:
    for throttle, _ in _throttles():
        get_usage(request, increment=True, **throttle)


def throttle_failures(login_view):
    """Wrap a login view (ours, and the admin's, so neither is a way around the other):
    while locked out it answers 429 with the message and checks no password; a POST that
    leaves nobody logged in counts as a failure."""

    @wraps(login_view)
    def wrapper(request, *args, **kwargs):
        if request.method != "POST":
            return login_view(request, *args, **kwargs)
        message = lock_out(request)
        if message:
            form = AuthenticationForm(request, initial={"username": request.POST.get("username", "")})
            context = {"form": form, "lock_out": message, "next": request.POST.get("next", "")}
            return render(request, "registration/login.html", context, status=429)
        response = login_view(request, *args, **kwargs)
        if not request.user.is_authenticated:
            count_failure(request)
        return response

    return wrapper


login = throttle_failures(auth_views.LoginView.as_view(redirect_authenticated_user=True))


def _reset_email(group: str, request: HttpRequest) -> str:
    return request.POST.get("email", "").strip().lower()


def _reset_throttles() -> list[tuple[dict, str]]:
    return [
        ({"group": "password-reset-address", "key": "ip", "rate": settings.PASSWORD_RESETS_PER_ADDRESS}, RESETS_FROM_HERE),
        ({"group": "password-reset-email", "key": _reset_email, "rate": settings.PASSWORD_RESETS_PER_EMAIL}, RESETS_FOR_EMAIL),
    ]


def throttle_resets(reset_view):
    """Every POST counts, known address or not; over either rate the form answers 429
    with the message and the email typed, and sends nothing."""

    @wraps(reset_view)
    def wrapper(request, *args, **kwargs):
        if request.method == "POST":
            for throttle, message in _reset_throttles():
                usage = get_usage(request, increment=True, **throttle)
                if usage and usage["should_limit"]:
                    form = QueuedPasswordResetForm(initial={"email": request.POST.get("email", "")})
                    return render(request, "registration/password_reset_form.html", {"form": form, "lock_out": message}, status=429)
        return reset_view(request, *args, **kwargs)

    return wrapper


class QueuedPasswordResetView(auth_views.PasswordResetView):
    """Django's view, its email sent by a worker (clients.forms.QueuedPasswordResetForm)."""

    form_class = QueuedPasswordResetForm


password_reset = throttle_resets(QueuedPasswordResetView.as_view())
# The link in the reset email: wrong tokens count per address (clients/doors.py).
password_reset_confirm = throttle_reset_links(auth_views.PasswordResetConfirmView.as_view())
