"""Issue 17, item 7 (deletion): deleting a client removes everything of theirs that the
new doors made, rows and stored files alike: their reminder plan, this phone's
subscriptions, the reminders sent, their feelings and words, nudges, check-ins, their link,
their exports and handouts, and a day's handouts stack that printed them, in the database
and in the bucket (a real SeaweedFS). Another client of the clinic keeps all of theirs."""

import datetime

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import timezone

from aftercare.feedback import Feeling, HomeworkWord, ItemFeeling, Word
from aftercare.models import CheckIn, ShareLink
from aftercare.nudges import Nudge, Way
from aftercare.prepared import Kind, PreparedFile, export_expiry
from aftercare.reminder_models import PushSubscription, ReminderPlan, ReminderSent
from clients.models import Client
from tests.conftest import builtin, make_client, make_visit
from tests.test_object_storage import bucket, keys  # noqa: F401  (the real bucket)

DAY = datetime.date(2026, 11, 3)


def everything_of(client, therapist) -> set[str]:
    """One of each thing a client can have; the names of the stored files."""
    visit = make_visit(client, "headaches", therapist=therapist, date=DAY)
    item = visit.assign(builtin("chin-tucks"))
    CheckIn.objects.create(item=item, day=DAY)
    ItemFeeling.objects.create(item=item, day=DAY, feeling=Feeling.HURT)
    HomeworkWord.objects.create(visit=visit, day=DAY, word=Word.NOT_TODAY, note="busy week")
    ShareLink.issue(client, by=therapist)
    ReminderPlan.objects.create(client=client, at=datetime.time(7, 30), days="0123456",
                                email=f"{client.first_name.lower()}@example.com", email_confirmed_at=timezone.now())
    endpoint = f"https://fcm.googleapis.com/fcm/send/{client.pk}"
    PushSubscription.objects.create(client=client, endpoint=endpoint, endpoint_digest=PushSubscription.digest_of(endpoint),
                                    p256dh="p", auth="a")
    ReminderSent.objects.create(client=client, channel="email", day=DAY, batch="b", sent_at=timezone.now())
    Nudge.objects.create(client=client, therapist=therapist, way=Way.EMAIL, text="Hello", week=DAY - datetime.timedelta(days=DAY.weekday()))
    export = PreparedFile.objects.create(kind=Kind.EXPORT, clinic=client.clinic, client=client, expires_at=export_expiry())
    export.keep(b"PK zip of " + client.first_name.encode(), ".zip")
    handout = PreparedFile.objects.create(kind=Kind.VISIT_HANDOUT, clinic=client.clinic, visit=visit, stamp="s",
                                          expires_at=export_expiry())
    handout.keep(b"%PDF handout of " + client.first_name.encode(), ".pdf")
    return {PreparedFile.objects.get(pk=export.pk).file, PreparedFile.objects.get(pk=handout.pk).file}


def rows_of(client_pk: int) -> dict[str, int]:
    """Every row, of every model with a way to a client, that points at `client_pk`."""
    found = {}
    for model in apps.get_models():
        for path in ("client", "item__visit__client", "visit__client"):
            try:
                count = model._base_manager.filter(**{f"{path}_id" if path == "client" else f"{path}__pk": client_pk}).count()
            except Exception:
                continue
            if count:
                found[f"{model.__name__} by {path}"] = count
            break
    return found


def test_deleting_a_client_removes_their_rows_and_files_in_the_bucket(
    as_therapist, client_, therapist, clinic, bucket, seaweedfs, django_capture_on_commit_callbacks,  # noqa: F811
):
    mine = everything_of(client_, therapist)
    lou = make_client(clinic, "Lou")
    theirs = everything_of(lou, therapist)
    # A day's handouts printed on the day both came: it holds Maya's handout too.
    stack = PreparedFile.objects.create(kind=Kind.DAY_HANDOUTS, clinic=clinic, date=DAY, stamp="d", expires_at=export_expiry())
    stack.keep(b"%PDF Maya and Lou", ".pdf")
    other_day = PreparedFile.objects.create(kind=Kind.DAY_HANDOUTS, clinic=clinic, date=DAY + datetime.timedelta(days=1),
                                            stamp="d", expires_at=export_expiry())
    other_day.keep(b"%PDF someone else", ".pdf")
    stored = {PreparedFile.objects.get(pk=pk).file for pk in (stack.pk, other_day.pk)}
    assert mine | theirs | stored <= keys(seaweedfs, bucket)
    pk = client_.pk
    before = rows_of(pk)
    assert {"ReminderPlan by client", "PushSubscription by client", "ReminderSent by client", "Nudge by client",
            "ItemFeeling by item__visit__client", "HomeworkWord by visit__client", "PreparedFile by client"} <= set(before)

    with django_capture_on_commit_callbacks(execute=True):
        response = as_therapist.post(reverse("clients:delete", args=[pk]), {"confirm": "Maya"})
    assert response.status_code == 302

    assert not Client.objects.filter(pk=pk).exists()
    assert rows_of(pk) == {}
    assert not PreparedFile.objects.filter(pk=stack.pk).exists(), "the day's stack held Maya's handout"
    left = keys(seaweedfs, bucket)
    assert not (mine & left), "a stored file of the deleted client is left in the bucket"
    assert PreparedFile.objects.get(pk=other_day.pk).file in left
    stack_file = next(iter(stored - {PreparedFile.objects.get(pk=other_day.pk).file}))
    assert stack_file not in left
    assert theirs <= left
    assert rows_of(lou.pk), "Lou keeps everything"
