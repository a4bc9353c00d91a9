"""The client's word from their link page: how an item felt ("it hurt" shows the cautions
and "stop, and tell" with the clinic's phone at once), the homework as a whole ("not
today", "this doesn't fit my week" with a note), and days ticked afterwards (the last
seven, untickable too). Bad input gets a message or changes nothing; never another
client's row."""

import datetime
import threading

import pytest
from django.db import close_old_connections
from django.utils import timezone
from django.utils.html import escape
from pytest_django.asserts import assertContains, assertNotContains

from aftercare import link_page
from aftercare.feedback import Feeling, HomeworkWord, ItemFeeling, Word
from aftercare.models import CheckIn, ShareLink
from tests.conftest import builtin, make_client, make_visit


@pytest.fixture
def homework(visit, clinic):
    clinic.phone = "01632 960 123"
    clinic.save()
    visit.assign(builtin("tennis-ball-suboccipital-release"))
    visit.assign(builtin("doorway-pec-stretch"))
    return visit


@pytest.fixture
def path(homework):
    return ShareLink.issue(homework.client)


@pytest.fixture
def item(homework):
    return homework.items.get(slot=1)


def feel(client, path, item, feeling, day=None, **headers):
    data = {"item": item.pk, "feeling": feeling}
    if day:
        data["day"] = day.isoformat()
    return client.post(f"{path}feeling/", data, **headers)


def say(client, path, visit, word, note=""):
    return client.post(f"{path}word/", {"visit": visit.pk, "word": word, "note": note})


def test_it_hurt_is_recorded_and_shows_the_cautions_and_stop_and_tell_with_the_phone(client, path, item):
    page = client.get(path)
    assertNotContains(page, "Stop, and tell")
    response = feel(client, path, item, "hurt")
    assert response.status_code == 302 and response["Location"] == f"{path}#hurt-{item.pk}"
    assert ItemFeeling.objects.get(item=item).feeling == Feeling.HURT
    page = client.get(path).content.decode()
    hurt = page[page.index(f'id="hurt-{item.pk}"'):]
    hurt = hurt[: hurt.index("</div>")]
    assert "Stop, and tell Robin" in hurt
    assert "01632 960 123" in hurt and 'href="tel:' in hurt
    assert escape(item.exercise.cautions) in hurt
    # The other item says nothing of it.
    assert page.count("Stop, and tell") == 1


def test_without_a_phone_the_hurt_panel_offers_the_therapists_email(client, path, item, clinic, therapist):
    clinic.phone = ""
    clinic.save()
    therapist.user.email = "robin@harbour.example"
    therapist.user.save()
    feel(client, path, item, "hurt")
    assertContains(client.get(path), "mailto:robin@harbour.example")


def test_another_tap_replaces_the_days_feeling_and_the_same_tap_twenty_times_is_one_row(client, path, item):
    for _ in range(20):
        assert feel(client, path, item, "easier").status_code == 302
    assert ItemFeeling.objects.count() == 1
    feel(client, path, item, "hurt")
    feel(client, path, item, "same")
    assert list(ItemFeeling.objects.values_list("feeling", flat=True)) == ["same"]
    page = client.get(path)
    assertNotContains(page, "Stop, and tell")  # they said otherwise since
    assertContains(page, 'value="same" class="chip" aria-pressed="true"')


