"""The client's own language: their paper, page and calendar in it while the therapist's
screen stays in theirs, the built-in library complete in every language, and a switcher
on the client's page that never breaks whatever it is sent."""

import datetime
import io

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from icalendar import Calendar
from pypdf import PdfReader
from pytest_django.asserts import assertContains, assertNotContains

from aftercare import handouts
from aftercare.models import ShareLink
from exercises import library
from exercises.management.commands.library_messages import library_texts
from exercises.models import Exercise
from exercises.translations import catalogue, library_text, supported
from tests.conftest import builtin, make_client, make_visit
from tests.test_handouts import pdf_text, save_pngs
from tests.test_reminders_email import inbox  # noqa: F401  (a real SMTP server on loopback)

OTHERS = ["fr", "es", "de"]
# What each language prints for the first exercise and for the visit's date (a Monday):
# its own name for the exercise, its own words and order for the date.
EXPECTED = {
    "en": ("Tennis ball release for the base of the skull", "Monday 23 November 2026", "Tick the days you did it"),
    "fr": ("Détente de la base du crâne avec une balle de tennis", "lundi 23 novembre 2026", "Cochez les jours"),
    "es": ("Liberación de la base del cráneo con pelota de tenis", "lunes, 23 de noviembre de 2026", "Marque los días"),
    "de": ("Tennisball-Lockerung am Schädelansatz", "Montag, 23. November 2026", "Haken Sie die Tage ab"),
}


@pytest.fixture
def homework(client_, therapist):
    visit = make_visit(client_, "headaches", therapist=therapist, date=datetime.date(2026, 11, 23), rebook_weeks=2)
    visit.assign(builtin("tennis-ball-suboccipital-release"), note="Two minutes before bed")
    visit.assign(builtin("doorway-pec-stretch"))
    return visit


def speaking(client, language):
    client.language = language
    client.save()
    return client


def lang_of(pdf: bytes) -> str:
    return str(PdfReader(io.BytesIO(pdf)).trailer["/Root"]["/Lang"])


# ----------------------------------------------------------------------------- paper


@pytest.mark.parametrize("language", ["en", *OTHERS])
def test_the_visit_handout_is_in_the_clients_language(homework, language):
    speaking(homework.client, language)
    pdf = handouts.visit_pdf(homework)
    text = " ".join(pdf_text(pdf).split())
    name, date, ticks = EXPECTED[language]
    assert name in text
    assert date in text
    assert ticks in text
    assert lang_of(pdf) == language
    assert _one_page(pdf)
    # The therapist's own words stay as they wrote them.
    assert "Two minutes before bed" in text
    if language != "en":
        assert EXPECTED["en"][0] not in text
    save_pngs(pdf, f"handout-{language}", dpi=60)


@pytest.mark.parametrize("language", OTHERS)
def test_the_exercise_sheet_in_each_language(clinic, language):
    exercise = builtin("doorway-pec-stretch")
    pdf = handouts.exercise_pdf(exercise, clinic, language=language)
    text = " ".join(pdf_text(pdf).split())
    assert library_text(exercise.name, language) in text
    assert library_text(exercise.step_list()[0], language)[:40] in text
    assert lang_of(pdf) == language
    assert exercise.name not in text


def test_the_exercise_sheet_follows_the_clinics_language_by_default(clinic):
    clinic.language = "de"
    clinic.save()
    pdf = handouts.exercise_pdf(builtin("chin-tucks"), clinic)
    assert library_text("Chin tucks", "de") in pdf_text(pdf)
    assert lang_of(pdf) == "de"


def test_the_sheet_page_takes_a_language_and_shrugs_off_a_strange_one(as_therapist, clinic):
    exercise = builtin("chin-tucks")
    url = reverse("aftercare:exercise-sheet", args=[exercise.pk])
    assert "Rentrés de menton" in pdf_text(as_therapist.get(url, {"language": "fr"}).content)
    for odd in ("xx", "../../etc", "fr" * 300, "\x00"):
        response = as_therapist.get(url, {"language": odd})
        assert response.status_code == 200
        assert "Chin tucks" in pdf_text(response.content)  # the clinic's language, English


def test_the_days_stack_prints_each_client_in_their_own_language(clinic, therapist):
    day = datetime.date(2026, 11, 24)
    for first_name, language in [("Amélie", "fr"), ("Jonas", "de"), ("Maya", "en")]:
        client = make_client(clinic, first_name, language=language)
        make_visit(client, therapist=therapist, date=day).assign(builtin("chin-tucks"))
    text = " ".join(pdf_text(handouts.day_pdf(clinic, day)).split())
    assert "Exercices de Amélie" in text and "Rentrés de menton" in text
    assert "Übungen für Jonas" in text and "Kinn-Rückzug" in text
    assert "Maya's homework" in text and "Chin tucks" in text


