"""The one visit page: quick add, a chosen item's note, undoing a removal or a finish, and
teach mode; in place with htmx (the HX-Request header) and as plain form posts."""

import time

from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from aftercare import views
from aftercare.models import HomeworkItem
from tests.conftest import builtin

HTMX = {"HX-Request": "true"}


def test_add_gives_the_exercises_own_dose_and_puts_the_note_in_focus(as_therapist, visit):
    pec = builtin("doorway-pec-stretch")
    response = as_therapist.post(reverse("aftercare:item-add", args=[visit.pk, pec.pk]), {"quick": "1"}, headers=HTMX)
    assert response.status_code == 200
    item = visit.items.get()
    assert item.exercise == pec and item.how_often == pec.how_often and item.hold_seconds == pec.hold_seconds
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="visit-work">')  # only the part that changed
    assert f'id="id_item-{item.pk}-note"' in html and "autofocus" in html
    assertContains(response, f"{pec.name} is part of Maya")


def test_add_without_javascript_goes_back_to_the_page_at_the_new_item(as_therapist, visit):
    pec = builtin("doorway-pec-stretch")
    response = as_therapist.post(reverse("aftercare:item-add", args=[visit.pk, pec.pk]), {"quick": "1"})
    item = visit.items.get()
    assert response.status_code == 302 and response["Location"].endswith(f"?added={item.pk}#item-{item.pk}")
    page = as_therapist.get(response["Location"])
    assert "autofocus" in page.content.decode()


def test_a_third_quick_add_is_refused_with_a_clear_message(as_therapist, visit):
    visit.assign(builtin("doorway-pec-stretch"))
    visit.assign(builtin("psoas-release"))
    tennis = builtin("tennis-ball-suboccipital-release")
    response = as_therapist.post(reverse("aftercare:item-add", args=[visit.pk, tennis.pk]), {"quick": "1"}, headers=HTMX)
    assertContains(response, "already has two homework items")
    assert visit.items.count() == 2


def test_a_colleague_can_add_and_an_outsider_gets_404(as_colleague, visit, client, outsider):
    pec = builtin("doorway-pec-stretch")
    url = reverse("aftercare:item-add", args=[visit.pk, pec.pk])
    assert as_colleague.post(url, {"quick": "1"}, headers=HTMX).status_code == 200
    client.force_login(outsider.user)
    assert client.post(reverse("aftercare:item-restore", args=[visit.pk])).status_code == 404
    assert client.post(url, {"quick": "1"}).status_code == 404


def test_a_note_is_saved_in_place(as_therapist, visit):
    item = visit.assign(builtin("doorway-pec-stretch"))
    url = reverse("aftercare:item-note", args=[visit.pk, item.pk])
    response = as_therapist.post(url, {f"item-{item.pk}-note": "  After your walk  "}, headers=HTMX)
    assertContains(response, "Note saved")
    item.refresh_from_db()
    assert item.note == "After your walk"


def test_a_note_too_long_says_so_and_keeps_every_word(as_therapist, visit):
    item = visit.assign(builtin("doorway-pec-stretch"), note="Kept")
    long = "slowly " * 200  # 1,400 characters
    for headers in (HTMX, {}):
        response = as_therapist.post(
            reverse("aftercare:item-note", args=[visit.pk, item.pk]), {f"item-{item.pk}-note": long}, headers=headers
        )
        assert response.status_code == (200 if headers else 400)
        assertContains(response, "A note can be up to 1000 characters", status_code=response.status_code)
        assertContains(response, long.strip(), status_code=response.status_code)
        assertNotContains(response, 'maxlength="1000"', status_code=response.status_code)  # no silent cut
    item.refresh_from_db()
    assert item.note == "Kept"


def test_a_removed_item_comes_back_with_its_dose_and_note(as_therapist, visit):
    item = visit.assign(builtin("doorway-pec-stretch"), note="Both sides", hold_seconds=45)
    response = as_therapist.post(reverse("aftercare:item-remove", args=[visit.pk, item.pk]), headers=HTMX)
    assertContains(response, "Undo")
    assert not visit.items.exists()
    response = as_therapist.post(reverse("aftercare:item-restore", args=[visit.pk]), headers=HTMX)
    assertContains(response, "is back, with its note")
    back = visit.items.get()
    assert back.note == "Both sides" and back.hold_seconds == 45
    # Undone once: a second undo has nothing to bring back.
    response = as_therapist.post(reverse("aftercare:item-restore", args=[visit.pk]), headers=HTMX)
    assertContains(response, "too late to undo")
    assert visit.items.count() == 1


