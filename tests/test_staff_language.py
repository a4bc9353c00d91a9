"""The therapist's own pages in the therapist's language: their choice ("Your details"),
then their browser's; and a French client's handout printed from an English screen."""

import datetime

import pytest
from django.urls import reverse
from django.utils.html import escape
from pytest_django.asserts import assertContains, assertNotContains

from aftercare.models import HomeworkItem
from exercises.translations import library_text
from tests.conftest import builtin, make_visit
from tests.test_handouts import pdf_text


@pytest.fixture
def homework(client_, therapist):
    visit = make_visit(client_, "headaches", therapist=therapist, date=datetime.date.today(), rebook_weeks=2)
    HomeworkItem.objects.create(visit=visit, exercise=builtin("tennis-ball-suboccipital-release"), slot=1)
    return visit


def speaks(therapist, language: str) -> None:
    therapist.language = language
    therapist.save(update_fields=["language"])


def test_a_therapist_who_chose_french_sees_their_pages_in_french(as_therapist, therapist, homework):
    speaks(therapist, "fr")
    # The browser asks for English: the therapist's own choice wins.
    pages = {
        "clients:list": ([], ["Trouver un client par son nom", "Ajouter un client", "Séances du jour"]),
        "aftercare:visit-homework": ([homework.pk], ["Motif de la séance", "Suggestions pour Maya", "Terminer la séance"]),
        "aftercare:visit-detail": ([homework.pk], ["Exercices de Maya", "Imprimer la fiche", "Lien de Maya"]),
        "aftercare:day": ([], ["Séances du jour", "Imprimez toutes les fiches du jour"]),
    }
    for name, (args, words) in pages.items():
        response = as_therapist.get(reverse(name, args=args), HTTP_ACCEPT_LANGUAGE="en-GB")
        assert response.status_code == 200, name
        assertContains(response, '<html lang="fr">')
        for word in words:
            assertContains(response, word)
        assertNotContains(response, "Log out")


def test_the_day_page_writes_its_date_the_french_way(as_therapist, therapist, homework):
    speaks(therapist, "fr")
    day = datetime.date(2026, 11, 23)  # a Monday
    response = as_therapist.get(reverse("aftercare:day"), {"date": day.isoformat()})
    assertContains(response, "Séances du lundi 23 novembre 2026")


def test_a_therapist_who_chose_nothing_follows_their_browser(as_therapist, therapist, homework):
    assert therapist.language == ""
    response = as_therapist.get(reverse("aftercare:visit-detail", args=[homework.pk]), HTTP_ACCEPT_LANGUAGE="de-DE,de;q=0.9")
    assertContains(response, '<html lang="de">')
    assertContains(response, "Übungsblatt drucken")
    response = as_therapist.get(reverse("clients:list"), HTTP_ACCEPT_LANGUAGE="es")
    assertContains(response, '<html lang="es">')
    assertContains(response, "Buscar un cliente por nombre")


def test_an_english_screen_beside_a_french_clients_handout(as_therapist, therapist, homework):
    homework.client.language = "fr"
    homework.client.save(update_fields=["language"])
    page = as_therapist.get(reverse("aftercare:visit-detail", args=[homework.pk]), HTTP_ACCEPT_LANGUAGE="en-GB")
    assertContains(page, '<html lang="en">')
    assertContains(page, "Print handout")
    assertContains(page, "Maya's link")
    handout = as_therapist.get(reverse("aftercare:visit-handout", args=[homework.pk]), HTTP_ACCEPT_LANGUAGE="en-GB")
    text = " ".join(pdf_text(handout.content).split())
    assert "Pourquoi ça aide" in text and "Why it helps" not in text
    # ...and the therapist's next page is English again.
    again = as_therapist.get(reverse("aftercare:visit-homework", args=[homework.pk]), HTTP_ACCEPT_LANGUAGE="en-GB")
    assertContains(again, "What they came in with")
    assertContains(again, '<html lang="en">')


def test_a_message_after_a_change_speaks_the_therapists_language(as_therapist, therapist, homework):
    speaks(therapist, "de")
    item = homework.items.get()
    response = as_therapist.post(reverse("aftercare:item-remove", args=[homework.pk, item.pk]), follow=True)
    assert response.status_code == 200
    assertContains(response, "gehört nicht mehr zu den Übungen dieses Termins")
    assertContains(response, "Rückgängig")


def test_a_therapist_who_chose_french_reads_the_built_in_library_in_french(as_therapist, therapist, homework):
    """The library's own texts follow the therapist's language on their pages too: names,
    steps, complaints, health flags and equipment; a clinic's own words stay as written."""
    speaks(therapist, "fr")
    tennis = builtin("tennis-ball-suboccipital-release")
    in_french = {text: library_text(text, "fr") for text in (tennis.name, tennis.step_list()[0], tennis.why)}
    assert all(french != english for english, french in in_french.items())
    pages = [
        reverse("aftercare:visit-homework", args=[homework.pk]),
        reverse("aftercare:visit-detail", args=[homework.pk]),
        reverse("aftercare:day"),
        reverse("exercises:detail", args=[tennis.pk]),
    ]
    for path in pages:
        response = as_therapist.get(path, HTTP_ACCEPT_LANGUAGE="en-GB")
        assertContains(response, escape(in_french[tennis.name]))
        assertNotContains(response, escape(tennis.name))
    detail = as_therapist.get(reverse("exercises:detail", args=[tennis.pk]))
    assertContains(detail, escape(in_french[tennis.step_list()[0]]))
    assertContains(detail, escape(in_french[tennis.why]))
    headaches = homework.complaints.get()
    visit_page = as_therapist.get(reverse("aftercare:visit-homework", args=[homework.pk]))
    assertContains(visit_page, escape(library_text(headaches.name, "fr")))
    library_page = as_therapist.get(reverse("exercises:list"))
    assertContains(library_page, escape(library_text(headaches.name, "fr")))  # the complaint filter's choices


def test_an_english_therapist_reads_the_library_as_library_py_writes_it(as_therapist, therapist, homework):
    tennis = builtin("tennis-ball-suboccipital-release")
    response = as_therapist.get(reverse("exercises:detail", args=[tennis.pk]), HTTP_ACCEPT_LANGUAGE="en-GB")
    assertContains(response, escape(tennis.name))
    assertContains(response, escape(tennis.step_list()[0]))
