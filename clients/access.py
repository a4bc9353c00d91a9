"""Who may see what: every therapist page goes through `therapist_required`, and the
clinic's settings and team through `owner_required` on top. Every view that takes an id
fetches through one helper here (or, for visits and homework items, in
`aftercare/access.py`, which builds on these): another clinic's object is a 404."""

import enum
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils import translation
from django.utils.translation import gettext_noop

from clients.models import Client, Therapist
from exercises.models import Complaint, Exercise

# In English here, as the 403 page's key: the page translates it (templates/403.html).
NOT_IN_A_CLINIC = gettext_noop("This login isn't part of a clinic yet.")
OWNERS_ONLY = gettext_noop(
    "Only the clinic's owners can change its settings and team. Ask one of them if something needs changing."
)


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
        if therapist.language:  # their own choice over their browser's (LocaleMiddleware)
            translation.activate(therapist.language)
            request.LANGUAGE_CODE = therapist.language
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


def get_client(request, pk: int) -> Client:
    """One of the clinic's clients; anyone else's is a 404, never a 403 that confirms it exists."""
    return get_object_or_404(Client.objects.for_clinic(request.clinic), pk=pk)


class ExerciseUse(enum.Enum):
    """What a therapist is about to do with an exercise, which decides which ones they may reach."""

    LOOK = "look"  # read it, print a sheet of it, copy it
    GIVE = "give"  # add it to a visit's homework
    CHANGE = "change"  # edit, retire or bring it back


def get_complaint(request, pk: int) -> Complaint:
    """One of the clinic's own complaints, to change; built-in ones and another clinic's
    are a 404."""
    return get_object_or_404(Complaint.objects.filter(clinic=request.clinic), pk=pk)


def get_exercise(request, pk: int, *, to: ExerciseUse = ExerciseUse.LOOK, loading: QuerySet | None = None) -> Exercise:
    """An exercise the clinic can see, by what it is wanted for. The one rule for all of them:

    - LOOK: the built-in library and the clinic's own, retired ones and built-ins the
      clinic has its own version of included. A sheet can always be printed for an
      exercise the clinic can see.
    - GIVE: as LOOK, but not retired, and a built-in the clinic has copied gives way to its
      copy: new homework is only ever what the clinic uses now.
    - CHANGE: the clinic's own only; a built-in is read-only (copy it to change it).

    Anything else, another clinic's exercise included, is a 404. `loading`, an Exercise
    QuerySet, says what to fetch with it (its pictures, say); it is narrowed by the rule."""
    exercises = Exercise.objects.all() if loading is None else loading
    if to is ExerciseUse.GIVE:
        exercises = exercises.available_to(request.clinic)
    elif to is ExerciseUse.CHANGE:
        exercises = exercises.filter(clinic=request.clinic)
    else:
        exercises = exercises.for_clinic(request.clinic)
    return get_object_or_404(exercises, pk=pk)
