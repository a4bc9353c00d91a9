"""Who may see what: every therapist page goes through `therapist_required`, and the
clinic's settings and team through `owner_required` on top."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

from clients.models import Therapist

NOT_IN_A_CLINIC = "This login isn't part of a clinic yet."
OWNERS_ONLY = "Only the clinic's owners can change its settings and team. Ask one of them if something needs changing."


def therapist_required(view):
    """Logged in and part of a clinic (and not removed from it); sets request.therapist
    and request.clinic."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        therapist = Therapist.objects.select_related("clinic").filter(user=request.user).first()
        if therapist is None or therapist.is_removed:
            raise PermissionDenied(NOT_IN_A_CLINIC)
        therapist.user = request.user
        request.therapist = therapist
        request.clinic = therapist.clinic
        return view(request, *args, **kwargs)

    return wrapper


def owner_required(view):
    """therapist_required, and an owner of the clinic: other therapists get 403 (they know
    the clinic exists; it's the page that isn't theirs)."""

    @therapist_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.therapist.is_owner:
            raise PermissionDenied(OWNERS_ONLY)
        return view(request, *args, **kwargs)

    return wrapper
