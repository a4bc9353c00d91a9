"""At the next visit: "since last time" shows days done per item, how it felt and the
client's words; an item carries over in one click (same dose and note) or opens the form
to change it; an item that hurt is marked and not suggested again for that client, unless
the therapist chooses it on purpose."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from aftercare import audit
from aftercare.feedback import HomeworkWord, ItemFeeling
from aftercare.models import CheckIn, HomeworkItem
from tests.conftest import builtin, make_client, make_visit

TODAY = timezone.localdate()


@pytest.fixture
def last_visit(client_, therapist):
    visit = make_visit(client_, "headaches", therapist=therapist, date=TODAY - datetime.timedelta(days=14))
    visit.assign(builtin("tennis-ball-suboccipital-release"), sets=3, hold_seconds=45, note="Right side first")
    visit.assign(builtin("chin-tucks"))
    return visit


@pytest.fixture
def today_visit(client_, therapist, last_visit):
    return make_visit(client_, "headaches", therapist=therapist)


def homework_page(browser, visit):
    return browser.get(reverse("aftercare:visit-homework", args=[visit.pk]))


def test_since_last_time_shows_days_feelings_and_words(as_therapist, last_visit, today_visit):
    ball, tucks = last_visit.items.order_by("slot")
    for n in (2, 3, 5):
        CheckIn.objects.create(item=ball, day=TODAY - datetime.timedelta(days=n))
    ItemFeeling.say(ball, TODAY - datetime.timedelta(days=5), "same")
    ItemFeeling.say(ball, TODAY - datetime.timedelta(days=2), "easier")
    HomeworkWord.say(last_visit, TODAY - datetime.timedelta(days=4), "doesnt-fit", "Evenings <i>never</i> work")
    response = homework_page(as_therapist, today_visit)
    assertContains(response, "Since last time")
    assertContains(response, "Ticked off 3 times")
    assertContains(response, "about the same")
    assertContains(response, "getting easier")
    assertContains(response, "No word on how it felt.")  # the chin tucks
    assertContains(response, "Maya said")
    assertContains(response, "Evenings &lt;i&gt;never&lt;/i&gt; work")


def test_carry_over_gives_the_same_dose_and_note_in_one_click(as_therapist, last_visit, today_visit, therapist):
    ball = last_visit.items.get(slot=1)
    response = as_therapist.post(reverse("aftercare:item-carry", args=[today_visit.pk, ball.pk]))
    assert response.status_code == 302
    carried = today_visit.items.get()
    assert (carried.exercise, carried.sets, carried.hold_seconds, carried.note) == (ball.exercise, 3, 45, "Right side first")
    assert audit.AuditEvent.objects.filter(action=audit.Action.ITEM_ASSIGNED, detail=ball.exercise.name).exists()
    # Twice is not two: the second says so, and nothing is added.
    as_therapist.post(reverse("aftercare:item-carry", args=[today_visit.pk, ball.pk]))
    assert today_visit.items.count() == 1
    assertContains(homework_page(as_therapist, today_visit), "Carried over.")


def test_change_opens_the_form_with_last_times_dose(as_therapist, last_visit, today_visit):
    ball = last_visit.items.get(slot=1)
    url = reverse("aftercare:item-add", args=[today_visit.pk, ball.exercise_id]) + f"?from={ball.pk}"
    assertContains(homework_page(as_therapist, today_visit), url.replace("&", "&amp;"))
    response = as_therapist.get(url)
    assertContains(response, 'value="45"')
    assertContains(response, "Right side first")


def test_an_item_that_hurt_is_marked_and_not_suggested_again(as_therapist, last_visit, today_visit):
    ball = last_visit.items.get(slot=1)
    before = [exercise.pk for exercise in today_visit.suggestions()]
    assert ball.exercise_id in before
    ItemFeeling.say(ball, TODAY - datetime.timedelta(days=3), "hurt")
    ItemFeeling.say(ball, TODAY - datetime.timedelta(days=1), "same")  # still: it hurt once
    after = [exercise.pk for exercise in today_visit.suggestions()]
    assert ball.exercise_id not in after
    response = homework_page(as_therapist, today_visit)
    assertContains(response, "It hurt</span>")
    assertContains(response, "isn't suggested again for Maya")
    assertContains(response, "Give it again anyway")
    suggested = response.context["suggestions"]
    assert ball.exercise_id not in [exercise.pk for exercise, _ in suggested]


def test_the_hurt_item_can_still_be_chosen_on_purpose(as_therapist, last_visit, today_visit):
    ball = last_visit.items.get(slot=1)
    ItemFeeling.say(ball, TODAY, "hurt")
    as_therapist.post(reverse("aftercare:item-carry", args=[today_visit.pk, ball.pk]))
    assert today_visit.items.get().exercise == ball.exercise


def test_another_clients_hurt_changes_nothing_for_this_one(last_visit, today_visit, clinic):
    other = make_visit(make_client(clinic, "Dev"), "headaches")
    theirs = other.assign(builtin("tennis-ball-suboccipital-release"))
    ItemFeeling.say(theirs, TODAY, "hurt")
    assert theirs.exercise_id in [exercise.pk for exercise in today_visit.suggestions()]


def test_an_item_of_another_client_cannot_be_carried_over(as_therapist, today_visit, clinic):
    other = make_visit(make_client(clinic, "Dev"), "headaches")
    theirs = other.assign(builtin("doorway-pec-stretch"))
    assert as_therapist.post(reverse("aftercare:item-carry", args=[today_visit.pk, theirs.pk])).status_code == 404
    assert as_therapist.get(
        reverse("aftercare:item-add", args=[today_visit.pk, theirs.exercise_id]) + f"?from={theirs.pk}"
    ).status_code == 404
    assert not today_visit.items.exists()


def test_the_outsider_cannot_carry_over(as_outsider, last_visit, today_visit):
    ball = last_visit.items.get(slot=1)
    assert as_outsider.post(reverse("aftercare:item-carry", args=[today_visit.pk, ball.pk])).status_code == 404
    assert HomeworkItem.objects.filter(visit=today_visit).count() == 0


def test_carrying_over_a_third_item_says_why_not(as_therapist, last_visit, today_visit):
    today_visit.assign(builtin("doorway-pec-stretch"))
    today_visit.assign(builtin("calf-rolling-foam-roller"))
    ball = last_visit.items.get(slot=1)
    response = as_therapist.post(reverse("aftercare:item-carry", args=[today_visit.pk, ball.pk]), follow=True)
    assertContains(response, "already has two homework items")
    assert today_visit.items.count() == 2
    assertNotContains(response, "Carry over, same dose")  # full: no offer to carry


def test_carry_over_only_takes_a_post(as_therapist, last_visit, today_visit):
    ball = last_visit.items.get(slot=1)
    assert as_therapist.get(reverse("aftercare:item-carry", args=[today_visit.pk, ball.pk])).status_code == 405


@pytest.mark.parametrize("source", ["²", "1" * 40, "-1", "abc", ""])
def test_a_from_that_is_no_item_opens_the_plain_form(as_therapist, today_visit, source):
    url = reverse("aftercare:item-add", args=[today_visit.pk, builtin("chin-tucks").pk])
    assert as_therapist.get(url, {"from": source}).status_code == 200