def test_a_clinics_own_words_print_as_they_wrote_them_in_any_language(clinic, homework):
    own = Exercise.objects.create(
        clinic=clinic, slug="warm-cloth", name="Tissu chaud sur la mâchoire", kind="relaxation",
        body_area="head_neck", minutes=5, steps="Chauffez un linge.\nPosez-le sur la mâchoire.", why="Ça détend.",
    )
    speaking(homework.client, "de")
    homework.items.get(slot=2).delete()
    homework.assign(own)
    text = " ".join(pdf_text(handouts.visit_pdf(homework)).split())
    assert "Tissu chaud sur la mâchoire" in text and "Chauffez un linge." in text  # the clinic's words, untouched
    assert "Tennisball-Lockerung am Schädelansatz" in text  # the library's, in German


def test_a_handout_made_ahead_follows_a_change_of_language(homework):
    link = ShareLink.shown(homework.client)
    before = handouts.content_stamp([homework], {homework.client_id: link}, "https://example.com")
    speaking(homework.client, "fr")
    homework.client.refresh_from_db()
    after = handouts.content_stamp([homework], {homework.client_id: link}, "https://example.com")
    assert before != after


# ----------------------------------------------------------------------------- whose language where


def test_the_therapists_screen_stays_english_next_to_a_french_clients_handout(as_therapist, homework):
    speaking(homework.client, "fr")
    page = as_therapist.get(reverse("clients:detail", args=[homework.client.pk]), HTTP_ACCEPT_LANGUAGE="en-GB")
    assert page.status_code == 200
    assert page["Content-Language"] == "en"
    assertContains(page, "Maya")
    pdf = as_therapist.get(reverse("aftercare:visit-handout", args=[homework.pk])).content
    text = pdf_text(pdf)
    assert "Exercices de Maya" in text and EXPECTED["fr"][0] in " ".join(text.split())
    assert lang_of(pdf) == "fr"
    # ...and the next page the therapist opens is English again.
    again = as_therapist.get(reverse("clients:detail", args=[homework.client.pk]))
    assert again["Content-Language"] == "en"


def test_the_therapists_pages_follow_their_choice_then_their_browser(as_therapist, therapist):
    url = reverse("clients:list")
    assert as_therapist.get(url, HTTP_ACCEPT_LANGUAGE="de-DE,de;q=0.9")["Content-Language"] == "de"
    response = as_therapist.post(
        reverse("your-details"), {"first_name": "Robin", "last_name": "Tester", "email": "", "language": "fr"}
    )
    assert response.status_code == 302
    therapist.refresh_from_db()
    assert therapist.language == "fr"
    assert as_therapist.get(url, HTTP_ACCEPT_LANGUAGE="de-DE,de;q=0.9")["Content-Language"] == "fr"
    as_therapist.post(reverse("your-details"), {"first_name": "Robin", "last_name": "Tester", "email": "", "language": ""})
    assert as_therapist.get(url, HTTP_ACCEPT_LANGUAGE="es")["Content-Language"] == "es"


def test_a_colleagues_choice_is_theirs_alone(as_colleague, colleague, therapist):
    therapist.language = "de"
    therapist.save()
    assert as_colleague.get(reverse("clients:list"), HTTP_ACCEPT_LANGUAGE="en")["Content-Language"] == "en"


def test_a_new_client_speaks_the_clinics_language_and_the_form_can_change_it(as_therapist, clinic):
    clinic.language = "es"
    clinic.save()
    form = as_therapist.get(reverse("clients:create"))
    assertContains(form, '<option value="es" selected>')
    as_therapist.post(reverse("clients:create"), {"first_name": "Lucía", "language": "es", "home": "not_asked"})
    lucia = clinic.clients.get(first_name="Lucía")
    assert lucia.language == "es"
    quick = make_client(clinic, "Pablo")
    assert quick.language == "es"  # save() fills it from the clinic
    as_therapist.post(reverse("clients:edit", args=[lucia.pk]), {"first_name": "Lucía", "language": "fr", "home": "not_asked"})
    lucia.refresh_from_db()
    assert lucia.language == "fr"


def test_an_outsider_cannot_change_another_clinics_client(client, outsider, client_):
    client.force_login(outsider.user)
    response = client.post(reverse("clients:edit", args=[client_.pk]), {"first_name": "Maya", "language": "de"})
    assert response.status_code == 404
    client_.refresh_from_db()
    assert client_.language == "en"


