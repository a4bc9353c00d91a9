"""In a real browser: a therapist adds the clinic's own exercise with a photo (after a
wrong file first), then sees it, picture and all, suggested on a visit's homework page for
its complaint and on the client's page."""

import io
from pathlib import Path

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from aftercare.models import ShareLink
from exercises.models import Complaint, Exercise
from tests.conftest import ARTIFACTS, log_in, make_client, make_visit
from tests.pdfs import clicked_pdf, read_pdf
from tests.imagefiles import phone_exif, photo_bytes

pytestmark = [pytest.mark.browser]


def picture_loaded(locator) -> bool:
    return locator.evaluate("img => img.complete && img.naturalWidth > 0")


def test_a_therapist_adds_an_exercise_with_a_picture_and_sees_it_suggested(page, therapist, clinic, tmp_path):
    shot = page.screenshots
    photo = tmp_path / "jaw-release.jpg"
    photo.write_bytes(photo_bytes("JPEG", (2400, 1800), exif=phone_exif(orientation=6)))
    wrong = tmp_path / "notes.jpg"
    wrong.write_text("Not a photo: my notes about the jaw exercise.")

    log_in(page, "robin")
    page.get_by_role("link", name="Library", exact=True).click()
    expect(page.get_by_role("heading", name="Library")).to_be_visible()
    page.get_by_role("link", name="Add an exercise").click()

    page.get_by_label("Name").fill("Warm cloth jaw release")
    page.get_by_label("Kind").select_option(label="Self-massage")
    page.get_by_label("Body area").select_option(label="Head and neck")
    page.get_by_label("Every day").check()
    page.get_by_label("Minutes").fill("3")
    page.get_by_label("Steps").fill(
        "Warm a face cloth under the tap.\nHold it over the jaw muscles for a minute.\nCircle gently with two fingers."
    )
    page.get_by_label("Why it helps").fill("Warmth and slow circles let a clenched jaw let go.")
    page.get_by_label("Take care").fill("Never hot enough to redden the skin.")
    page.get_by_label("Towel").check()
    page.locator("#id_complaints-0-complaint").select_option(label="Jaw clenching")
    page.locator("#id_complaints-0-rank").fill("1")
    page.get_by_label("Add pictures").set_input_files(str(wrong))
    page.expected_refusals = 1
    page.get_by_role("button", name="Add to our library").click()

    expect(page.get_by_text("notes.jpg: We can't read that as a picture.")).to_be_visible()
    expect(page.get_by_label("Name")).to_have_value("Warm cloth jaw release")
    expect(page.get_by_label("Steps")).to_have_value(
        "Warm a face cloth under the tap.\nHold it over the jaw muscles for a minute.\nCircle gently with two fingers."
    )
    expect(page.get_by_label("Towel")).to_be_checked()
    jaw = Complaint.objects.get(slug="jaw-clenching")
    expect(page.locator("#id_complaints-0-complaint")).to_have_value(str(jaw.pk))
    shot("bad-picture-kept-the-form")

    page.get_by_label("Add pictures").set_input_files(str(photo))
    page.get_by_role("button", name="Add to our library").click()
    expect(page.get_by_role("heading", name="Warm cloth jaw release")).to_be_visible()
    exercise = Exercise.objects.get(clinic=clinic, name="Warm cloth jaw release")
    picture = page.get_by_alt_text("Picture: Warm cloth jaw release")
    expect(picture).to_have_attribute("src", exercise.pictures.get().image.url)
    assert picture_loaded(picture)
    assert picture.evaluate("img => img.naturalHeight > img.naturalWidth")  # turned upright
    shot("exercise-page")

    maya = make_client(clinic, "Maya", at_home=("towel",))
    visit = make_visit(maya, "jaw-clenching", therapist=therapist)
    page.goto(f"/visits/{visit.pk}/homework/")
    # Rank 1 for jaw clenching, like the built-in jaw massage: the two lead the suggestions.
    names = page.locator(".suggestions .exercise-card h3").all_inner_texts()
    assert "Warm cloth jaw release" in names[:2], names
    first = page.locator(".suggestions .exercise-card").filter(has_text="Warm cloth jaw release")
    expect(first).to_contain_text("Maya has what this needs")
    assert picture_loaded(first.locator("img"))
    shot("suggested-on-the-homework-page")

    first.get_by_role("link", name="Set dose first for Warm cloth jaw release").click()
    expect(page.get_by_label("Minutes")).to_have_value("3")
    page.get_by_role("button", name="Add to homework").click()
    expect(page.get_by_role("heading", name="Chosen: 1 of 2")).to_be_visible()

    page.goto(ShareLink.issue(maya))
    card_picture = page.get_by_alt_text("Drawing: Warm cloth jaw release")
    expect(card_picture).to_be_visible()
    assert picture_loaded(card_picture)
    shot("on-the-clients-page")

    # …and on the printed handout, picture and all.
    page.goto(f"/visits/{visit.pk}/")
    pages, text = read_pdf(clicked_pdf(page, page.get_by_role("link", name="Print handout")), "library-handout")
    assert pages == 1 and "Warm cloth jaw release" in text and "Warm a face cloth" in text
    images = PdfReader(io.BytesIO(Path(ARTIFACTS / "screenshots" / "library-handout.pdf").read_bytes())).pages[0].images
    assert len(images) >= 2, "the uploaded picture besides the QR code"
