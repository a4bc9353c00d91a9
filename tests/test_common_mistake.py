""""A common slip" (the exercise's one common mistake) wherever an exercise is shown: the
visit's handout, the exercise sheet, the client's link page, teach mode and the library's
exercise page. The handout stays one page for two items, over the whole library."""

import pytest
from django.urls import reverse
from django.utils.html import escape
from pytest_django.asserts import assertContains

from aftercare import handouts
from aftercare.models import ShareLink
from exercises import library
from tests.conftest import builtin, make_client, make_visit
from tests.test_handouts import pages, pdf_text, save_pngs
from tests.test_red_flags import words

SLUGS = [row["slug"] for row in library.EXERCISES]
# The library two at a time, the way a visit gives them: every exercise printed once.
PAIRS = [SLUGS[i:i + 2] for i in range(0, len(SLUGS), 2)]
NOTE = "Little and often: a few minutes in the morning and again at night is plenty, and stop if it pinches. " * 3


@pytest.mark.parametrize("slugs", PAIRS, ids=["+".join(pair) for pair in PAIRS])
def test_the_handout_prints_each_items_common_slip_on_one_page(clinic, therapist, slugs):
    visit = make_visit(make_client(clinic), "headaches", therapist=therapist, next_goal="Easier mornings", rebook_weeks=3)
    for slug in slugs:
        visit.assign(builtin(slug), note=NOTE[:300])
    pdf = handouts.visit_pdf(visit)  # with the QR code and its link: the fullest page
    if slugs == PAIRS[0]:
        save_pngs(pdf, "common-slip-first-pair", dpi=110)
    assert len(pages(pdf)) == 1
    text = words(pdf_text(pdf))
    assert text.count("A common slip:") == len(slugs)
    for slug in slugs:
        mistake = builtin(slug).mistake
        # Whole, or shortened with an ellipsis on the tightest page: its start is there.
        assert words(mistake) in text or words(mistake)[:40] in text, slug


def test_a_long_common_slip_is_shortened_not_spilled(clinic, therapist):
    visit = make_visit(make_client(clinic, "Maximiliana"), "sciatica-like", "lower-back-tightness",
                       therapist=therapist, next_goal="Sit through a film. " * 10, referral="gp", rebook_weeks=2)
    for exercise in list(visit.suggestions())[:2]:
        exercise.mistake = "Rushing it: " + "slow down and breathe out as you go, " * 6
        exercise.save()
        visit.assign(exercise, note=NOTE[:1000])
    pdf = handouts.visit_pdf(visit)
    save_pngs(pdf, "visit-common-slip", dpi=110)
    assert len(pages(pdf)) == 1
    assert words(pdf_text(pdf)).count("A common slip: Rushing it") == 2


def test_the_exercise_sheet_has_it(clinic):
    exercise = builtin("doorway-pec-stretch")
    text = words(pdf_text(handouts.exercise_pdf(exercise, clinic)))
    assert f"A common slip: {words(exercise.mistake)}" in text


def test_the_clients_link_page_has_it(client, visit):
    visit.assign(builtin("doorway-pec-stretch"))
    page = client.get(ShareLink.issue(visit.client))
    assertContains(page, f"<strong>A common slip:</strong> {escape(builtin('doorway-pec-stretch').mistake)}")


@pytest.mark.parametrize("who", ["as_therapist", "as_colleague"])
def test_teach_mode_and_the_library_page_have_it(request, who, visit):
    therapist_client = request.getfixturevalue(who)
    exercise = builtin("chin-tucks")
    visit.assign(exercise)
    teach = therapist_client.get(reverse("aftercare:visit-teach", args=[visit.pk]))
    assertContains(teach, f"<strong>A common slip:</strong> {escape(exercise.mistake)}")
    assertContains(teach, f"<strong>What you should feel:</strong> {escape(exercise.feel)}")
    detail = therapist_client.get(reverse("exercises:detail", args=[exercise.pk]))
    assertContains(detail, f"<strong>A common slip:</strong> {escape(exercise.mistake)}")


def test_an_outsider_sees_none_of_it(as_outsider, visit):
    visit.assign(builtin("chin-tucks"))
    assert as_outsider.get(reverse("aftercare:visit-teach", args=[visit.pk])).status_code == 404