# ----------------------------------------------------------------------------- the client's page


def test_the_clients_page_calendar_and_handout_in_each_language(client, homework):
    path = ShareLink.issue(homework.client)
    for language in ["en", *OTHERS]:
        speaking(homework.client, language)
        name = EXPECTED[language][0]
        page = client.get(path)
        assertContains(page, f'<html lang="{language}">')
        assertContains(page, escape(name))
        ics = Calendar.from_ical(client.get(f"{path}reminders.ics", {"time": "07:30"}).content)
        summaries = [str(event["SUMMARY"]) for event in ics.walk("VEVENT")]
        assert any(summary.startswith(name) for summary in summaries), summaries
        assert name in " ".join(pdf_text(client.get(f"{path}handout.pdf").content).split())


def test_the_client_switches_their_language_on_their_page(client, homework):
    path = ShareLink.issue(homework.client)
    page = client.get(path)
    assertContains(page, 'name="language"')
    assertContains(page, '<option value="de" lang="de">Deutsch</option>')
    response = client.post(f"{path}language/", {"language": "de"})
    assert response.status_code == 302 and response["Location"] == path
    homework.client.refresh_from_db()
    assert homework.client.language == "de"
    page = client.get(path)  # the cached English page gave way
    assertContains(page, '<html lang="de">')
    assertContains(page, EXPECTED["de"][0])
    assertContains(page, '<option value="de" lang="de" selected>Deutsch</option>')


@pytest.mark.parametrize("code", ["fr-CA", "FR", "es_ES", "de-AT"])
def test_a_regional_code_reads_as_its_language(client, homework, code):
    path = ShareLink.issue(homework.client)
    client.post(f"{path}language/", {"language": code})
    homework.client.refresh_from_db()
    assert homework.client.language == code[:2].lower()


@pytest.mark.parametrize("code", ["", "zz", "klingon", "../fr", "fr\x00", "x" * 5000, "<script>", "en-" * 40, "🇫🇷"])
def test_a_fuzzed_code_keeps_the_language_the_page_had(client, homework, code):
    speaking(homework.client, "es")
    path = ShareLink.issue(homework.client)
    response = client.post(f"{path}language/", {"language": code})
    assert response.status_code == 302 and response["Location"] == path
    homework.client.refresh_from_db()
    assert homework.client.language == "es"
    assertContains(client.get(path), '<html lang="es">')


def test_a_language_change_from_another_site_or_a_dead_link_is_refused(client, homework):
    path = ShareLink.issue(homework.client)
    assert client.post(f"{path}language/", {"language": "fr"}, HTTP_SEC_FETCH_SITE="cross-site").status_code == 403
    assert client.post("/h/not-a-real-token-at-all-xxxxxxxxxxxxxxxxxxxxxxxxx/language/", {"language": "fr"}).status_code == 404
    assert client.get(f"{path}language/").status_code == 405
    homework.client.refresh_from_db()
    assert homework.client.language == "en"


def test_a_dead_link_answers_in_the_browsers_language(client, db):
    response = client.get("/h/not-a-real-token-at-all-xxxxxxxxxxxxxxxxxxxxxxxxx/", HTTP_ACCEPT_LANGUAGE="fr-FR,fr;q=0.9")
    assert response.status_code == 404
    assertContains(response, "Ce lien ne fonctionne pas", status_code=404)
    assertContains(response, '<html lang="fr">', status_code=404)
    assertNotContains(response, 'name="language"', status_code=404)


# ----------------------------------------------------------------------------- the library's catalogues


def test_the_library_template_is_up_to_date_with_library_py():
    call_command("library_messages", "--check")


@pytest.mark.parametrize("language", OTHERS)
def test_every_library_text_is_translated(language):
    book = catalogue(language)
    missing = [text for text in library_texts() if book.gettext(text) == text and not text.isdigit()]
    assert not missing, f"{len(missing)} untranslated in {language}, e.g. {missing[:3]}"


@pytest.mark.parametrize("language", OTHERS)
def test_every_client_facing_word_is_translated(language):
    from pathlib import Path

    po = Path(settings.LOCALE_PATHS[0], language, "LC_MESSAGES", "django.po").read_text()
    assert "#, fuzzy\nmsgid" not in po
    entries = [block for block in po.split("\n\n")[1:] if "msgid" in block]
    empty = [block for block in entries if block.rstrip().endswith('msgstr ""') or 'msgstr[0] ""' in block]
    assert not empty, empty[:2]


