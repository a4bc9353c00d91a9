"""The therapist's journey in Chromium, from the client's page to the handout in hand:
tick two intake complaints and start today's visit, add two of the suggestions on the one
visit page (one with a personal note), wrap up with a goal and a rebooking, and print the
handout. Budget (issue 19): at most 3 page loads and 8 interactions. Counts the
page loads, clicks and keystrokes it takes, and times each step on the server.

    .venv/bin/python bench/journey.py [--runs 5]

It makes a throwaway SQLite database with the library and the demo clinic, serves it with
`manage.py runserver --noreload` (DEBUG on, so Django serves the static files; one
process, nothing else on it), and drives the system's Chromium (/usr/bin/chromium,
headless) with Playwright, logged in as the demo therapist, a new client each run.

Server time of a step: for each document or htmx request the step makes (a form's POST
and the page it redirects to are two), the time from the request sent to the first byte of the
answer, from the browser's own resource timing (Playwright's request.timing), summed.
On localhost that is the server's time plus well under a millisecond. Page loads: main
frame navigations (a POST answered with a redirect and the page it leads to count as
one load). Clicks (interactions): every click, tick and choice in a list (a list choice
counts 2: open it, pick), and a click into a field to type; typing where the focus already
is costs no click. Keystrokes: the characters typed.
"""

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
DATABASE_URL = f"sqlite:///{tempfile.mkdtemp(prefix='aftercare-journey-')}/journey.sqlite3"
os.environ["DATABASE_URL"] = DATABASE_URL
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aftercare.settings")
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # the ORM between Playwright's steps

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from playwright.sync_api import expect, sync_playwright  # noqa: E402

from clients.models import Client, Therapist  # noqa: E402
from figures import report  # noqa: E402

STEPS = ["client's page", "start visit", "add item 1", "note", "add item 2", "wrap up and print"]
# The budget (issue 19): from the client's page to the handout in hand.
PAGE_LOADS, INTERACTIONS = 3, 8


