"""Printable handouts: the visit's sheet, the day's stack, the exercise sheet, and the
fetcher that keeps typed text from reaching any file."""

import datetime
import io
import re
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from PIL import Image
from pypdf import PdfReader
from pytest_django.asserts import assertContains

from aftercare import handouts
from aftercare.handouts import RefusedURL, StaticFetcher
from aftercare.models import ShareLink
from exercises.models import Complaint, Exercise
from exercises.images import clean_upload
from tests.conftest import ARTIFACTS, builtin, make_client, make_visit
from tests.imagefiles import photo_bytes, upload

PNG_FOLDER = ARTIFACTS / "handouts"
A4 = (595.28, 841.89)
LETTER = (612, 792)
NASTY = (
    'Try this <b>bold</b> <script>alert(1)</script> <img src="http://example.com/x.png"> '
    '<img src="file:///etc/passwd"> <link rel="attachment" href="file:///etc/passwd"> '
    '<a href="file:///etc/passwd">file:///etc/passwd</a> <style>@import url(file:///etc/passwd);</style>'
)


def pdf_text(pdf: bytes) -> str:
    return subprocess.run(
        ["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()


def pages(pdf: bytes) -> list:
    return PdfReader(io.BytesIO(pdf)).pages


def save_pngs(pdf: bytes, name: str, dpi: int = 80) -> list[Path]:
    """Keep a picture of each page in test-artifacts/handouts/ to look at."""
    PNG_FOLDER.mkdir(parents=True, exist_ok=True)
    for old in PNG_FOLDER.glob(f"{name}-*.png"):
        old.unlink()
    subprocess.run(["pdftoppm", "-png", "-r", str(dpi), "-", str(PNG_FOLDER / name)], input=pdf, check=True)
    return sorted(PNG_FOLDER.glob(f"{name}-*.png"))


def decode_qr(pdf: bytes, name: str) -> list[str]:
    png = save_pngs(pdf, f"{name}-qr", dpi=200)[0]
    out = subprocess.run(["zbarimg", "--quiet", "--raw", "-Sdisable", "-Sqrcode.enable", str(png)],
                         capture_output=True, check=True)
    return out.stdout.decode().split()


def embedded_files(pdf: bytes) -> dict:
    reader = PdfReader(io.BytesIO(pdf))
    names = reader.trailer["/Root"].get("/Names")
    annotations = [
        a.get_object().get("/Subtype") for page in reader.pages for a in (page.get("/Annots") or [])
    ]
    return {"attachments": reader.attachments, "names": names, "file_annotations": annotations.count("/FileAttachment")}


@pytest.fixture
def clinic_details(clinic):
    clinic.address = "14 Harbour Lane, Bristol BS1 4QA"
    clinic.phone = "0117 496 0123"
    clinic.email = "hello@harbourlane.example"
    clinic.save()
    return clinic


@pytest.fixture
def full_visit(client_, therapist, clinic_details):
    visit = make_visit(
        client_,
        "headaches",
        "rounded-desk-shoulders",
        therapist=therapist,
        date=datetime.date(2026, 11, 23),
        referral="osteopath",
        referral_note="for the old whiplash, if the headaches stay",
        next_goal="Turn your head to check the blind spot without the pull on the right.",
        rebook_weeks=3,
    )
    visit.assign(
        builtin("tennis-ball-suboccipital-release"),
        note="Go gently on the right side; a minute is plenty. Evenings after work suit you best.",
    )
    visit.assign(builtin("doorway-pec-stretch"), how_often="weekly", times_per_week=3, note="Any doorway at work counts.")
    return visit


def test_the_visit_handout_has_the_clients_homework_on_one_page(full_visit):
    pdf = handouts.visit_pdf(full_visit)
    save_pngs(pdf, "visit-a4")
    text = pdf_text(pdf)
    assert len(pages(pdf)) == 1
    for expected in (
        "Harbour Lane Massage", "0117 496 0123", "hello@harbourlane.example", "Maya's homework",
        "Robin Tester", "Monday 23 November 2026", "Tennis ball", "Doorway", "3 times a week",
        "Go gently on the right side", "Why it helps", "Take care", "an osteopath",
        "blind spot", "in about 3 weeks", "some times is better than no times",
    ):
        assert expected in text, expected
    assert "Lindqvist" not in text
    assert len(pdf) < 400_000


def test_the_qr_code_opens_the_clients_live_link_printed_under_it(full_visit):
    pdf = handouts.visit_pdf(full_visit)
    link = ShareLink.objects.get(client=full_visit.client)
    url = f"{settings.AFTERCARE_SITE_URL}{link.path}"
    assert decode_qr(pdf, "visit-a4") == [url]
    # The short link, wrapped anywhere; text extraction drops a "-" that ends a line.
    printed = "".join(pdf_text(pdf).split()).replace("-", "")
    assert link.path.replace("-", "") in printed


def test_printing_never_changes_the_clients_link(full_visit):
    path = ShareLink.issue(full_visit.client)
    handouts.visit_pdf(full_visit)
    handouts.visit_pdf(full_visit)
    assert ShareLink.objects.filter(client=full_visit.client).count() == 1
    assert ShareLink.issue(full_visit.client) == path


def test_a_turned_off_link_gets_no_qr_code_and_no_new_link(full_visit):
    ShareLink.issue(full_visit.client)
    ShareLink.objects.update(revoked_at=datetime.datetime(2026, 11, 1, tzinfo=datetime.UTC))
    pdf = handouts.visit_pdf(full_visit)
    assert ShareLink.objects.filter(revoked_at__isnull=True).count() == 0
    assert "/h/" not in pdf_text(pdf)
    assert len(pages(pdf)) == 1


def test_a4_and_letter_come_out_at_their_own_size(full_visit, clinic):
    a4 = pages(handouts.visit_pdf(full_visit))[0].mediabox
    assert (float(a4.width), float(a4.height)) == pytest.approx(A4, abs=1)
    clinic.paper_size = "Letter"
    clinic.save()
    full_visit.client.clinic = clinic
    pdf = handouts.visit_pdf(full_visit)
    save_pngs(pdf, "visit-letter")
    letter = pages(pdf)[0].mediabox
    assert (float(letter.width), float(letter.height)) == pytest.approx(LETTER, abs=1)
    assert len(pages(pdf)) == 1


def test_long_names_and_notes_wrap_and_stay_on_one_page(clinic_details, therapist):
    maya = make_client(clinic_details, "Maximiliana-Josephina-Wilhelmina", last_name="Lindqvist")
    visit = make_visit(maya, "runners-calves", therapist=therapist, next_goal="Run 10 km without the calf tightening. " * 6,
                       referral="podiatrist", referral_note="about your arches " * 12, rebook_weeks=8)
    long_note = ("Start gently, breathe out as you lean in, and stop at a 6 out of 10. " * 15)[:1000]
    visit.assign(builtin("calf-rolling-foam-roller"), note=long_note)
    visit.assign(builtin("doorway-pec-stretch"), note=long_note)
    pdf = handouts.visit_pdf(visit)
    save_pngs(pdf, "visit-long-notes")
    assert len(pages(pdf)) == 1
    text = " ".join(pdf_text(pdf).split())
    # the whole name, wrapped at a hyphen (pdftotext drops a hyphen that ends a line)
    assert "MaximilianaJosephinaWilhelmina's" in text.replace("-", "").replace(" ", "")
    assert text.count("breathe out as you lean in") >= 20


def test_whatever_is_typed_a_visit_handout_stays_on_one_page_with_its_qr_code(clinic_details, therapist):
    """Letter is the shorter paper; two clinic exercises with eight long steps each, long
    notes, a logo-sized header: past the densest type, paper gets shorter texts."""
    clinic_details.paper_size = "Letter"
    clinic_details.save()
    wordy = []
    for n in (1, 2):
        exercise = Exercise.objects.create(
            clinic=clinic_details, slug=f"wordy-{n}", name=f"A very thorough routine number {n} " * 3,
            kind="stretch", body_area="thighs", minutes=5,
            steps="\n".join(f"Step {s}: " + "take your time and breathe out slowly as you ease in. " * 6 for s in range(8)),
            why="Because it helps the whole chain of muscles let go. " * 10,
            cautions="Stop if anything feels sharp, tingly or numb. " * 12,
        )
        exercise.complaints.add(Complaint.objects.get(slug="runners-calves"))
        wordy.append(exercise)
    visit = make_visit(make_client(clinic_details, "Charlotte"), "runners-calves", therapist=therapist,
                       next_goal="Easier stairs. " * 10, referral="osteopath", rebook_weeks=3)
    for exercise in wordy:
        visit.assign(exercise, note=("Keep it gentle and keep going, some days more than others. " * 17)[:1000])
    pdf = handouts.visit_pdf(visit)
    save_pngs(pdf, "visit-shortened")
    assert len(pages(pdf)) == 1
    text = " ".join(pdf_text(pdf).split())
    assert "Charlotte's homework" in text and "Shortened to fit the page" in text and "scan the code" in text
    assert decode_qr(pdf, "visit-shortened") == [f"{settings.AFTERCARE_SITE_URL}{ShareLink.shown(visit.client).path}"]


def test_a_long_exercise_sheet_stays_on_one_page(clinic_details):
    exercise = Exercise.objects.create(
        clinic=clinic_details, slug="wordy", name="A long one", kind="stretch", body_area="thighs", minutes=5,
        steps="\n".join("Ease in and breathe out slowly, then hold it there a while. " * 4 for _ in range(9)),
        why="Because it helps. " * 40, cautions="Go gently. " * 40,
    )
    pdf = handouts.exercise_pdf(exercise, clinic_details)
    save_pngs(pdf, "exercise-sheet-long")
    assert len(pages(pdf)) == 1


def test_the_days_handouts_have_one_page_per_visit_with_homework(clinic_details, therapist, colleague, outsider):
    day = datetime.date(2026, 11, 23)
    names = ["Maya", "Tomasz", "Aroha"]
    for name, who in zip(names, [therapist, colleague, therapist]):
        visit = make_visit(make_client(clinic_details, name, last_name="Secretsurname"), "headaches", therapist=who, date=day)
        visit.assign(builtin("tennis-ball-suboccipital-release"), note=f"For {name}.")
    make_visit(make_client(clinic_details, "Noitems"), "headaches", therapist=therapist, date=day)
    elsewhere = make_visit(make_client(outsider.clinic, "Outsiderclient"), "headaches", therapist=outsider, date=day)
    elsewhere.assign(builtin("tennis-ball-suboccipital-release"))
    other_day = make_visit(make_client(clinic_details, "Tuesday"), "headaches", date=day + datetime.timedelta(days=1))
    other_day.assign(builtin("tennis-ball-suboccipital-release"))

    pdf = handouts.day_pdf(clinic_details, day)
    save_pngs(pdf, "day")
    reader_pages = pages(pdf)
    assert len(reader_pages) == 3
    for page, name in zip(reader_pages, names):
        assert f"{name}'s homework" in page.extract_text()
    text = pdf_text(pdf)
    assert "Outsiderclient" not in text and "Tuesday's homework" not in text and "Noitems" not in text
    assert PdfReader(io.BytesIO(pdf)).metadata.title == "Handouts, Monday 23 November 2026 · Harbour Lane Massage"
    assert "Secretsurname" not in text


def test_a_day_without_homework_prints_a_kind_note(clinic):
    pdf = handouts.day_pdf(clinic, datetime.date(2026, 11, 24))
    assert len(pages(pdf)) == 1
    assert "No handouts for this day" in pdf_text(pdf)
    assert "No visits on" in pdf_text(pdf)


def test_the_exercise_sheet_has_the_exercise_and_the_clinic_but_no_client(clinic_details):
    exercise = builtin("calf-rolling-foam-roller")
    pdf = handouts.exercise_pdf(exercise, clinic_details)
    save_pngs(pdf, "exercise-sheet")
    text = " ".join(pdf_text(pdf).split())
    assert len(pages(pdf)) == 1
    assert exercise.name in text and "Harbour Lane Massage" in text and "How to do it" in text
    assert exercise.step_list()[0][:30] in text
    assert "/h/" not in text
    assert len(pdf) < 400_000


# Nothing typed can reach a file.

class SpyFetcher(StaticFetcher):
    asked: list[str] = []

    def fetch(self, url, headers=None):
        SpyFetcher.asked.append(url)
        return super().fetch(url, headers)


@pytest.fixture
def spy(monkeypatch):
    SpyFetcher.asked = []
    monkeypatch.setattr(handouts, "StaticFetcher", SpyFetcher)
    return SpyFetcher.asked


def test_html_and_file_links_in_typed_text_print_as_text_and_fetch_nothing(clinic, therapist, client_, spy):
    own = Exercise.objects.create(
        clinic=clinic, slug="nasty", name='Roll <img src="file:///etc/passwd">', kind="stretch", body_area="feet",
        steps=NASTY + "\nStep two", why=NASTY, cautions=NASTY, reps=10,
    )
    client_.first_name = '<link rel="attachment" href="file:///etc/passwd">'
    client_.save()
    visit = make_visit(client_, "headaches", therapist=therapist, next_goal=NASTY[:240], referral="other",
                       referral_note=NASTY[:240])
    visit.assign(own, note=NASTY)
    for pdf in (handouts.visit_pdf(visit), handouts.exercise_pdf(own, clinic), handouts.day_pdf(clinic, visit.date)):
        files = embedded_files(pdf)
        assert files["attachments"] == {} and files["names"] is None and files["file_annotations"] == 0
        assert b"root:x:0:0" not in pdf
        assert "<script>alert(1)</script>" in " ".join(pdf_text(pdf).split())
    assert spy, "the pictures went through the fetcher"
    assert all(url.startswith(("data:image/", f"{settings.AFTERCARE_SITE_URL}/static/")) for url in spy), spy


def test_the_fetcher_refuses_everything_but_the_apps_own_files():
    fetcher = StaticFetcher()
    for url in (
        "file:///etc/passwd",
        "http://example.com/static/css/handout.css",
        "https://example.com/x.png",
        "//example.com/static/css/handout.css",
        "data:text/html,<b>hi</b>",
        "data:application/pdf;base64,JVBERi0=",
        f"{settings.AFTERCARE_SITE_URL}/static/../aftercare/settings.py",
        f"{settings.AFTERCARE_SITE_URL}/static/%2e%2e/%2e%2e/etc/passwd",
        f"{settings.AFTERCARE_SITE_URL}/media/../../../../etc/passwd",
        f"{settings.AFTERCARE_SITE_URL}/static/..%2f..%2fpyproject.toml",
        f"{settings.AFTERCARE_SITE_URL}/static/js/copy.js",
        f"{settings.AFTERCARE_SITE_URL}/etc/passwd",
        "/static/exercises/illustrations/nope.svg",
    ):
        with pytest.raises(RefusedURL):
            fetcher.fetch(url)


def test_the_fetcher_serves_static_pictures_and_image_data():
    fetcher = StaticFetcher()
    response = fetcher.fetch(f"{settings.AFTERCARE_SITE_URL}/static/exercises/illustrations/doorway-pec-stretch.svg")
    assert response.content_type == "image/svg+xml" and b"<svg" in response.read()
    assert fetcher.fetch("/static/css/handout.css").content_type == "text/css"
    assert fetcher.fetch("data:image/png;base64,iVBORw0KGgo=").content_type == "image/png"


@pytest.fixture
def big_upload():
    # A phone photo sized picture in MEDIA_ROOT, as an uploaded exercise picture would be.
    folder = Path(settings.MEDIA_ROOT) / "exercises"
    folder.mkdir(parents=True, exist_ok=True)
    image = Image.effect_noise((3000, 2250), 60).convert("RGB")
    path = folder / "calf-photo.jpg"
    image.save(path, "JPEG", quality=95)
    return f"{settings.MEDIA_URL}exercises/calf-photo.jpg"


def test_uploaded_pictures_are_downscaled_before_embedding(big_upload, full_visit, monkeypatch):
    body = StaticFetcher().fetch(big_upload).read()
    assert max(Image.open(io.BytesIO(body)).size) <= handouts.MAX_PICTURE_PX
    monkeypatch.setattr(Exercise, "picture_url", lambda self: big_upload)
    pdf = handouts.visit_pdf(full_visit)
    save_pngs(pdf, "visit-uploaded-pictures")
    assert len(pages(pdf)) == 1
    assert len(pdf) < 400_000


# Who may print what.

def test_the_therapist_prints_the_visit_handout_from_its_summary(as_therapist, full_visit):
    summary = as_therapist.get(reverse("aftercare:visit-detail", args=[full_visit.pk])).content.decode()
    url = re.search(r'href="([^"]+)">Print handout<', summary)[1]
    assert url.startswith(f"/print/visit.{full_visit.pk}.")  # signed for this browser: test_print_addresses.py
    response = as_therapist.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'inline; filename="maya-2026-11-23-homework.pdf"'
    assert "Maya's homework" in pdf_text(response.content)
    link = ShareLink.objects.get(client=full_visit.client)
    assert decode_qr(response.content, "view") == [f"http://testserver{link.path}"]


def test_a_colleague_prints_it_too(as_colleague, full_visit):
    assert as_colleague.get(reverse("aftercare:visit-handout", args=[full_visit.pk])).status_code == 200


def test_an_outsider_gets_404_for_a_visit_handout(as_outsider, full_visit):
    assert as_outsider.get(reverse("aftercare:visit-handout", args=[full_visit.pk])).status_code == 404


def test_nobody_logged_out_gets_a_handout(client, full_visit):
    response = client.get(reverse("aftercare:visit-handout", args=[full_visit.pk]))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_the_day_page_lists_the_clinics_visits_with_the_days_pdf(as_colleague, full_visit, outsider):
    elsewhere = make_visit(make_client(outsider.clinic, "Outsiderclient"), "headaches", date=full_visit.date)
    elsewhere.assign(builtin("tennis-ball-suboccipital-release"))
    page = as_colleague.get(reverse("aftercare:day"), {"date": "2026-11-23"})
    html = page.content.decode()
    assert page.status_code == 200
    assert "Maya Lindqvist" in html and "Outsiderclient" not in html
    assert "/print/day.2026-11-23." in html  # the day's PDF, by an address signed for this browser (test_print_addresses.py)
    assert "?date=2026-11-22" in html and "?date=2026-11-24" in html
    pdf = as_colleague.get(reverse("aftercare:day-handouts"), {"date": "2026-11-23"})
    assert pdf.status_code == 200 and len(pages(pdf.content)) == 1
    assert "Outsiderclient" not in pdf_text(pdf.content)


def test_the_day_page_shrugs_off_a_bad_date(as_therapist):
    assert as_therapist.get(reverse("aftercare:day"), {"date": "not-a-date"}).status_code == 400
    for far in ("0001-01-01", "9999-12-31"):
        assertContains(as_therapist.get(reverse("aftercare:day"), {"date": far}), "between the year 2000", status_code=400)
    assert as_therapist.get(reverse("aftercare:day")).status_code == 200
    assert as_therapist.get(reverse("aftercare:day-handouts"), {"date": "2026-02-30"}).status_code == 404


def test_an_outsider_sees_none_of_the_clinics_day(as_outsider, full_visit):
    html = as_outsider.get(reverse("aftercare:day"), {"date": "2026-11-23"}).content.decode()
    assert "Maya" not in html
    pdf = as_outsider.get(reverse("aftercare:day-handouts"), {"date": "2026-11-23"}).content
    assert "Maya" not in pdf_text(pdf)


def test_exercise_sheets_for_the_library_and_the_clinics_own_but_not_another_clinics(
    as_therapist, clinic, other_clinic
):
    own = Exercise.objects.create(clinic=clinic, slug="our-roll", name="Our calf roll", kind="self_massage",
                                  body_area="lower_legs", steps="Sit.\nRoll.\nBreathe.", why="Calves.", minutes=2)
    theirs = Exercise.objects.create(clinic=other_clinic, slug="their-roll", name="Their calf roll",
                                     kind="self_massage", body_area="lower_legs", steps="Sit.", why="Calves.", minutes=2)
    for exercise in (builtin("doorway-pec-stretch"), own):
        response = as_therapist.get(reverse("aftercare:exercise-sheet", args=[exercise.pk]))
        assert response.status_code == 200, exercise
        assert exercise.name in pdf_text(response.content)
        assert response["Content-Disposition"].startswith("inline; filename=")
    assert as_therapist.get(reverse("aftercare:exercise-sheet", args=[theirs.pk])).status_code == 404


def test_the_client_downloads_their_own_handout_from_their_link(client, full_visit):
    path = ShareLink.issue(full_visit.client)
    page = client.get(path)
    url = reverse("client-handout", args=[path.split("/")[2]])
    assert url in page.content.decode()
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Referrer-Policy"] == "no-referrer" and "no-store" in response["Cache-Control"]
    assert "Maya's homework" in pdf_text(response.content)
    assert decode_qr(response.content, "client") == [f"http://testserver{path}"]


def test_a_revoked_or_unknown_link_gets_no_handout(client, full_visit):
    path = ShareLink.issue(full_visit.client)
    token = path.split("/")[2]
    ShareLink.replace(full_visit.client)
    for url in (reverse("client-handout", args=[token]), reverse("client-handout", args=["x" * 43])):
        response = client.get(url)
        assert response.status_code == 404
        assert response["Referrer-Policy"] == "no-referrer"


# Printed again, unchanged: session, user, therapist and clinic; then one query says that
# nothing the handout is made from has changed since the file ready for it was made
# (handouts.SOURCES_SQL), and the file is served. The same for two visits or thirty.
QUERIES_VISIT_HANDOUT = 3 + 1
QUERIES_DAY_HANDOUTS = 3 + 1


def _second_visit(full_visit, therapist, first_name="Ines"):
    """Another client's visit the same day, with the clinic's own exercise and its photo."""
    clinic = full_visit.client.clinic
    own = Exercise.objects.filter(clinic=clinic, based_on=builtin("doorway-pec-stretch")).first()
    if own is None:
        own = builtin("doorway-pec-stretch").copy_for(clinic)
        own.add_pictures([clean_upload(upload(photo_bytes("JPEG", (1200, 900)), "doorway.jpg"))])
    other = make_client(clinic, first_name)
    visit = make_visit(other, "low-back", therapist=therapist, date=full_visit.date)
    visit.assign(own, note="At work too.")
    visit.assign(builtin("tennis-ball-suboccipital-release"))
    ShareLink.issue(other)
    return visit


@pytest.mark.parametrize("whose", ["built-in exercises", "the clinic's own exercise with a photo"])
def test_the_visit_handout_takes_a_fixed_number_of_queries(as_therapist, full_visit, therapist, whose, django_assert_num_queries):
    ShareLink.issue(full_visit.client)  # printing a client's live link, as usual
    visit = full_visit if whose == "built-in exercises" else _second_visit(full_visit, therapist)
    url = reverse("aftercare:visit-handout", args=[visit.pk])
    as_therapist.get(url)  # warm: session, clinic, templates
    with django_assert_num_queries(QUERIES_VISIT_HANDOUT):
        assert as_therapist.get(url).status_code == 200


@pytest.mark.parametrize("visits", [2, 3])
def test_the_days_handouts_take_the_same_queries_however_many_visits(as_therapist, full_visit, therapist, visits, django_assert_num_queries):
    ShareLink.issue(full_visit.client)
    for n in range(visits - 1):
        _second_visit(full_visit, therapist, first_name=["Ines", "Jonah"][n])
    url = reverse("aftercare:day-handouts")
    as_therapist.get(url, {"date": "2026-11-23"})
    with django_assert_num_queries(QUERIES_DAY_HANDOUTS):
        response = as_therapist.get(url, {"date": "2026-11-23"})
    assert response.status_code == 200 and len(pages(response.content)) == visits


def test_a_sheet_prints_for_a_retired_exercise_and_for_a_built_in_the_clinic_has_copied(
    as_therapist, as_colleague, clinic
):
    # Both can no longer be given as new homework, but the clinic still sees them, so the
    # sheet for the stack at reception still prints (it answered 404 before).
    own = Exercise.objects.create(clinic=clinic, slug="old-roll", name="Our old calf roll", kind="self_massage",
                                  body_area="lower_legs", steps="Sit.\nRoll.", why="Calves.", minutes=2, retired=True)
    copied = builtin("doorway-pec-stretch")
    copied.copy_for(clinic)
    for exercise in (own, copied):
        response = as_therapist.get(reverse("aftercare:exercise-sheet", args=[exercise.pk]))
        assert response.status_code == 200, exercise
        assert exercise.name in pdf_text(response.content)


def test_a_retired_or_copied_exercise_cannot_be_given_as_new_homework(as_therapist, clinic, visit):
    own = Exercise.objects.create(clinic=clinic, slug="old-roll", name="Our old calf roll", kind="self_massage",
                                  body_area="lower_legs", steps="Sit.\nRoll.", why="Calves.", minutes=2, retired=True)
    copied = builtin("doorway-pec-stretch")
    copy = copied.copy_for(clinic)
    for exercise in (own, copied):
        assert as_therapist.get(reverse("aftercare:item-add", args=[visit.pk, exercise.pk])).status_code == 404
    assert as_therapist.get(reverse("aftercare:item-add", args=[visit.pk, copy.pk])).status_code == 200


def test_every_printout_is_a_tagged_accessible_pdf_with_its_language_and_title(full_visit, clinic_details):
    for pdf in (
        handouts.visit_pdf(full_visit),
        handouts.day_pdf(full_visit.client.clinic, full_visit.date),
        handouts.exercise_pdf(builtin("doorway-pec-stretch"), full_visit.client.clinic),
    ):
        reader = PdfReader(io.BytesIO(pdf))
        root = reader.trailer["/Root"]
        assert bool(root["/MarkInfo"]["/Marked"])
        assert "/StructTreeRoot" in root  # headings, lists and reading order for a screen reader
        assert root["/Lang"] == "en"
        assert reader.metadata.title and full_visit.client.clinic.name in reader.metadata.title
        assert b"pdfuaid" in reader.xmp_metadata.stream.get_data()


def test_names_in_any_script_and_emoji_print_in_fonts_the_pdf_carries(full_visit):
    # fonts-noto-cjk and fonts-noto-color-emoji (the Makefile installs them for running the
    # app): without them these print as empty boxes.
    client = full_visit.client
    client.first_name = "美咲 🌿 Zoë"
    client.save()
    pdf = handouts.visit_pdf(full_visit)
    reader = PdfReader(io.BytesIO(pdf))
    fonts = {
        str(font.get_object()["/BaseFont"]).split("+", 1)[-1]
        for page in reader.pages
        for font in page["/Resources"]["/Font"].values()
    }
    assert any("CJK" in name for name in fonts), fonts
    assert any("Emoji" in name for name in fonts), fonts
    text = pdf_text(pdf)
    assert "美咲" in text and "🌿" in text and "Zoë" in text