def test_numbers_in_the_library_survive_translation():
    import re

    for language in OTHERS:
        book = catalogue(language)
        for text in library_texts():
            assert sorted(re.findall(r"\d+", text)) == sorted(re.findall(r"\d+", book.gettext(text))) or "four" in text, (
                language, text,
            )


def test_a_supported_language_for_anything(db):
    assert supported("fr-CA") == "fr"
    assert supported("DE") == "de"
    for odd in (None, "", "zz", "x" * 1000, "\x00", "en-" * 100):
        assert supported(odd) == "en"


def test_complaints_and_health_flags_have_their_names_in_each_language():
    for language in OTHERS:
        for row in library.COMPLAINTS + library.CONDITIONS:
            assert library_text(row["name"], language) != row["name"], (language, row["name"])
        with translation.override(language):
            assert library_text("Headaches") != "Headaches"


# ----------------------------------------------------------------------------- paper stays one page


SHORTENED = {"en": "Shortened to fit", "fr": "Abrégé pour tenir", "es": "Abreviado para que quepa", "de": "Gekürzt, damit"}


def _one_page(pdf: bytes) -> bool:
    return len(PdfReader(io.BytesIO(pdf)).pages) == 1


@pytest.mark.parametrize("language", ["en", *OTHERS])
def test_every_builtin_exercise_sheet_is_one_page(clinic, language):
    clinic.paper_size = "Letter"  # the shorter page
    clinic.save()
    exercises = list(Exercise.objects.filter(clinic=None).prefetch_related("equipment"))
    assert len(exercises) >= 130
    too_long = [e.slug for e in exercises if not _one_page(handouts.exercise_pdf(e, clinic, language=language))]
    assert not too_long, too_long


@pytest.mark.parametrize("language", ["en", *OTHERS])
def test_every_builtin_exercise_in_pairs_is_a_one_page_handout(clinic, therapist, language):
    """The longest with the next longest, and so on down: every pair the hardest it can be
    for its place, with a therapist's note on each and red flags printed."""
    clinic.paper_size = "Letter"
    clinic.save()
    client = make_client(clinic, "Wilhelmina-Josephine", language=language)

    def length(e: Exercise) -> int:
        texts = (e.steps, e.why, e.cautions, e.feel, e.quick)
        return sum(len(library_text(text, language)) for text in texts)

    exercises = sorted(Exercise.objects.filter(clinic=None), key=length, reverse=True)
    too_long = []
    for first, second in zip(exercises[::2], exercises[1::2]):
        visit = make_visit(client, "headaches", "lower-back-tightness", therapist=therapist, rebook_weeks=4,
                           next_goal="Walk to work without the ache.")
        visit.assign(first, note="A minute each side is plenty; stop if it pinches.")
        visit.assign(second, note="Evenings suit you best.")
        pdf = handouts.visit_pdf(visit, link=None)
        # One page, and without cutting anything short (German too, on Letter paper).
        if not _one_page(pdf) or SHORTENED[language] in " ".join(pdf_text(pdf).split()):
            too_long.append((first.slug, second.slug))
    assert not too_long, too_long


def test_a_german_handout_looks_right(homework, clinic):
    """Kept as a picture in test-artifacts/ to look at: the longest German pair."""
    speaking(homework.client, "de")
    pdf = handouts.visit_pdf(homework)
    pngs = save_pngs(pdf, "handout-de-look", dpi=100)
    assert pngs and _one_page(pdf)


# ----------------------------------------------------------------------------- a clinic's own texts per language


@pytest.fixture
def own(clinic):
    return Exercise.objects.create(
        clinic=clinic, slug="warm-cloth", name="Warm cloth jaw release", kind="relaxation", body_area="head_neck",
        minutes=5, steps="Warm a cloth.\nHold it along the jaw.", why="Warmth lets a clenched jaw let go.",
    )


def test_a_therapist_writes_their_exercise_in_french_and_a_french_client_gets_it(as_therapist, own, homework):
    url = reverse("exercises:language", args=[own.pk, "fr"])
    page = as_therapist.get(url)
    assertContains(page, "Warm cloth jaw release in Français")
    assertContains(page, 'lang="fr"')
    response = as_therapist.post(url, {"name": "Linge chaud pour la mâchoire", "steps": "Chauffez un linge.\nTenez-le le long de la mâchoire.",
                                       "why": "La chaleur aide la mâchoire à se relâcher."})
    assert response.status_code == 302
    own.refresh_from_db()
    assert own.translations["fr"]["name"] == "Linge chaud pour la mâchoire"
    homework.items.get(slot=2).delete()
    homework.assign(own)
    speaking(homework.client, "fr")
    text = " ".join(pdf_text(handouts.visit_pdf(homework)).split())
    assert "Linge chaud pour la mâchoire" in text and "Tenez-le le long de la mâchoire." in text
    # A Spanish client: no Spanish text was written, so the clinic's own words, and nothing odd.
    speaking(homework.client, "es")
    text = " ".join(pdf_text(handouts.visit_pdf(homework)).split())
    assert "Warm cloth jaw release" in text and "Hold it along the jaw." in text
    assert "Ejercicios de Maya" in text