def test_undo_after_the_window_says_it_is_too_late(as_therapist, visit, monkeypatch):
    item = visit.assign(builtin("doorway-pec-stretch"), note="Both sides")
    as_therapist.post(reverse("aftercare:item-remove", args=[visit.pk, item.pk]))
    later = time.time() + views.UNDO_SECONDS + 1
    monkeypatch.setattr(views.time, "time", lambda: later)
    response = as_therapist.post(reverse("aftercare:item-restore", args=[visit.pk]), follow=True)
    assertContains(response, "too late to undo")
    assert not HomeworkItem.objects.filter(visit=visit).exists()


def test_finishing_by_mistake_can_be_undone(as_therapist, visit):
    visit.next_goal, visit.rebook_weeks = "Looser calves", 4
    visit.save()
    url = reverse("aftercare:visit-wrap-up", args=[visit.pk])
    response = as_therapist.post(url, {"next_goal": "Oops", "rebook_weeks": "1", "referral": ""}, follow=True)
    assertContains(response, "Visit finished.")
    assertContains(response, "Undo")
    visit.refresh_from_db()
    assert visit.next_goal == "Oops"
    response = as_therapist.post(reverse("aftercare:visit-unfinish", args=[visit.pk]), follow=True)
    assertContains(response, "Not finished after all")
    visit.refresh_from_db()
    assert visit.next_goal == "Looser calves" and visit.rebook_weeks == 4


def test_finish_and_print_opens_the_handout(as_therapist, visit):
    visit.assign(builtin("doorway-pec-stretch"))
    response = as_therapist.post(
        reverse("aftercare:visit-wrap-up", args=[visit.pk]), {"rebook_weeks": "2", "referral": "", "print": "1"}
    )
    assert response.status_code == 302 and response["Location"] == reverse("aftercare:visit-handout", args=[visit.pk])


def test_a_tick_on_the_visit_page_updates_the_suggestions_in_place(as_therapist, visit):
    from exercises.models import Complaint

    calves = Complaint.objects.get(slug="runners-calves")
    response = as_therapist.post(
        reverse("aftercare:visit-edit", args=[visit.pk]),
        {"complaints": [str(c.pk) for c in visit.complaints.all()] + [str(calves.pk)], "intake_note": ""},
        headers=HTMX,
    )
    assert response.status_code == 200
    assert visit.complaints.filter(pk=calves.pk).exists()
    assertContains(response, "Suggested for Maya")


def test_teach_mode_shows_the_items_with_their_steps(as_therapist, visit):
    pec = builtin("doorway-pec-stretch")
    visit.assign(pec, note="Both sides, slowly")
    response = as_therapist.get(reverse("aftercare:visit-teach", args=[visit.pk]))
    assertContains(response, pec.name)
    assertContains(response, pec.step_list()[0])
    assertContains(response, "Both sides, slowly")


def test_the_referral_reads_as_one_sentence(visit):
    from aftercare.models import Visit

    def sentence(referral, note=""):
        return Visit(referral=referral, referral_note=note).referral_sentence

    assert sentence("osteopath", "For the neck stiffness…") == "It may help to see an osteopath for the neck stiffness."
    assert sentence("osteopath", "about the neck") == "It may help to see an osteopath about the neck."
    assert sentence("podiatrist", "Heel pain that keeps coming back") == (
        "It may help to see a podiatrist: Heel pain that keeps coming back."
    )
    assert sentence("gp") == "It may help to see your GP."
    assert sentence("other", "A Pilates teacher") == "It may help to see a Pilates teacher."
    assert sentence("other", "a Pilates teacher.") == "It may help to see a Pilates teacher."
    assert sentence("") == ""


def test_email_names_the_therapist_only_when_it_goes_to_them(client, visit, therapist, clinic):
    from aftercare.models import ShareLink

    clinic.email = "desk@harbour.example"
    clinic.save()
    visit.assign(builtin("doorway-pec-stretch"))
    path = ShareLink.issue(visit.client)
    therapist.user.email = ""
    therapist.user.save()
    page = client.get(path).content.decode()
    assert "mailto:desk@harbour.example" in page and "Email Harbour Lane Massage a question" in page
    therapist.user.email = "robin@harbour.example"
    therapist.user.save()
    visit.save()  # the page's change stamp follows the visit, not the login (shown within its cache time)
    page = client.get(path).content.decode()
    assert "mailto:robin@harbour.example" in page and "Email Robin a question" in page


def test_a_therapist_sets_their_own_email_for_clients_questions(as_colleague, colleague, therapist):
    response = as_colleague.post("/me/", {"first_name": "Jo", "last_name": "Tester", "email": "jo@harbour.example"})
    assert response.status_code == 302
    colleague.user.refresh_from_db()
    therapist.user.refresh_from_db()
    assert colleague.user.email == "jo@harbour.example" and therapist.user.email != "jo@harbour.example"
    response = as_colleague.post("/me/", {"first_name": "", "last_name": "", "email": "not an address"})
    assert response.status_code == 400
    assertContains(response, "Enter a valid email address", status_code=400)
    assertContains(response, "not an address", status_code=400)
