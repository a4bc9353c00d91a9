"""An owner merges two records of one client: visits, check-ins, links and history move to
the one kept, one live link stays, the other record goes, and the log says who did it."""

import datetime
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import close_old_connections, connection
from django.test import Client as Browser
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains

from aftercare import audit, merge
from aftercare.audit import Action, AuditEvent
from aftercare.feedback import Feeling, HomeworkWord, ItemFeeling, Word
from aftercare.models import CheckIn, HomeworkItem, ShareLink, Visit
from aftercare.reminder_models import PushSubscription, ReminderPlan, ReminderSent
from aftercare.webpush import PHONES_PER_CLIENT
from clients.models import Client
from exercises.models import Equipment
from tests.conftest import builtin, make_client, make_visit

pytestmark = pytest.mark.django_db


@pytest.fixture
def pair(clinic, therapist):
    """Hannah added twice: the record kept has a visit, the other one has a visit with a
    ticked homework item, its own link and some history."""
    kept = make_client(clinic, "Hannah", last_name="Desk", at_home=("tennis-ball",))
    other = make_client(clinic, "Hannah", email="hannah@example.com", phone="07700 900123", at_home=("foam-roller",))
    make_visit(kept, "headaches", therapist=therapist, date=datetime.date(2026, 10, 1))
    visit = make_visit(other, "rounded-desk-shoulders", therapist=therapist, date=datetime.date(2026, 11, 3))
    item = visit.assign(builtin("doorway-pec-stretch"))
    CheckIn.objects.create(item=item, day=datetime.date(2026, 11, 4))
    audit.record(other, Action.CLIENT_CREATED, by=therapist)
    audit.record(other, Action.ITEM_ASSIGNED, by=therapist, detail="Doorway pec stretch")
    return kept, other


def merge_url(kept, other) -> str:
    return reverse("clients:merge-confirm", args=[kept.pk, other.pk])


def test_everything_moves_to_the_record_kept_and_the_other_goes(as_therapist, pair, therapist):
    kept, other = pair
    other_events = set(AuditEvent.objects.for_client(other).values_list("pk", flat=True))
    response = as_therapist.post(merge_url(kept, other))
    assert response.status_code == 302 and response["Location"] == reverse("clients:detail", args=[kept.pk])

    assert not Client.objects.filter(pk=other.pk).exists()
    assert sorted(Visit.objects.filter(client=kept).values_list("date", flat=True)) == [
        datetime.date(2026, 10, 1), datetime.date(2026, 11, 3)
    ]
    assert CheckIn.objects.filter(item__visit__client=kept).count() == 1
    assert other_events <= set(AuditEvent.objects.for_client(kept).values_list("pk", flat=True))
    assert not AuditEvent.objects.filter(client_number=other.pk).exists()
    merged = AuditEvent.objects.for_client(kept).get(action=Action.MERGED)
    assert merged.actor == therapist
    assert merged.sentence == f"Robin Tester merged in another record of the client (client #{other.pk}, Hannah: 1 visit, 0 links)"

    kept.refresh_from_db()
    assert (kept.last_name, kept.email, kept.phone) == ("Desk", "hannah@example.com", "07700 900123")
    # (everyday things are ticked for both, as the client form ticks them)
    assert set(kept.equipment.filter(everyday=False).values_list("slug", flat=True)) == {"tennis-ball", "foam-roller"}

    page = as_therapist.get(reverse("clients:detail", args=[kept.pk]))
    assertContains(page, "merged in another record")
    assertContains(page, builtin("doorway-pec-stretch").name)


def test_the_kept_clients_link_stays_live_and_the_others_stops_opening(as_therapist, pair):
    kept, other = pair
    kept_path, other_path = ShareLink.issue(kept), ShareLink.issue(other)
    before = Browser().get(kept_path)  # the kept client's page, now in the page cache
    assert builtin("doorway-pec-stretch").name not in before.content.decode()
    as_therapist.post(merge_url(kept, other))
    assert Browser().get(other_path).status_code == 404
    page = Browser().get(kept_path)
    assert page.status_code == 200
    # The other record's homework, now theirs: the cached page gave way (its stamp moved on).
    assertContains(page, builtin("doorway-pec-stretch").name)
    assert ShareLink.objects.filter(client=kept).count() == 2
    assert ShareLink.objects.live().filter(client=kept).count() == 1


def test_without_a_live_link_of_their_own_the_kept_client_takes_the_others(as_therapist, pair):
    kept, other = pair
    expired = ShareLink.current(kept)
    ShareLink.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - datetime.timedelta(days=1))
    other_path = ShareLink.issue(other)
    as_therapist.post(merge_url(kept, other))
    assert Browser().get(other_path).status_code == 200
    assert ShareLink.find(other_path.split("/")[2]).client_id == kept.pk
    assert ShareLink.objects.get(pk=expired.pk).revoked_at is not None


