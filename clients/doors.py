"""Throttles on the staff-side doors a stranger reaches without a login: the links emailed
to staff (a sign-up's confirmation, a team invite, a password reset) and the forms that
make a login (sign-up, join). Counted per address in the default cache (django-ratelimit,
as the login throttle), so a guesser of tokens or of taken usernames gets 429 with a plain
page, never a fresh budget.

A wrong token is a miss (TOKEN_MISSES_PER_ADDRESS); an address over it gets 429 before any
lookup. Every post of the sign-up and join forms counts, failed ones included
(ACCOUNT_FORMS_PER_ADDRESS): a taken username says so, so failures must cost too."""

from __future__ import annotations

import logging
from functools import wraps

from django.conf import settings
from django.shortcuts import render
from django.template.response import TemplateResponse
from django_ratelimit.core import get_usage

logger = logging.getLogger(__name__)

TOO_MANY_MISSES = "Too many links that don't work have been opened from here. Wait a minute, then open the link from your email again."
TOO_MANY_FORMS = "Too many tries from here in the last hour. Wait a while and try again, or write to us."


def _usage(request, group: str, rate: str, *, count: bool) -> dict | None:
    try:
        return get_usage(request, group=group, key="ip", rate=rate, increment=count)
    except Exception:  # a cache that can't count lets the request through, as the link throttles do
        logger.warning("Can't count %s in the cache.", group, exc_info=True)
        return None


def too_many_misses(request) -> bool:
    usage = _usage(request, "token-misses", settings.TOKEN_MISSES_PER_ADDRESS, count=False)
    return bool(usage and usage["limit"] and usage["count"] >= usage["limit"])


def count_miss(request) -> None:
    _usage(request, "token-misses", settings.TOKEN_MISSES_PER_ADDRESS, count=True)


def too_many_forms(request, group: str) -> bool:
    """Count one post of the `group` form from this address; whether that is one too many."""
    usage = _usage(request, f"account-form-{group}", settings.ACCOUNT_FORMS_PER_ADDRESS, count=True)
    return bool(usage and usage["limit"] and usage["should_limit"])


def refused(request, message: str):
    return render(request, "too_many.html", {"message": message}, status=429)


def throttle_reset_links(confirm_view):
    """Django's password reset confirmation, its token checked by Django: a link it finds
    invalid counts as a miss, and an address with too many gets 429 before Django looks."""

    @wraps(confirm_view)
    def wrapper(request, *args, **kwargs):
        if too_many_misses(request):
            return refused(request, TOO_MANY_MISSES)
        response = confirm_view(request, *args, **kwargs)
        if isinstance(response, TemplateResponse) and not (response.context_data or {}).get("validlink", True):
            count_miss(request)
        return response

    return wrapper
