"""The clinic-scoped fetch helpers for what lives in this app: a visit and its homework
items. The rule is the one in `clients/access.py` (another clinic's object is a 404);
these sit here because `clients` never imports `aftercare`."""

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from aftercare.models import HomeworkItem, PreparedFile, Visit
from aftercare.prepared import Kind


def get_visit(request, pk: int, *, loading: QuerySet | None = None) -> Visit:
    """One of the clinic's visits, with its client, or with what `loading` (a Visit
    QuerySet) fetches with it; narrowed to the clinic either way."""
    visits = Visit.objects.select_related("client") if loading is None else loading
    return get_object_or_404(visits.for_clinic(request.clinic), pk=pk)


def get_item(visit: Visit, pk: int) -> HomeworkItem:
    """One homework item of `visit` (already fetched through get_visit), with its exercise."""
    return get_object_or_404(visit.items.select_related("exercise"), pk=pk)


def get_earlier_item(visit: Visit, pk: int) -> HomeworkItem:
    """One homework item of the same client's other visits (to carry over to `visit`,
    already fetched through get_visit), with its exercise."""
    items = HomeworkItem.objects.filter(visit__client=visit.client_id).exclude(visit=visit)
    return get_object_or_404(items.select_related("exercise"), pk=pk)


def get_export(client, pk: int) -> PreparedFile:
    """One export of `client` (already fetched through get_client)."""
    return get_object_or_404(PreparedFile.objects.filter(kind=Kind.EXPORT, client=client), pk=pk)
