"""Who may see what: every therapist page goes through `therapist_required`."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

from clients.models import Therapist


def therapist_required(view):
    """Logged in and part of a clinic; sets request.therapist and request.clinic."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            therapist = Therapist.objects.select_related("clinic").get(user=request.user)
        except Therapist.DoesNotExist:
            raise PermissionDenied("This login isn't part of a clinic yet.") from None
        therapist.user = request.user
        request.therapist = therapist
        request.clinic = therapist.clinic
        return view(request, *args, **kwargs)

    return wrapper