def test_a_turned_off_link_stays_off(as_therapist, pair):
    kept, other = pair
    path = ShareLink.issue(other)
    ShareLink.objects.filter(client=other).update(revoked_at=timezone.now())
    as_therapist.post(merge_url(kept, other))
    assert Browser().get(path).status_code == 404
    assert not ShareLink.objects.live().filter(client=kept).exists()


def test_the_page_before_says_what_moves_and_changes_nothing(as_therapist, pair):
    kept, other = pair
    ShareLink.issue(other)  # a third history entry: the link was issued
    response = as_therapist.get(merge_url(kept, other))
    assertContains(response, "Keep Hannah Desk, merge in Hannah?")
    assertContains(response, "1 visit with 1 homework item and 1 check-in, 1 link and 3 history entries")
    assert Client.objects.filter(pk=other.pk).exists()


def test_the_chooser_offers_the_possible_duplicates_and_searches(as_therapist, pair, clinic):
    kept, other = pair
    make_client(clinic, "Zed")
    response = as_therapist.get(reverse("clients:merge", args=[kept.pk]))
    assertContains(response, merge_url(kept, other))
    assert [c.pk for c in response.context["candidates"]] == [other.pk]
    found = as_therapist.get(reverse("clients:merge", args=[kept.pk]), {"q": "zed"})
    assert [c.first_name for c in found.context["candidates"]] == ["Zed"]


def test_merging_a_client_with_themselves_says_so_and_changes_nothing(as_therapist, pair):
    kept, _ = pair
    for method in ("get", "post"):
        response = getattr(as_therapist, method)(merge_url(kept, kept), follow=True)
        assertContains(response, "That&#x27;s the same record twice")
    assert Client.objects.filter(pk=kept.pk).exists()
    assert not AuditEvent.objects.filter(action=Action.MERGED).exists()
    with pytest.raises(ValidationError):
        merge.merge(kept, kept, by=None)


def test_another_clinics_client_is_a_404_either_way_round(as_therapist, pair, other_clinic):
    kept, _ = pair
    stranger = make_client(other_clinic, "Hannah", last_name="Desk")
    assert as_therapist.post(merge_url(kept, stranger)).status_code == 404
    assert as_therapist.post(merge_url(stranger, kept)).status_code == 404
    assert as_therapist.get(reverse("clients:merge", args=[stranger.pk])).status_code == 404
    assert Client.objects.filter(pk=stranger.pk).exists() and Client.objects.filter(pk=kept.pk).exists()
    with pytest.raises(ValidationError):
        merge.merge(kept, stranger, by=None)


def test_a_therapist_who_isnt_an_owner_gets_403_with_the_reason(as_colleague, pair):
    kept, other = pair
    for response in (
        as_colleague.post(merge_url(kept, other)),
        as_colleague.get(merge_url(kept, other)),
        as_colleague.get(reverse("clients:merge", args=[kept.pk])),
    ):
        assert response.status_code == 403
        assertContains(response, "Only the clinic&#x27;s owners can merge", status_code=403)
    assert Client.objects.filter(pk=other.pk).exists()
    page = as_colleague.get(reverse("clients:detail", args=[kept.pk]))
    assert b"Merge a duplicate" not in page.content


def test_deleting_the_kept_client_later_scrubs_the_history_that_moved(as_therapist, pair):
    kept, other = pair
    as_therapist.post(merge_url(kept, other))
    as_therapist.post(reverse("clients:delete", args=[kept.pk]), {"confirm": "Hannah"})
    assert not AuditEvent.objects.filter(detail="Doorway pec stretch").exists()
    assert not AuditEvent.objects.exclude(action=Action.DELETED).filter(client__isnull=False).exists()


def test_the_merge_locks_both_rows(pair, therapist):
    kept, other = pair
    with CaptureQueriesContext(connection) as queries:
        merge.merge(kept, other, by=therapist)
    locking = [q["sql"] for q in queries if "clients_client" in q["sql"] and q["sql"].lstrip().startswith("SELECT")]
    if connection.features.has_select_for_update:
        assert "FOR UPDATE" in locking[0]
    assert f"IN ({min(kept.pk, other.pk)}, {max(kept.pk, other.pk)})" in locking[0].replace("%s", "")  # both, in pk order