def test_half_a_translation_is_refused_and_loses_nothing_typed(as_therapist, own):
    url = reverse("exercises:language", args=[own.pk, "de"])
    response = as_therapist.post(url, {"name": "Warmes Tuch für den Kiefer", "cautions": "Nicht zu heiß."})
    assert response.status_code == 400
    assertContains(response, "Write this in Deutsch too", status_code=400)
    assertContains(response, "Warmes Tuch für den Kiefer", status_code=400)
    assertContains(response, "Nicht zu heiß.", status_code=400)
    own.refresh_from_db()
    assert own.translations == {}


def test_emptying_every_box_forgets_the_language(as_therapist, own):
    own.set_texts("fr", {"name": "Linge chaud", "steps": "Chauffez.", "why": "Ça aide."})
    response = as_therapist.post(reverse("exercises:language", args=[own.pk, "fr"]), {"name": "", "steps": "", "why": ""})
    assert response.status_code == 302
    own.refresh_from_db()
    assert own.translations == {}


def test_two_languages_written_from_two_stale_pages_are_both_kept(own):
    first, second = Exercise.objects.get(pk=own.pk), Exercise.objects.get(pk=own.pk)
    first.set_texts("fr", {"name": "Linge chaud", "steps": "Chauffez.", "why": "Ça aide."})
    second.set_texts("de", {"name": "Warmes Tuch", "steps": "Wärmen.", "why": "Es hilft."})
    own.refresh_from_db()
    assert set(own.translations) == {"fr", "de"}


def test_texts_in_another_language_are_for_the_clinics_own_exercises_only(as_therapist, as_colleague, own, clinic):
    assert as_therapist.get(reverse("exercises:language", args=[builtin("chin-tucks").pk, "fr"])).status_code == 404
    assert as_therapist.get(reverse("exercises:language", args=[own.pk, "en"])).status_code == 404  # the clinic's own
    assert as_therapist.get(reverse("exercises:language", args=[own.pk, "zz"])).status_code == 404
    assert as_colleague.get(reverse("exercises:language", args=[own.pk, "es"])).status_code == 200


def test_an_outsider_gets_404_for_another_clinics_texts(client, outsider, own, clinic):
    from exercises.models import Complaint

    complaint = Complaint.objects.create(clinic=clinic, slug="rehab", name="Shoulder rehab", body_area="shoulders")
    client.force_login(outsider.user)
    for url in (reverse("exercises:language", args=[own.pk, "fr"]),
                reverse("exercises:complaint-language", args=[complaint.pk, "fr"])):
        assert client.get(url).status_code == 404
        assert client.post(url, {"name": "Volé"}).status_code == 404
    own.refresh_from_db()
    complaint.refresh_from_db()
    assert own.translations == {} and complaint.translations == {}


def test_a_clinics_complaint_prints_its_red_flags_in_the_clients_language(as_therapist, clinic, homework):
    from exercises.models import Complaint

    complaint = Complaint.objects.create(clinic=clinic, slug="rehab", name="Shoulder rehab", body_area="shoulders",
                                         red_flags="a hot, swollen shoulder")
    response = as_therapist.post(reverse("exercises:complaint-language", args=[complaint.pk, "fr"]),
                                 {"name": "Rééducation de l'épaule", "red_flags": "une épaule chaude et gonflée"})
    assert response.status_code == 302
    homework.complaints.add(complaint)
    speaking(homework.client, "fr")
    text = " ".join(pdf_text(handouts.visit_pdf(homework)).split())
    assert "une épaule chaude et gonflée" in text
    assert "a hot, swollen shoulder" not in text


def test_the_library_filter_gives_a_text_in_the_active_language():
    from django.template import Context, Template

    template = Template("{% load library %}{{ name|library }} · {{ own|library }}")
    with translation.override("es"):
        assert template.render(Context({"name": "Stiff neck", "own": "Our own rehab"})) == "Cuello rígido · Our own rehab"


# ----------------------------------------------------------------------------- everything the client receives