class Journey:
    """Counts what a person does and what the server answers, step by step."""

    def __init__(self, page):
        self.page = page
        self.clicks = self.keys = self.loads = 0
        self.server = {}
        self.step = None
        page.on("framenavigated", lambda frame: self._navigated(frame))
        page.on("requestfinished", lambda request: self._finished(request))

    def _navigated(self, frame):
        if frame == self.page.main_frame:
            self.loads += 1

    def _finished(self, request):
        if request.resource_type in ("document", "xhr", "fetch") and self.step:
            timing = request.timing
            if timing["responseStart"] >= 0:
                self.server[self.step] = self.server.get(self.step, 0) + timing["responseStart"] - timing["requestStart"]

    def click(self, locator):
        self.clicks += 1
        locator.click()

    def go(self, locator):
        """A click that loads a page: waits for it to load, so its server time lands in
        this step."""
        self.clicks += 1
        with self.page.expect_navigation(wait_until="load"):
            locator.click()

    def check(self, locator):
        self.clicks += 1
        locator.check()

    def type(self, locator, text: str):
        self.clicks += 1  # into the field
        self.keys += len(text)
        locator.fill(text)

    def choose(self, locator, label: str):
        self.clicks += 2
        locator.select_option(label=label)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def one_run(browser, base: str, client: Client) -> Journey:
    context = browser.new_context(base_url=base, viewport={"width": 1280, "height": 900}, accept_downloads=False)
    page = context.new_page()
    page.goto("/login/")
    page.get_by_label("Username").fill("demo")
    page.get_by_label("Password").fill("aftercare-demo")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Clients")).to_be_visible()

    j = Journey(page)
    j.step = STEPS[0]
    page.goto(f"/clients/{client.pk}/")
    j.loads -= 1  # where the journey starts: the therapist is already on the client's page
    expect(page.get_by_role("button", name="Start today's visit")).to_be_visible()

    j.step = STEPS[1]
    j.check(page.get_by_label("Headaches"))
    j.check(page.get_by_label("Rounded desk shoulders"))
    j.go(page.get_by_role("button", name="Start today's visit"))
    expect(page.locator(".suggestions .exercise-card h3").first).to_be_visible()
    names = page.locator(".suggestions .exercise-card h3").all_inner_texts()[:2]

    # Adding is in place (htmx): each step's server time is the fragment's answer.
    j.step = STEPS[2]
    j.click(page.get_by_role("button", name=f"Add {names[0]}"))
    expect(page.get_by_role("heading", name="Chosen: 1 of 2")).to_be_visible()
    j.step = STEPS[3]
    # The new item's note has the focus: typing is all it takes (no click into it).
    note = page.get_by_label(f"Personal note for {names[0]}")
    expect(note).to_be_focused()
    j.keys += len("Two minutes before bed is plenty")
    page.keyboard.type("Two minutes before bed is plenty")
    j.step = STEPS[4]
    j.click(page.get_by_role("button", name=f"Add {names[1]}"))  # leaving the note saves it
    expect(page.get_by_role("heading", name="Chosen: 2 of 2")).to_be_visible()

    j.step = STEPS[5]
    j.type(page.get_by_label("Goal for next session"), "A work week without a headache")
    j.check(page.get_by_label("2 weeks"))
    start = time.perf_counter()
    # It opens inline, in Chromium's PDF viewer, ready to print: in hand once it has come.
    with page.expect_response(lambda response: response.url.endswith("/handout.pdf")) as answer:
        j.click(page.get_by_role("button", name="Finish and print handout"))
    answer.value.finished()
    j.handout_ms = (time.perf_counter() - start) * 1000
    assert answer.value.status == 200 and answer.value.headers["content-type"] == "application/pdf"
    assert page.request.get(answer.value.url).body().startswith(b"%PDF"), "the handout is a PDF"
    context.close()
    return j


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    call_command("seed_demo", verbosity=0)
    clinic = Therapist.objects.get(user__username="demo").clinic
    clients = [Client.objects.create(clinic=clinic, first_name="Journey", last_name=f"Run {n}") for n in range(args.runs + 1)]

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
        cwd=ROOT, env={**os.environ, "DJANGO_DEBUG": "1"}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path="/usr/bin/chromium", headless=True, args=["--no-sandbox", "--disable-gpu"]
            )
            one_run(browser, base, clients[0])  # warm up: templates, the library's pictures, fonts
            runs = [one_run(browser, base, client) for client in clients[1:]]
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=10)

    first = runs[0]
    print(f"{args.runs} runs after one to warm up; per run: {first.loads} page loads, {first.clicks} clicks, "
          f"{first.keys} keystrokes")
    verdict = "PASS" if first.loads <= PAGE_LOADS and first.clicks <= INTERACTIONS else "MISS"
    print(f"{verdict}: {first.loads} page loads, {first.clicks} interactions "
          f"(budget at most {PAGE_LOADS} page loads and {INTERACTIONS} interactions)")
    counts = {(r.loads, r.clicks, r.keys) for r in runs}
    assert len(counts) == 1, f"the runs differ: {counts}"
    print("server time per step, ms (median, min-max):")
    for step in STEPS:
        times = [r.server.get(step, 0) for r in runs]
        print(f"  {step:16} {statistics.median(times):7.1f}  ({min(times):.1f}-{max(times):.1f})")
        report(f"journey: server time, {step}", times)
    totals = [sum(r.server.values()) for r in runs]
    print(f"  {'all steps':16} {statistics.median(totals):7.1f}")
    print(f"handout, click to PDF in hand: median {statistics.median(r.handout_ms for r in runs):.0f} ms")
    report("journey: server time, all steps", totals)
    report("journey: handout, click to PDF in hand", [r.handout_ms for r in runs])
    report("journey: page loads", [r.loads for r in runs], unit="loads")
    report("journey: clicks", [r.clicks for r in runs], unit="clicks")
    report("journey: keystrokes", [r.keys for r in runs], unit="keys")


if __name__ == "__main__":
    main()