@pytest.mark.django_db(transaction=True)
def test_two_merges_of_the_same_pair_at_once_leave_one_record(clinic, therapist):
    """Two owners merge the same pair at the same moment, each keeping a different one:
    one merge goes through, the other finds a record gone and says so. No error, no
    visit lost."""
    a, b = make_client(clinic, "Hannah", last_name="Desk"), make_client(clinic, "Hannah")
    make_visit(a, "headaches")
    make_visit(b, "headaches")
    start, outcomes = threading.Barrier(2), []

    def run(kept, other):
        # The records as each owner's page had them, read before the race: the race is
        # the merge itself (reading them after the barrier could find one gone already).
        kept, other = Client.objects.get(pk=kept.pk), Client.objects.get(pk=other.pk)
        try:
            start.wait()
            merge.merge(kept, other, by=therapist)
            outcomes.append("merged")
        except ValidationError as e:
            outcomes.append(e.code)
        except Exception as e:  # noqa: BLE001  (any other error shows in the assertion, never lost)
            outcomes.append(repr(e))
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=pair) for pair in ((a, b), (b, a))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    close_old_connections()
    assert sorted(outcomes) == ["gone", "merged"]
    survivor = Client.objects.get(clinic=clinic)
    assert Visit.objects.filter(client=survivor).count() == 2


def test_equipment_at_home_is_added_together_not_replaced(as_therapist, pair):
    kept, other = pair
    as_therapist.post(merge_url(kept, other))
    assert Equipment.objects.filter(clients=kept, everyday=False).count() == 2  # each record's own kit


def test_the_kept_records_own_details_are_never_overwritten(as_therapist, clinic):
    kept = make_client(clinic, "Hannah", last_name="Desk", email="hannah@work.example", phone="")
    other = make_client(clinic, "Hannah", last_name="D.", email="hannah@home.example", phone="0400 111 222")
    as_therapist.post(merge_url(kept, other))
    kept.refresh_from_db()
    assert (kept.first_name, kept.last_name, kept.email, kept.phone) == ("Hannah", "Desk", "hannah@work.example", "0400 111 222")
    assert kept.clinic == clinic


def phone(client, name: str) -> PushSubscription:
    endpoint = f"https://fcm.googleapis.com/fcm/send/{name}"
    return PushSubscription.objects.create(
        client=client, endpoint=endpoint, endpoint_digest=PushSubscription.digest_of(endpoint), p256dh="p", auth="a"
    )


def test_the_others_reminders_phones_and_feedback_follow_to_the_record_kept(as_therapist, pair):
    """Issue 17, item 7: the kept record has no plan, so the other's comes over whole, with
    its confirmed address; its phones and what was sent come too, and the client's feelings
    and words move with the visits they were said on."""
    kept, other = pair
    confirmed = timezone.now()
    ReminderPlan.objects.create(client=other, at=datetime.time(7, 30), days="024", email="hannah@example.com",
                                email_confirmed_at=confirmed)
    phone(other, "a")
    ReminderSent.objects.create(client=other, channel="email", day=datetime.date(2026, 11, 5), batch="b")
    item = HomeworkItem.objects.get(visit__client=other)
    ItemFeeling.objects.create(item=item, day=datetime.date(2026, 11, 4), feeling=Feeling.EASIER)
    HomeworkWord.objects.create(visit=item.visit, day=datetime.date(2026, 11, 4), word=Word.NOT_TODAY, note="busy")

    assert as_therapist.post(merge_url(kept, other)).status_code == 302

    plan = ReminderPlan.objects.get()
    assert (plan.client_id, plan.at, plan.days, plan.email, plan.email_confirmed_at) == (
        kept.pk, datetime.time(7, 30), "024", "hannah@example.com", confirmed)
    assert list(PushSubscription.objects.values_list("client_id", flat=True)) == [kept.pk]
    assert list(ReminderSent.objects.values_list("client_id", flat=True)) == [kept.pk]
    assert ItemFeeling.objects.get().item.visit.client_id == kept.pk
    assert HomeworkWord.objects.get().visit.client_id == kept.pk


def test_where_both_have_reminders_the_kept_plan_wins_and_nothing_is_sent_twice(as_therapist, pair):
    kept, other = pair
    ReminderPlan.objects.create(client=kept, at=datetime.time(19, 0), days="0123456")
    ReminderPlan.objects.create(client=other, at=datetime.time(7, 30), days="024", email="hannah@example.com",
                                email_confirmed_at=timezone.now())
    for n in range(4):
        phone(kept, f"kept-{n}")
        phone(other, f"other-{n}")
    day = datetime.date(2026, 11, 5)
    ReminderSent.objects.create(client=kept, channel="push", day=day, batch="k")
    ReminderSent.objects.create(client=other, channel="push", day=day, batch="o")
    ReminderSent.objects.create(client=other, channel="email", day=day, batch="o")

    assert as_therapist.post(merge_url(kept, other)).status_code == 302

    plan = ReminderPlan.objects.get()
    assert (plan.client_id, plan.at, plan.days, plan.email) == (kept.pk, datetime.time(19, 0), "0123456", "")
    assert PushSubscription.objects.filter(client=kept).count() == PHONES_PER_CLIENT
    assert not PushSubscription.objects.exclude(client=kept).exists()
    assert sorted(ReminderSent.objects.values_list("client_id", "channel", "day")) == [
        (kept.pk, "email", day), (kept.pk, "push", day)]