@pytest.mark.django_db(transaction=True)
def test_the_same_tap_at_the_same_moment_is_one_row(client, homework, path):
    item = homework.items.get(slot=1)
    barrier, errors = threading.Barrier(4), []

    def tap():
        from django.test import Client as Browser

        try:
            barrier.wait()
            assert feel(Browser(), path, item, "hurt").status_code == 302
        except Exception as error:  # shown below, not lost in the thread
            errors.append(error)
        finally:
            close_old_connections()

    threads = [threading.Thread(target=tap) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert ItemFeeling.objects.filter(item=item).count() == 1


def test_feeling_for_another_clients_item_is_not_found_and_writes_nothing(client, path, clinic):
    theirs = make_visit(make_client(clinic, "Dev"), "runners-calves").assign(builtin("calf-rolling-foam-roller"))
    assert feel(client, path, theirs, "hurt").status_code == 404
    assert not ItemFeeling.objects.exists()


@pytest.mark.parametrize("feeling", ["", "great", "<b>hurt</b>", "x" * 10_000])
def test_a_feeling_nobody_offers_changes_nothing(client, path, item, feeling):
    assert feel(client, path, item, feeling).status_code == 404
    assert not ItemFeeling.objects.exists()


def test_a_feeling_for_a_day_in_the_future_is_refused_with_a_message(client, path, item):
    response = feel(client, path, item, "easier", day=timezone.localdate() + datetime.timedelta(days=3))
    assertContains(response, "You can tick today and the six days before it", status_code=400)
    assert not ItemFeeling.objects.exists()


def test_a_cross_site_word_is_refused(client, path, item, homework):
    assert feel(client, path, item, "hurt", HTTP_SEC_FETCH_SITE="cross-site").status_code == 403
    assert client.post(f"{path}word/", {"visit": homework.pk, "word": "not-today"}, HTTP_SEC_FETCH_SITE="cross-site").status_code == 403
    assert not ItemFeeling.objects.exists() and not HomeworkWord.objects.exists()


def test_a_dead_link_takes_no_word(client, path, item):
    ShareLink.replace(item.visit.client)
    assert feel(client, path, item, "hurt").status_code == 404
    assert not ItemFeeling.objects.exists()


def test_not_today_is_kind(client, path, homework):
    response = say(client, path, homework, "not-today")
    assert response.status_code == 302 and response["Location"] == f"{path}#word"
    assertContains(client.get(path), "Rest days are part of it too")
    assert HomeworkWord.objects.get().word == Word.NOT_TODAY


def test_doesnt_fit_my_week_keeps_the_note_escaped(client, path, homework):
    say(client, path, homework, "doesnt-fit", "  Evenings are <b>chaos</b>  ")
    word = HomeworkWord.objects.get()
    assert word.note == "Evenings are <b>chaos</b>"
    page = client.get(path)
    assertContains(page, "Evenings are &lt;b&gt;chaos&lt;/b&gt;")
    assertNotContains(page, "<b>chaos</b>")
    # Said again the same day: still one row, the newest note.
    say(client, path, homework, "doesnt-fit", "Mornings might work")
    assert list(HomeworkWord.objects.values_list("note", flat=True)) == ["Mornings might work"]


def test_a_note_of_ten_thousand_characters_is_refused_and_kept_in_the_box(client, path, homework):
    note = "Evenings are hard. " * 530
    response = say(client, path, homework, "doesnt-fit", note)
    assert response.status_code == 400
    assertContains(response, "A note can be up to 280 characters", status_code=400)
    assertContains(response, escape(note.strip()), status_code=400)
    assert not HomeworkWord.objects.exists()


def test_a_word_on_another_clients_visit_is_not_found(client, path, clinic):
    theirs = make_visit(make_client(clinic, "Dev"), "runners-calves")
    theirs.assign(builtin("calf-rolling-foam-roller"))
    assert say(client, path, theirs, "doesnt-fit", "mine now").status_code == 404
    assert not HomeworkWord.objects.exists()


def test_yesterday_can_be_ticked_and_unticked_afterwards(client, path, item):
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    item.visit.date = timezone.localdate() - datetime.timedelta(days=10)
    item.visit.save()
    response = client.post(f"{path}done/", {"item": item.pk, "day": yesterday.isoformat(), "action": "done"})
    assert response["Location"] == f"{path}#days-{item.pk}"
    assert list(CheckIn.objects.values_list("day", flat=True)) == [yesterday]
    page = client.get(path)
    assertContains(page, f'<span class="date">{yesterday.day}<span aria-hidden="true"> ✓</span></span><span class="visually-hidden"> {yesterday:%B}, done</span>')
    assertContains(page, "Done once in the last seven days. Some times beats no times.")
    client.post(f"{path}done/", {"item": item.pk, "day": yesterday.isoformat(), "action": "undo"})
    assert not CheckIn.objects.exists()


def test_the_strip_offers_the_last_seven_days_none_before_the_homework(client, path, item):
    today = timezone.localdate()
    item.visit.date = today - datetime.timedelta(days=2)
    item.visit.save()
    html = client.get(path).content.decode()
    strip = html[html.index(f'id="days-{item.pk}"'):]
    strip = strip[: strip.index("</ul>")]
    assert strip.count("<button") == 3  # the day it was given, yesterday, today
    item.visit.date = today - datetime.timedelta(days=30)
    item.visit.save()
    html = client.get(path).content.decode()
    strip = html[html.index(f'id="days-{item.pk}"'):]
    assert strip[: strip.index("</ul>")].count("<button") == 7


def test_six_days_back_is_tickable_and_seven_is_not(client, path, item):
    today = timezone.localdate()
    item.visit.date = today - datetime.timedelta(days=30)
    item.visit.save()
    ok = client.post(f"{path}done/", {"item": item.pk, "day": (today - datetime.timedelta(days=6)).isoformat(), "action": "done"})
    assert ok.status_code == 302
    too_far = client.post(f"{path}done/", {"item": item.pk, "day": (today - datetime.timedelta(days=7)).isoformat(), "action": "done"})
    assert too_far.status_code == 400
    assert CheckIn.objects.count() == 1


def test_every_word_and_past_day_changes_the_cached_pages_stamp(client, path, item, homework):
    token = path.split("/")[2]
    stamps = [link_page.find(token).stamp]

    def changed():
        stamps.append(link_page.find(token).stamp)
        return stamps[-1] != stamps[-2]

    feel(client, path, item, "easier")
    assert changed()
    feel(client, path, item, "hurt")  # the same row, changed
    assert changed()
    say(client, path, homework, "not-today")
    assert changed()
    say(client, path, homework, "not-today", "a note this time")
    assert changed()
    client.post(f"{path}done/", {"item": item.pk, "day": (timezone.localdate() - datetime.timedelta(days=1)).isoformat(), "action": "done"})
    assert changed()
    client.post(f"{path}done/", {"item": item.pk, "day": (timezone.localdate() - datetime.timedelta(days=1)).isoformat(), "action": "undo"})
    assert changed()
    # And the cached page itself follows: the hurt panel shows on the next opening.
    assertContains(client.get(path), "Stop, and tell")


def test_the_page_takes_the_same_queries_with_words_and_ticks(client, path, item, homework, django_assert_num_queries):
    feel(client, path, item, "hurt")
    say(client, path, homework, "doesnt-fit", "evenings")
    client.post(f"{path}done/", {"item": item.pk, "action": "done"})
    # The link and its stamp, the opening, the homework with its ticks, feelings and words
    # (a cache miss), the complaints' red flags: as many as without them.
    with django_assert_num_queries(4):
        client.get(path, REMOTE_ADDR="10.1.1.1")


def test_feelings_and_words_are_in_the_export_and_go_with_the_deletion(client, path, item, homework, therapist):
    import io
    import json
    import zipfile

    from aftercare import export

    feel(client, path, item, "hurt")
    say(client, path, homework, "doesnt-fit", "Evenings <b>never</b>")
    data = json.loads(zipfile.ZipFile(io.BytesIO(export.client_zip(homework.client))).read("client.json"))
    (visit,) = data["visits"]
    assert visit["client_words"] == [{"day": timezone.localdate().isoformat(), "word": "This doesn't fit my week",
                                      "note": "Evenings <b>never</b>"}]
    felt = {entry["exercise"]: entry["how_it_felt"] for entry in visit["homework"]}
    assert felt[item.exercise.name] == [{"day": timezone.localdate().isoformat(), "feeling": "It hurt"}]
    client.force_login(therapist.user)
    page = client.get(f"/clients/{homework.client_id}/delete/")
    assertContains(page, "2 words from them")
    client.post(f"/clients/{homework.client_id}/delete/", {"confirm": "Maya"})
    assert not ItemFeeling.objects.exists() and not HomeworkWord.objects.exists()