# For the homework fixture's visit (Monday 23 November 2026) and its first exercise: the
# page's date with its weekday, the feedback words, and a few of the page's own phrases.
RECEIVED = {
    "fr": {
        "date": "lundi 23 novembre",
        "feelings": ["Ça devient plus facile", "À peu près pareil", "Ça a fait mal"],
        "words": ["Pas aujourd'hui", "Ça ne rentre pas dans ma semaine"],
        "page": ["Je l'ai fait aujourd'hui", "Comment l'avez-vous ressenti aujourd'hui ?", "Télécharger votre fiche"],
        "reminder": "Un petit rappel de vos exercices de Harbour Lane Massage",
        "subject": "Un rappel de Harbour Lane Massage : ",
        "confirm": "Confirmez vos rappels d'exercices de Harbour Lane Massage",
        "push": "C'est l'heure de : ",
        "nudge": "Bonjour Maya, un petit bonjour de Robin",
    },
    "es": {
        "date": "lunes, 23 de noviembre",
        "feelings": ["Cada vez más fácil", "Más o menos igual", "Me ha dolido"],
        "words": ["Hoy no", "No encaja en mi semana"],
        "page": ["Lo he hecho hoy", "¿Cómo se ha sentido hoy?", "Descargar su hoja"],
        "reminder": "Un pequeño recordatorio de sus ejercicios de Harbour Lane Massage",
        "subject": "Un recordatorio de Harbour Lane Massage: ",
        "confirm": "Confirme sus recordatorios de ejercicios de Harbour Lane Massage",
        "push": "Es la hora de: ",
        "nudge": "Hola, Maya: un saludo cordial de Robin",
    },
    "de": {
        "date": "Montag, 23. November",
        "feelings": ["Es wird leichter", "Ungefähr gleich", "Es hat wehgetan"],
        "words": ["Heute nicht", "Das passt nicht in meine Woche"],
        "page": ["Heute gemacht", "Wie hat es sich heute angefühlt?", "Ihr Übungsblatt herunterladen"],
        "reminder": "Eine kleine Erinnerung an Ihre Übungen von Harbour Lane Massage",
        "subject": "Eine Erinnerung von Harbour Lane Massage: ",
        "confirm": "Bestätigen Sie Ihre Übungserinnerungen von Harbour Lane Massage",
        "push": "Zeit für: ",
        "nudge": "Hallo Maya, ein freundlicher Gruß von Robin",
    },
}
# English a translated page, email or notification must not carry (the words marked for
# the client: if one shows, a string was left out or rendered outside the client's language).
ENGLISH_PAGE = [
    "I did it today", "How did it feel today?", "Getting easier", "About the same", "It hurt",
    "Not today", "This doesn&#x27;t fit my week", "Some times beats no times", "Why it helps:",
    "Download your handout", "Remind me", "Save my reminders", "In your calendar", "Until next time",
    "This page is private", "Your homework from", "Monday", " weeks,",
]
ENGLISH_EMAIL = [
    "Hi Maya", "A little reminder", "Some times is better than no times", "Your homework page",
    "Stop these reminders", "Someone (we hope you)", "Confirm my reminders", "If it wasn't you", "Time for",
]


def shows(html: str, phrase: str) -> bool:
    """A phrase on a page, whether the template printed it escaped or as it is."""
    return phrase in html or escape(phrase) in html


@pytest.mark.parametrize("language", OTHERS)
def test_the_clients_page_speaks_their_language_throughout(client, homework, language):
    speaking(homework.client, language)
    path = ShareLink.issue(homework.client)
    page = client.get(path, HTTP_ACCEPT_LANGUAGE="en")  # the browser's language changes nothing
    html = page.content.decode()
    expected = RECEIVED[language]
    assertContains(page, f'<html lang="{language}">')
    assertContains(page, escape(EXPECTED[language][0]))
    assertContains(page, escape(expected["date"]))
    missing = [phrase for phrase in expected["feelings"] + expected["words"] + expected["page"] if not shows(html, phrase)]
    assert not missing, missing
    left = [phrase for phrase in ENGLISH_PAGE if shows(html, phrase)]
    assert not left, f"English on a {language} page: {left}"


