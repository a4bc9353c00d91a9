"""The therapist's two minutes, in a real browser: find or add the client, intake,
suggestions, one or two items, wrap-up, summary; and a third item refused."""

import re

import pytest
from playwright.sync_api import expect

from aftercare.models import ShareLink, Visit
from clients.models import Client
from tests.conftest import builtin, log_in

pytestmark = [pytest.mark.browser]


# The standard journey's budget: from the client's page to the handout in hand.
PAGE_LOADS = 3
INTERACTIONS = 8


class Counter:
    """Page loads (main-frame navigations) and interactions (a click, a tick, a choice, the
    first key typed into a field that doesn't already have the focus) a person makes."""

    def __init__(self, page):
        self.page, self.loads, self.interactions = page, 0, 0
        page.on("framenavigated", lambda frame: self._navigated(frame))

    def _navigated(self, frame):
        if frame == self.page.main_frame:
            self.loads += 1

    def click(self, locator):
        self.interactions += 1
        locator.click()

    def check(self, locator):
        self.interactions += 1
        locator.check()

    def fill(self, locator, text: str):
        self.interactions += 1
        locator.fill(text)

    def type_where_focused(self, locator, text: str):
        expect(locator).to_be_focused()
        self.page.keyboard.type(text)


@pytest.mark.parametrize("size", [(1280, 900), (768, 1024)], ids=["desktop", "tablet"])
def test_a_therapist_gives_a_new_client_two_items_on_one_page(page, therapist, size):
    page.set_viewport_size({"width": size[0], "height": size[1]})
    shot = page.screenshots
    log_in(page, "robin")
    expect(page.get_by_role("heading", name="Clients")).to_be_visible()

    page.get_by_placeholder("Find a client by name").fill("Maya")
    page.get_by_role("button", name="Find").click()
    expect(page.get_by_text("Nobody called “Maya” yet")).to_be_visible()
    expect(page.get_by_label("First name")).to_have_value("Maya")
    page.get_by_role("button", name="Add client").click()
    expect(page.get_by_role("heading", name="Maya")).to_be_visible()
    maya = Client.objects.get(first_name="Maya")

    page.get_by_role("link", name="Edit", exact=True).click()
    page.get_by_label("Tennis ball").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Tennis ball", exact=True)).to_be_visible()

    # The journey, counted: intake on the client's page, then one page to the handout.
    j = Counter(page)
    j.check(page.get_by_label("Headaches"))
    j.check(page.get_by_label("Rounded desk shoulders"))
    shot("intake")
    j.click(page.get_by_role("button", name="Start today's visit"))

    expect(page.get_by_role("heading", name=re.compile("Maya's visit"))).to_be_visible()
    suggestions = page.locator(".suggestions .exercise-card h3")
    first_two = {suggestions.nth(0).inner_text(), suggestions.nth(1).inner_text()}
    tennis, pec = builtin("tennis-ball-suboccipital-release"), builtin("doorway-pec-stretch")
    assert first_two == {tennis.name, pec.name}
    shot("suggestions")

    j.click(page.get_by_role("button", name=f"Add {tennis.name}"))
    expect(page.get_by_role("heading", name="Chosen: 1 of 2")).to_be_visible()
    # The new item's note has the focus: typing is all it takes.
    j.type_where_focused(page.get_by_label(f"Personal note for {tennis.name}"), "Two minutes before bed is plenty")
    j.click(page.get_by_role("button", name=f"Add {pec.name}"))
    expect(page.get_by_role("heading", name="Chosen: 2 of 2")).to_be_visible()
    expect(page.get_by_text("That's two")).to_be_visible()
    expect(page.get_by_label(f"Personal note for {tennis.name}")).to_have_value("Two minutes before bed is plenty")
    shot("two-chosen")

    j.fill(page.get_by_label("Goal for next session"), "Through a work week without a headache")
    j.check(page.get_by_label("2 weeks"))
    with page.expect_response(lambda response: response.url.endswith("/handout.pdf")) as answer:
        j.click(page.get_by_role("button", name="Finish and print handout"))
    assert answer.value.status == 200 and answer.value.headers["content-type"] == "application/pdf"

    assert j.loads <= PAGE_LOADS, f"{j.loads} page loads"
    assert j.interactions <= INTERACTIONS, f"{j.interactions} interactions"

    visit = Visit.objects.get(client=maya)
    assert [item.exercise.slug for item in visit.items.all()] == [
        "tennis-ball-suboccipital-release",
        "doorway-pec-stretch",
    ]
    assert visit.items.first().note == "Two minutes before bed is plenty"
    assert visit.rebook_weeks == 2 and visit.next_goal == "Through a work week without a headache"

    page.goto(f"/visits/{visit.pk}/")
    expect(page.get_by_role("heading", name=re.compile("Maya's homework"))).to_be_visible()
    expect(page.get_by_text("Two minutes before bed is plenty")).to_be_visible()
    shot("summary")
    page.get_by_role("link", name="Maya").first.click()
    expect(page.locator(".visit-card")).to_have_count(1)
    expect(page.locator(".visit-card")).to_contain_text(pec.name)
    shot("client-page")


