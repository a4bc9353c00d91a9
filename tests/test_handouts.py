"""Printable handouts: the visit's sheet, the day's stack, the exercise sheet, and the
fetcher that keeps typed text from reaching any file."""

import datetime
import io
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from PIL import Image
from pypdf import PdfReader

from aftercare import handouts
from aftercare.handouts import RefusedURL, StaticFetcher
from aftercare.models import ShareLink
from exercises.models import Exercise
from tests.conftest import ARTIFACTS, builtin, make_client, make_therapist, make_visit

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
        ["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True
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
        "Go gently on the right side", "Why it helps", "Take care", "Osteopath",
        "blind spot", "in about 3 weeks", "some times is better than no times",
    ):
        assert expected in text, expected
    assert "Lindqvist" not in text
