"""The therapist's own pages in the therapist's language: their choice ("Your details"),
then their browser's; and a French client's handout printed from an English screen."""

import datetime

import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from aftercare.models import HomeworkItem
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
