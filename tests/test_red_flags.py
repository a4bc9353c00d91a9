"""Each complaint's "see your doctor first if…": shown to the therapist when it is ticked,
printed on the handout and on the client's link page, which follows a change at once."""

import re

import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains

from aftercare import handouts
from aftercare.models import ShareLink
from exercises import library
from exercises.models import Complaint
from tests.conftest import make_client, make_visit
from tests.test_handouts import pages, pdf_text, save_pngs

COMPLAINTS = [row["slug"] for row in library.COMPLAINTS]


def words(text: str) -> str:
    """Text as a reader sees it: one space between words, line-end hyphens gone."""
    return " ".join(re.sub(r"-\s*\n", "", text).split())


def test_every_complaint_has_short_red_flags(db):
    for complaint in Complaint.objects.filter(clinic=None):
        flags = complaint.red_flag_list()
        assert 1 <= len(flags) <= 3, complaint.slug
        assert all(len(flag) <= 110 for flag in flags), complaint.slug


# Two complaints a visit, as clients often name: every complaint is printed once.
PAIRS = [COMPLAINTS[i:i + 2] for i in range(0, len(COMPLAINTS), 2)]


@pytest.mark.parametrize("slugs", PAIRS, ids=["+".join(pair) for pair in PAIRS])
def test_each_complaints_red_flags_are_on_the_handout(clinic, therapist, slugs):
    visit = make_visit(make_client(clinic), *slugs, therapist=therapist, next_goal="Easier mornings", rebook_weeks=3)
    for exercise in list(visit.suggestions())[:2]:
        visit.assign(exercise, note="Gently, and stop if it pinches.")
    pdf = handouts.visit_pdf(visit, link=None)
    assert len(pages(pdf)) == 1
    text = words(pdf_text(pdf))
    assert "See your doctor before carrying on if you have" in text
    for slug in slugs:
        for flag in Complaint.objects.get(slug=slug).red_flag_list():
            assert words(flag) in text, flag


def test_two_complaints_long_notes_and_red_flags_stay_on_one_page(clinic, therapist):
    visit = make_visit(make_client(clinic, "Maximiliana"), "sciatica-like", "lower-back-tightness", therapist=therapist,
                       next_goal="Sit through a film without the leg complaining. " * 3, referral="gp",
                       referral_note="about the tingling, soon", rebook_weeks=2)
    note = "Little and often: a few minutes in the morning and again at night is plenty, and stop if it spreads. " * 5
    for exercise in list(visit.suggestions())[:2]:
        visit.assign(exercise, note=note[:1000])
    pdf = handouts.visit_pdf(visit, link=None)
    save_pngs(pdf, "visit-red-flags")
    assert len(pages(pdf)) == 1
    text = words(pdf_text(pdf))
    for slug in ("sciatica-like", "lower-back-tightness"):
        for flag in Complaint.objects.get(slug=slug).red_flag_list():
            assert words(flag) in text, flag


def test_the_therapist_sees_the_red_flags_of_the_ticked_complaints(as_therapist, client_, therapist):
    visit = make_visit(client_, "headaches", "shins", therapist=therapist)
    page = as_therapist.get(reverse("aftercare:visit-homework", args=[visit.pk]))
    assertContains(page, "see a doctor before homework if")
    assertContains(page, "a sudden, severe headache, the worst you have had")
    assertContains(page, "one sore spot on the bone that hurts to press or to hop on")


def test_the_link_page_shows_the_newest_visits_red_flags_and_follows_a_change(client, client_, therapist):
    from tests.conftest import builtin

    visit = make_visit(client_, "headaches", therapist=therapist)
    visit.assign(builtin("chin-tucks"))
    path = ShareLink.issue(client_)
    assertContains(client.get(path), "a sudden, severe headache, the worst you have had")
    visit.complaints.set(Complaint.objects.filter(slug="shins"))  # a swap: the count stays one
    page = client.get(path)
    assertContains(page, "one sore spot on the bone")
    assert "the worst you have had" not in page.content.decode()


def test_a_clinics_own_complaint_prints_its_red_flags(clinic, therapist):
    from tests.conftest import builtin

    own = Complaint.objects.create(clinic=clinic, slug="frozen", name="Frozen shoulder", body_area="shoulders",
                                   red_flags="a shoulder that is hot and swollen")
    visit = make_visit(make_client(clinic), therapist=therapist)
    visit.complaints.add(own)
    visit.assign(builtin("shoulder-pendulum"))
    assert "a shoulder that is hot and swollen" in words(pdf_text(handouts.visit_pdf(visit, link=None)))
