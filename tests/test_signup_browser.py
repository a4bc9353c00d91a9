"""A clinic starts on its own, in a real browser: sign up, the first-run checklist, a
sample client's first visit and homework, emailing the link refused until the email is
confirmed, the confirmation link, then the link emailed and the first handout printed."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from aftercare.models import Visit
from aftercare.worker import run_queued_jobs
from clients.models import Therapist
from tests.conftest import builtin
from tests.pdfs import clicked_pdf, read_pdf

pytestmark = [pytest.mark.browser]


def test_a_clinic_signs_up_and_prints_its_first_handout(page, db):
    shot = page.screenshots
    page.goto("/")
    page.get_by_role("link", name="Start your clinic").click()
    expect(page.get_by_role("heading", name="Start your clinic on Aftercare")).to_be_visible()
    page.get_by_label("Your clinic's name").fill("Tidewater Remedial Massage")
    page.get_by_label("Your first name").fill("Hana")
    page.get_by_label("Last name").fill("Okafor")
    page.get_by_label("Your email").fill("hana@tidewater.example")
    page.get_by_label("Username").fill("hana")
    page.locator("#id_password1").fill("password")
    page.locator("#id_password2").fill("password")
    page.get_by_role("button", name="Start my clinic").click()
    # Django's validators refuse a common password; everything else stays typed.
    page.expected_refusals += 1
    expect(page.get_by_text("This password is too common.")).to_be_visible()
    expect(page.get_by_label("Your clinic's name")).to_have_value("Tidewater Remedial Massage")
    expect(page.get_by_label("Your email")).to_have_value("hana@tidewater.example")
    shot("weak-password")

    page.locator("#id_password1").fill("Foam-roller at dawn 7")
    page.locator("#id_password2").fill("Foam-roller at dawn 7")
    page.get_by_role("button", name="Start my clinic").click()
    expect(page.get_by_text("Welcome, Hana.")).to_be_visible()
    expect(page.get_by_text("Confirm your email address")).to_be_visible()
    expect(page.get_by_role("heading", name="Getting Tidewater Remedial Massage ready")).to_be_visible()
    shot("first-run")
    owner = Therapist.objects.select_related("clinic").get(user__username="hana")
    assert owner.is_owner and not owner.clinic.email_confirmed

    page.get_by_role("button", name="Add a sample client").click()
    expect(page.get_by_role("heading", name="Sample Client")).to_be_visible()
    page.get_by_label("Headaches").check()
    page.get_by_role("button", name="Start today's visit").click()
    expect(page.get_by_role("heading", name=re.compile("Sample's visit"))).to_be_visible()
    tennis_ball = builtin("tennis-ball-suboccipital-release").name
    page.get_by_role("button", name=f"Add {tennis_ball}").click()  # the built-in library, from the first minute
    expect(page.get_by_role("heading", name="Chosen: 1 of 2")).to_be_visible()
    visit = Visit.objects.get(client__clinic=owner.clinic)
    summary = f"/visits/{visit.pk}/"
    page.goto(summary)
    expect(page.get_by_role("heading", name=re.compile("Sample's homework"))).to_be_visible()

    confirmation = owner_confirmation_email()
    mail.outbox.clear()
    expect(page.get_by_label("Email it to Sample")).to_have_value("hana@tidewater.example")
    page.get_by_role("button", name="Email link").click()
    page.expected_refusals += 1
    expect(page.get_by_text("Confirm your email address first")).to_be_visible()
    shot("confirm-first")
    assert mail.outbox == []

    confirm_path = re.search(r"/signup/confirm/\S+/", confirmation)[0]
    page.goto(confirm_path)
    expect(page.get_by_role("heading", name="Your email is confirmed")).to_be_visible()
    shot("confirmed")

    page.goto(summary)
    page.get_by_role("button", name="Email link").click()
    expect(page.get_by_text("Sending Sample their link at hana@tidewater.example.")).to_be_visible()
    run_queued_jobs()  # a worker sends it (tests/test_email_jobs.py)
    assert [m.to for m in mail.outbox] == [["hana@tidewater.example"]]

    page.get_by_role("link", name="Clients").first.click()
    expect(page.get_by_text("Confirm your email address")).to_have_count(0)
    expect(page.locator(".first-run-step.done")).to_have_count(1)  # the sample client
    shot("client-list-after")

    page.goto(summary)
    count, text = read_pdf(clicked_pdf(page, page.get_by_role("link", name="Print handout")), "browser-first-handout")
    assert count == 1
    assert "Sample's homework" in text and "Tennis ball" in text and "Tidewater Remedial Massage" in text


def owner_confirmation_email() -> str:
    run_queued_jobs()  # a worker sends it (clients.tasks)
    sent = [m for m in mail.outbox if "Confirm your email" in m.subject]
    assert sent, "no confirmation email was sent"
    return sent[-1].body