def test_the_visit_page_works_from_the_keyboard(page, therapist, visit):
    log_in(page, "robin")
    page.goto(f"/visits/{visit.pk}/homework/")
    tennis = builtin("tennis-ball-suboccipital-release")
    page.get_by_label("Rounded desk shoulders").focus()
    page.keyboard.press("Space")  # ticks it: the suggestions follow
    expect(page.locator(".suggestions")).to_contain_text(builtin("doorway-pec-stretch").name)
    page.get_by_role("button", name=f"Add {tennis.name}").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Chosen: 1 of 2")).to_be_visible()
    expect(page.get_by_label(f"Personal note for {tennis.name}")).to_be_focused()
    page.keyboard.type("Gently")
    page.keyboard.press("Tab")  # leaving the note saves it
    expect(page.get_by_text("Note saved")).to_be_visible(timeout=15_000)
    assert visit.items.get().note == "Gently"
    assert visit.complaints.filter(slug="rounded-desk-shoulders").exists()


def test_a_removed_item_comes_back_with_its_note(page, therapist, visit):
    visit.assign(builtin("psoas-release"), note="Knees over the chair seat")
    log_in(page, "robin")
    page.goto(f"/visits/{visit.pk}/homework/")
    page.get_by_role("button", name=f"Remove {builtin('psoas-release').name}").click()
    expect(page.get_by_role("heading", name="Chosen: 0 of 2")).to_be_visible()
    page.get_by_role("button", name="Undo").click()
    expect(page.get_by_role("heading", name="Chosen: 1 of 2")).to_be_visible()
    expect(page.get_by_label(f"Personal note for {builtin('psoas-release').name}")).to_have_value("Knees over the chair seat")
    page.screenshots("undone")
    assert visit.items.get().note == "Knees over the chair seat"


def test_teach_mode_shows_the_chosen_items_big(page, therapist, visit):
    visit.assign(builtin("doorway-pec-stretch"), note="Both sides, slowly")
    log_in(page, "robin")
    page.set_viewport_size({"width": 768, "height": 1024})
    page.goto(f"/visits/{visit.pk}/homework/")
    page.get_by_role("link", name=re.compile("teach mode")).click()
    expect(page.get_by_role("heading", name=re.compile(builtin("doorway-pec-stretch").name))).to_be_visible()
    expect(page.get_by_text("Both sides, slowly")).to_be_visible()
    expect(page.locator("nav.navbar")).to_have_count(0)
    page.screenshots("teach")


def test_a_third_item_is_refused_and_the_note_stays(page, therapist, visit):
    visit.assign(builtin("tennis-ball-suboccipital-release"))
    visit.assign(builtin("doorway-pec-stretch"))
    log_in(page, "robin")
    psoas = builtin("psoas-release")
    page.goto(f"/visits/{visit.pk}/homework/add/{psoas.pk}/")
    expect(page.get_by_text("This visit already has two homework items.")).to_be_visible()
    page.get_by_label("Personal note").fill("Knees over the chair seat")
    page.get_by_role("button", name="Add to homework").click()
    page.expected_refusals = 1
    expect(page.locator(".alert-block, .alert-danger").first).to_contain_text("already has two homework items")
    expect(page.get_by_label("Personal note")).to_have_value("Knees over the chair seat")
    page.screenshots("third-refused")
    assert visit.items.count() == 2


def test_turning_off_a_link_asks_first(page, therapist, visit):
    visit.assign(builtin("psoas-release"))
    path = ShareLink.issue(visit.client)
    log_in(page, "robin")
    page.goto(f"/visits/{visit.pk}/")
    page.get_by_text("Replace or turn off the link").click()

    questions = []
    page.once("dialog", lambda dialog: (questions.append(dialog.message), dialog.dismiss()))
    page.get_by_role("button", name="Turn off link").click()
    expect(page.get_by_role("button", name="Turn off link")).to_be_visible()
    assert "stops working" in questions[0]
    assert ShareLink.find(path.strip("/").split("/")[-1]) is not None, "dismissing keeps the link"

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Turn off link").click()
    expect(page.get_by_text("link was turned off")).to_be_visible()
    assert ShareLink.find(path.strip("/").split("/")[-1]) is None
