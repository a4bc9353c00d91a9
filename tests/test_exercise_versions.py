"""A clinic sets an easier and a harder version on its own exercises (built-in or its own,
never another clinic's), and they show wherever the built-ins show theirs."""

import pytest
from django.urls import reverse
from django.utils.html import escape
from playwright.sync_api import expect
from pytest_django.asserts import assertContains, assertNotContains

from exercises.forms import VERSION_GONE as GONE
from exercises.models import Exercise
from tests.conftest import builtin, log_in
from tests.test_library_pages import form_data, make_exercise

GONE_HTML = escape(GONE)  # as the page shows it


@pytest.fixture
def own(clinic):
    return make_exercise(clinic)


@pytest.fixture
def own_harder(clinic):
    return make_exercise(clinic, "Towel neck glide with a hold", complaint="stiff-neck")


@pytest.fixture
def theirs(other_clinic):
    return make_exercise(other_clinic, "Secret sauce stretch")


def edit(client, exercise, **overrides):
    data = form_data(name=exercise.name, **overrides)
    return client.post(reverse("exercises:edit", args=[exercise.pk]), data)


def test_the_therapist_sets_a_built_in_easier_and_an_own_harder_version(as_therapist, own, own_harder):
    chin = builtin("chin-tucks")
    response = edit(as_therapist, own, easier=chin.pk, harder=own_harder.pk)
    assert response.status_code == 302
    own.refresh_from_db()
    assert (own.easier, own.harder) == (chin, own_harder)
    page = as_therapist.get(reverse("exercises:detail", args=[own.pk]))
    assertContains(page, f'Easier: <a href="{reverse("exercises:detail", args=[chin.pk])}">{chin.name}</a>')
    assertContains(page, f'Harder: <a href="{reverse("exercises:detail", args=[own_harder.pk])}">{own_harder.name}</a>')


def test_they_show_when_the_exercise_is_given_as_homework(as_therapist, own, own_harder, visit):
    own.easier = builtin("chin-tucks")
    own.harder = own_harder
    own.save()
    page = as_therapist.get(reverse("aftercare:item-add", args=[visit.pk, own.pk]))
    assertContains(page, "Easier: <a")
    assertContains(page, own_harder.name)


def test_a_new_exercise_can_have_them_from_the_start(as_colleague, clinic, own):
    response = as_colleague.post(reverse("exercises:add"), form_data(easier=own.pk, harder=builtin("wall-angels").pk))
    assert response.status_code == 302
    made = Exercise.objects.get(clinic=clinic, name="Wall angel")
    assert (made.easier, made.harder) == (own, builtin("wall-angels"))


def test_a_colleague_sees_and_changes_them(as_colleague, own, own_harder):
    own.harder = own_harder
    own.save()
    form = as_colleague.get(reverse("exercises:edit", args=[own.pk]))
    assertContains(form, f'<option value="{own_harder.pk}" selected>{own_harder.name}</option>', html=True)
    assert edit(as_colleague, own, harder="").status_code == 302
    own.refresh_from_db()
    assert own.harder is None


def test_another_clinics_exercise_is_never_offered_nor_taken(as_therapist, own, theirs):
    form = as_therapist.get(reverse("exercises:edit", args=[own.pk]))
    assertNotContains(form, theirs.name)
    response = edit(as_therapist, own, easier=theirs.pk, steps="Typed steps\nkept")
    # Refused the same way as an id that doesn't exist: nothing says it is someone's.
    assert response.status_code == 400
    assertContains(response, GONE_HTML, status_code=400)
    assertContains(response, "Typed steps", status_code=400)
    missing = edit(as_therapist, own, easier=10**8)
    assertContains(missing, GONE_HTML, status_code=400)
    own.refresh_from_db()
    assert own.easier is None


def test_the_outsider_cannot_reach_the_form_at_all(as_outsider, own):
    assert as_outsider.get(reverse("exercises:edit", args=[own.pk])).status_code == 404
    assert edit(as_outsider, own, easier=builtin("chin-tucks").pk).status_code == 404
    own.refresh_from_db()
    assert own.easier is None


def test_it_is_not_its_own_version_and_not_both_at_once(as_therapist, own, own_harder):
    form = as_therapist.get(reverse("exercises:edit", args=[own.pk]))
    assertNotContains(form, f'<option value="{own.pk}"')
    assertContains(edit(as_therapist, own, easier=own.pk), GONE_HTML, status_code=400)
    both = edit(as_therapist, own, easier=own_harder.pk, harder=own_harder.pk)
    assertContains(both, "Choose a different exercise from the easier one.", status_code=400)


def test_a_version_retired_since_stays_while_the_rest_is_saved(as_therapist, own, own_harder):
    own.harder = own_harder
    own.save()
    own_harder.retired = True
    own_harder.save()
    assert edit(as_therapist, own, harder=own_harder.pk, why="Changed why.").status_code == 302
    own.refresh_from_db()
    assert own.harder == own_harder and own.why == "Changed why."
    # A retired one that wasn't chosen isn't offered for a new choice.
    other = make_exercise(own.clinic, "Retired glide")
    other.retired = True
    other.save()
    assertContains(edit(as_therapist, own, easier=other.pk, harder=own_harder.pk), GONE_HTML, status_code=400)


@pytest.mark.browser
def test_in_a_browser_the_therapist_picks_both_and_steps_between_them(page, therapist, own, own_harder):
    log_in(page, "robin")
    page.goto(reverse("exercises:edit", args=[own.pk]))
    page.get_by_label("An easier version").select_option(label="Chin tucks")
    page.get_by_label("A harder version").select_option(label=own_harder.name)
    page.screenshots("edit-form-with-versions")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", name=own.name)).to_be_visible()
    expect(page.get_by_role("link", name="Chin tucks")).to_be_visible()
    page.screenshots("detail-with-versions")
    page.get_by_role("link", name=own_harder.name).click()
    expect(page.get_by_role("heading", name=own_harder.name)).to_be_visible()
