"""The therapist's week (aftercare:between-visits): the clinic's clients with homework from
the last six weeks, days ticked this week and last, the latest word, flags first ("it
hurt", then "doesn't fit my week", then "link never opened" after three days); "my
clients" or the whole team; the same queries for 3 clients or 300."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from aftercare import audit
from aftercare.feedback import HomeworkWord, ItemFeeling
from aftercare.models import CheckIn, HomeworkItem, Visit
from clients.models import Client
from tests.conftest import builtin, make_client, make_visit

URL = reverse("aftercare:between-visits")
TODAY = timezone.localdate()


def days_ago(n: int) -> datetime.date:
    return TODAY - datetime.timedelta(days=n)


def homework_for(clinic, name, therapist, given_days_ago=7, email=""):
    client = make_client(clinic, name, email=email)
    visit = make_visit(client, "headaches", therapist=therapist, date=days_ago(given_days_ago))
    item = visit.assign(builtin("tennis-ball-suboccipital-release"))
    return client, visit, item


def opened(client):
    audit.AuditEvent.objects.create(
        clinic_id=client.clinic_id, client=client, client_number=client.pk, action=audit.Action.LINK_OPENED
    )


def names_in_order(response) -> list[str]:
    return [row.first_name for row in response.context["page"].object_list]


def test_flags_come_first_hurt_then_doesnt_fit_then_never_opened(as_therapist, clinic, therapist):
    quiet, _, _ = homework_for(clinic, "Quiet", therapist, given_days_ago=2)  # too soon for the flag
    unopened, _, _ = homework_for(clinic, "Unopened", therapist, given_days_ago=5)
    busy, busy_visit, _ = homework_for(clinic, "Busy", therapist)
    hurt, _, hurt_item = homework_for(clinic, "Hurt", therapist, given_days_ago=20)
    fine, _, fine_item = homework_for(clinic, "Fine", therapist, given_days_ago=1)
    for client in (busy, hurt, fine):
        opened(client)
    HomeworkWord.say(busy_visit, days_ago(1), "doesnt-fit", "evenings")
    ItemFeeling.say(hurt_item, days_ago(3), "hurt")
    ItemFeeling.say(fine_item, days_ago(0), "easier")
    response = as_therapist.get(URL)
    assert names_in_order(response) == ["Hurt", "Busy", "Unopened", "Fine", "Quiet"]
    assertContains(response, "It hurt")
    assertContains(response, "Doesn&#x27;t fit their week")
    assertContains(response, "Link never opened")


def test_a_hurt_said_otherwise_since_is_no_longer_a_flag(as_therapist, clinic, therapist):
    client, _, item = homework_for(clinic, "Maya", therapist)
    opened(client)
    ItemFeeling.say(item, days_ago(3), "hurt")
    ItemFeeling.say(item, days_ago(1), "easier")
    response = as_therapist.get(URL)
    assert response.context["page"].object_list[0].flag_label == ""


def test_days_ticked_this_week_and_last_count_days_never_a_score(as_therapist, clinic, therapist):
    client, visit, item = homework_for(clinic, "Maya", therapist, given_days_ago=20)
    second = visit.assign(builtin("doorway-pec-stretch"))
    monday = TODAY - datetime.timedelta(days=TODAY.weekday())
    CheckIn.objects.create(item=item, day=monday)
    CheckIn.objects.create(item=second, day=monday)  # two items on one day: one day
    for n in (1, 3, 4):
        CheckIn.objects.create(item=item, day=monday - datetime.timedelta(days=n))
    response = as_therapist.get(URL)
    row = response.context["page"].object_list[0]
    assert (row.this_week, row.last_week) == (1, 3)
    assertContains(response, "1 day ticked this week, 3 last week.")
    html = response.content.decode().lower()
    for word in ("streak", "score", "%", "missed", "failed"):
        assert word not in html


def test_the_latest_word_is_the_newest_of_feelings_and_words(as_therapist, clinic, therapist):
    client, visit, item = homework_for(clinic, "Maya", therapist)
    ItemFeeling.say(item, days_ago(3), "same")
    HomeworkWord.say(visit, days_ago(1), "doesnt-fit", "School runs <b>every</b> evening")
    response = as_therapist.get(URL)
    assertContains(response, "This doesn&#x27;t fit my week")
    assertContains(response, "School runs &lt;b&gt;every&lt;/b&gt; evening")


def test_only_homework_from_the_last_six_weeks_and_only_this_clinic(as_therapist, clinic, therapist, outsider, other_clinic):
    homework_for(clinic, "Recent", therapist, given_days_ago=41)
    homework_for(clinic, "Old", therapist, given_days_ago=43)
    make_visit(make_client(clinic, "Nohomework"), "headaches", therapist=therapist)
    homework_for(other_clinic, "Elsewhere", outsider)
    response = as_therapist.get(URL)
    assert names_in_order(response) == ["Recent"]
    assertNotContains(response, "Elsewhere")


def test_my_clients_or_the_whole_team(client, clinic, therapist, colleague):
    homework_for(clinic, "Mine", therapist)
    theirs, _, _ = homework_for(clinic, "Theirs", colleague)
    # Seen by me earlier, but their newest homework is the colleague's: theirs.
    make_visit(theirs, "headaches", therapist=therapist, date=days_ago(20)).assign(builtin("doorway-pec-stretch"))
    client.force_login(therapist.user)
    assert names_in_order(client.get(URL)) == ["Mine"]
    assert sorted(names_in_order(client.get(URL, {"who": "team"}))) == ["Mine", "Theirs"]
    client.force_login(colleague.user)
    assert names_in_order(client.get(URL)) == ["Theirs"]


def test_the_page_says_who_cannot_be_reached_and_offers_a_nudge_to_who_can(as_therapist, clinic, therapist):
    reachable, _, _ = homework_for(clinic, "Maya", therapist, email="maya@example.com")
    unreachable, _, _ = homework_for(clinic, "Ruth", therapist)
    response = as_therapist.get(URL)
    assertContains(response, reverse("aftercare:nudge", args=[reachable.pk]))
    assertNotContains(response, reverse("aftercare:nudge", args=[unreachable.pk]))
    assertContains(response, "No way to reach them yet")


def test_the_week_page_is_in_the_main_navigation(as_therapist):
    response = as_therapist.get(reverse("clients:list"))
    assertContains(response, f'href="{URL}"')


def test_bad_filters_show_the_page_all_the_same(as_therapist, clinic, therapist):
    homework_for(clinic, "Maya", therapist)
    for query in ({"who": "<script>"}, {"page": "-1"}, {"page": "99999999999"}, {"page": "abc"}, {"who": ["mine", "team"]}):
        assert as_therapist.get(URL, query).status_code == 200


def test_the_outsider_sees_none_of_it(as_outsider, clinic, therapist):
    homework_for(clinic, "Maya", therapist)
    response = as_outsider.get(URL, {"who": "team"})
    assert response.status_code == 200
    assertNotContains(response, "Maya")


def test_a_login_is_needed(client):
    response = client.get(URL)
    assert response.status_code == 302 and "/login/" in response["Location"]


def many_clients(clinic, therapist, n: int) -> None:
    """n clients with homework, each with ticks, a feeling and a word (bulk, to stay quick)."""
    clients = Client.objects.bulk_create([Client(clinic=clinic, first_name=f"Client {i}") for i in range(n)])
    visits = Visit.objects.bulk_create([Visit(client=c, therapist=therapist, date=days_ago(5)) for c in clients])
    exercise = builtin("doorway-pec-stretch")
    items = HomeworkItem.objects.bulk_create(
        [HomeworkItem(visit=v, exercise=exercise, slot=1, **exercise.dose()) for v in visits]
    )
    CheckIn.objects.bulk_create([CheckIn(item=item, day=days_ago(1)) for item in items])
    ItemFeeling.objects.bulk_create([ItemFeeling(item=item, day=days_ago(1), feeling="same") for item in items[::2]])
    HomeworkWord.objects.bulk_create([HomeworkWord(visit=v, day=days_ago(2), word="not-today") for v in visits[::3]])


@pytest.mark.parametrize("who", ["mine", "team"])
def test_the_same_queries_for_3_clients_or_300(client, clinic, therapist, django_assert_num_queries, who):
    client.force_login(therapist.user)
    many_clients(clinic, therapist, 3)
    client.get(URL, {"who": who})
    # The session, the user, the therapist with their clinic; the count of rows (pages); the
    # page of rows, every figure a subquery.
    with django_assert_num_queries(5):
        small = client.get(URL, {"who": who})
    assert len(small.context["page"].object_list) == 3
    many_clients(clinic, therapist, 297)
    with django_assert_num_queries(5):
        big = client.get(URL, {"who": who, "page": 2})
    assert big.context["page"].paginator.count == 300
    assert len(big.context["page"].object_list) == 25