@pytest.mark.parametrize("language", OTHERS)
def test_a_form_sent_back_is_in_the_clients_language(client, homework, language):
    speaking(homework.client, language)
    path = ShareLink.issue(homework.client)
    # The one-off calendar file with no time: the page again (400), in the client's language
    # whatever the browser says.
    response = client.get(f"{path}reminders.ics", {"time": "soon"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assertContains(response, f'<html lang="{language}">', status_code=400)
    assert shows(response.content.decode(), RECEIVED[language]["page"][0])
    # The reminder form's own errors too.
    response = client.post(f"{path}reminders/", {"at": "", "days": ["0"]}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    with translation.override(language):
        message = str(translation.gettext("Choose a time of day for your reminder."))
    assert message != "Choose a time of day for your reminder."
    assertContains(response, escape(message), status_code=400)
    assertContains(response, f'<html lang="{language}">', status_code=400)


@pytest.mark.parametrize("language", OTHERS)
def test_the_confirmation_and_reminder_emails_in_the_clients_language(client, homework, inbox, language):  # noqa: F811
    """Through a real SMTP server: the confirmation, the pages its links open (in the
    client's language although the browser asks for English), then a reminder."""
    import zoneinfo

    import time_machine

    from aftercare.worker import run_queued_jobs
    from tests.test_reminders_email import first_link, html_of, run_minute, text_of

    london = zoneinfo.ZoneInfo("Europe/London")
    speaking(homework.client, language)
    path = ShareLink.issue(homework.client)
    expected, name = RECEIVED[language], EXPECTED[language][0]
    with time_machine.travel(datetime.datetime(2026, 11, 23, 18, 0, tzinfo=london), tick=False):
        response = client.post(f"{path}reminders/", {
            "at": "07:30", "days": [str(d) for d in range(7)], "by_email": "on", "email": "maya@example.com",
            "time_zone": "Europe/London",
        })
        assert response.status_code == 302
        run_queued_jobs()
        [confirmation] = inbox.take()
        assert str(confirmation["Subject"]).strip() == expected["confirm"]
        text, html = text_of(confirmation), html_of(confirmation)
        assert f'<html lang="{language}">' in html
        left = [phrase for phrase in ENGLISH_EMAIL if phrase in text or phrase in html]
        assert not left, f"English in a {language} confirmation: {left}"
        confirm = first_link(text, "/reminders/confirm/")
        page = client.get(confirm, HTTP_ACCEPT_LANGUAGE="en")
        assertContains(page, f'<html lang="{language}">')
        assert client.post(confirm, HTTP_ACCEPT_LANGUAGE="en").status_code == 200

    run_minute(datetime.datetime(2026, 11, 24, 7, 30, tzinfo=london))
    [reminder] = inbox.take()
    assert str(reminder["Subject"]).strip().startswith(f"{expected['subject']}{name}")
    text, html = text_of(reminder), html_of(reminder)
    for body in (text, html):
        assert expected["reminder"] in body
        assert name in body
        left = [phrase for phrase in ENGLISH_EMAIL if phrase in body]
        assert not left, f"English in a {language} reminder: {left}"
    assert f'<html lang="{language}">' in html
    stop = first_link(text, "/reminders/stop/")
    assertContains(client.get(stop, HTTP_ACCEPT_LANGUAGE="en"), f'<html lang="{language}">')


@pytest.mark.parametrize("language", OTHERS)
def test_the_push_the_nudge_and_the_link_email_in_the_clients_language(homework, therapist, language):
    from aftercare import nudges, reminders
    from aftercare.reminder_models import ReminderPlan

    client = speaking(homework.client, language)
    expected, name = RECEIVED[language], EXPECTED[language][0]
    ShareLink.issue(client)
    link = ShareLink.objects.get(client=client)
    items = list(homework.items.select_related("exercise"))
    reminder = reminders.Reminder(ReminderPlan(client=client), client, datetime.date(2026, 11, 24), link, homework, items)
    with translation.override("en"):  # whatever the worker's own language
        payload = reminders.push_payload(reminder, "https://aftercare.example")
        nudge = nudges.default_text(client, therapist, client.clinic)
        email = link.email("https://aftercare.example/h/x/", therapist=therapist)
    assert payload["title"].startswith(expected["push"]) and name in payload["title"]
    assert not any(phrase in payload["title"] + payload["body"] for phrase in ENGLISH_EMAIL)
    assert nudge.startswith(expected["nudge"]) and "Some times" not in nudge
    assert "Harbour Lane Massage" in email.subject and "Your homework" not in email.subject
    assert "Hi Maya" not in email.body and "some times is better" not in email.body


def test_the_feedback_words_follow_the_active_language():
    from aftercare.feedback import Feeling, Word

    for language in OTHERS:
        with translation.override(language):
            said = [str(label) for label in [*Feeling.labels, *Word.labels]]
        assert said == RECEIVED[language]["feelings"] + RECEIVED[language]["words"]


# The files whose words reach the client (and the few therapist words beside them): every
# entry of theirs in each catalogue is translated, and none is left fuzzy.
CLIENT_FILES = (
    "templates/link/", "templates/emails/", "templates/handouts/", "templates/base_client.html",
    "aftercare/reminders.py", "aftercare/webpush.py", "aftercare/nudges.py", "aftercare/feedback.py",
    "aftercare/link_views.py", "aftercare/reminder_views.py", "aftercare/feedback_views.py",
    "aftercare/link_language_views.py", "aftercare/reminder_forms.py", "aftercare/feedback_forms.py",
    "aftercare/handouts.py", "aftercare/calendar.py",
)


@pytest.mark.parametrize("language", OTHERS)
def test_every_word_the_client_receives_is_translated(language):
    from pathlib import Path

    po = Path(settings.LOCALE_PATHS[0], language, "LC_MESSAGES", "django.po").read_text()
    ours, wanting = 0, []
    for block in po.split("\n\n")[1:]:
        places = " ".join(line[3:] for line in block.splitlines() if line.startswith("#: "))
        if not any(f" {name}" in f" {places}" for name in CLIENT_FILES):
            continue
        ours += 1
        strings = [line for line in block.splitlines() if line.startswith("msgstr")]
        if "fuzzy" in block.split("msgid")[0] or not strings or any(line.endswith(' ""') for line in strings):
            wanting.append(block)
    assert ours > 150, "the catalogue has the client's words"
    assert not wanting, f"{len(wanting)} of the client's words untranslated in {language}: {wanting[:2]}"


def test_the_clients_templates_have_no_text_outside_a_translation_tag():
    """What makemessages can't find: visible words in the client's templates that no
    {% translate %} or {% blocktranslate %} holds."""
    import re
    from pathlib import Path

    root = Path(settings.BASE_DIR)
    templates = [*root.glob("templates/link/*.html"), *root.glob("templates/emails/*"), *root.glob("templates/handouts/*.html"),
                 root / "templates/base_client.html"]
    assert len(templates) > 15
    bare = {}
    for template in templates:
        text = template.read_text()
        for pattern in (r"{% comment %}.*?{% endcomment %}", r"{#.*?#}", r"{% blocktranslate.*?{% endblocktranslate %}",
                        r"{%.*?%}", r"{{.*?}}", r"<(style|script)\b.*?</\1>", r"<!--.*?-->", r"<[^>]*>", r"&[a-z]+;|&#\w+;"):
            text = re.sub(pattern, " ", text, flags=re.S)
        words = re.findall(r"[A-Za-z]{2,}", text)
        if words:
            bare[template.name] = words[:8]
    assert not bare, bare


@pytest.mark.browser
def test_the_clients_page_on_a_phone_in_each_language(page, homework):
    """The top of the client's page on a phone in each language, as a person sees it: the
    pictures are in test-artifacts/screenshots/, and in docs/ (client-page-<language>.png and
    client-page-<language>-buttons.png, shown by docs/translating.md) when
    AFTERCARE_DOCS_SCREENSHOTS=1 asks to refresh them."""
    import os
    import shutil
    from pathlib import Path

    from playwright.sync_api import expect

    page.set_viewport_size({"width": 390, "height": 1100})
    path = ShareLink.issue(homework.client)
    for language in ["en", *OTHERS]:
        speaking(homework.client, language)
        page.goto(path)
        expect(page.locator("html")).to_have_attribute("lang", language)
        expect(page.get_by_role("heading", name=EXPECTED[language][0])).to_be_visible()
        greeting = {"en": "Hi Maya", "fr": "Bonjour Maya", "es": "Hola, Maya", "de": "Hallo Maya"}[language]
        expect(page.get_by_role("heading", name=greeting)).to_be_visible()
        shots = [page.screenshots.folder / f"client-page-{language}{part}.png" for part in ("", "-buttons")]
        page.evaluate("window.scrollTo(0, 0)")
        page.screenshot(path=str(shots[0]))  # a tall phone's screen, not the whole page: readable as it is
        # The first item's buttons and the week below them, the words a client taps.
        page.evaluate("document.querySelector('form.tick').scrollIntoView({block: 'start'})")
        expect(page.locator("form.tick").first).to_be_in_viewport()
        page.screenshot(path=str(shots[1]), clip={"x": 0, "y": 0, "width": 390, "height": 900})
        if os.environ.get("AFTERCARE_DOCS_SCREENSHOTS") == "1":
            for shot in shots:
                shutil.copy(shot, Path(settings.BASE_DIR, "docs", shot.name))
