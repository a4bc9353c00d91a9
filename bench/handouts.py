"""How long a visit handout takes, against WeasyPrint rendering a bare page with the same
two pictures. The budget (issue 4) is at most 3x.

Run it from the project folder, with the virtual environment made by `make install`:

    .venv/bin/python bench/handouts.py            # 30 rounds each, after 3 to warm up
    .venv/bin/python bench/handouts.py --rounds 100

It makes a throwaway SQLite database (the test settings, in a temporary folder), loads the
built-in library, creates a clinic, a client and a visit with two homework items, then
times, in one process and warm: `visit_pdf(visit)` (queries, templates, QR code, layout,
PDF), and `HTML(string=<two <img>s>).write_pdf()` with WeasyPrint's own defaults. It prints
wall and CPU time medians, and the fastest CPU run (steadiest on a shared machine).

Figures (WeasyPrint 70, 2 CPUs shared with other work, load 3-5; 25-30 rounds; "before"
is the handouts branch at "Client handout view: require_safe", run with this same script
alternately with "after"):

                      visit_pdf median   bare page median   ratio     fastest CPU run
    before (tables)   197-263 ms         24-27 ms           8.1-9.6x  164-168 ms, 7.9x
    after             154-214 ms         24-33 ms           6.3-6.5x  134-137 ms, 6.1-6.8x

So about a quarter faster, and still about twice the 3x budget. What changed: block layout
with inline blocks of set widths and an absolutely placed picture instead of six tables
(WeasyPrint lays a cell's content out more than once) and instead of floats (next to a
float it measures every line's min-content width); the tick chart as one text line a week
on tab stops, with the boxes a background tile, instead of 56 table cells; the QR code as
a one-pixel-a-module PNG instead of an SVG path drawn square by square; a solid rule
instead of a dotted one (each dot was a Bezier curve: ~10,000 path operations); a
process-wide image cache; one render in the common case (the density guess).

What dominates now, measured (CPU, fastest of 20): parsing 5 ms, styles 10 ms, boxes 10 ms,
layout and drawing of the text ~100 ms, write_pdf ~37 ms of which drawing the glyphs ~19
(WeasyPrint lays each line out again in Pango to draw it), the two SVG pictures ~8 (the
bare page pays these too), compression and font subsetting ~6. Without the two exercises'
text (about 450 of the page's 600 words) the page renders in ~50 ms, with it ~130 ms: the
text alone, unstyled in one paragraph, costs ~45 ms on top of an empty page. Tried without
a measurable effect: DejaVu from @font-face instead of fontconfig's match (the same file,
`fc-match sans-serif` -> DejaVuSans.ttf), font-kerning and ligatures off, overflow-wrap
and word-break normal, hyphens (never on), no white space between tags (252 boxes in all),
uncompressed_pdf (36 ms against 39, and a PDF four times larger). 3x would mean setting
600 words in ~45 ms beyond the bare page, which this version of WeasyPrint does not do.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aftercare.settings_test")
os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp(prefix='aftercare-bench-')}/bench.sqlite3"

import django  # noqa: E402

django.setup()

from django.contrib.staticfiles import finders  # noqa: E402
from django.core.management import call_command  # noqa: E402
from weasyprint import HTML  # noqa: E402

from aftercare import handouts  # noqa: E402
from aftercare.models import Visit  # noqa: E402
from clients.models import Client, Clinic  # noqa: E402
from exercises.models import Exercise  # noqa: E402


def make_visit() -> Visit:
    call_command("migrate", verbosity=0)
    clinic = Clinic.objects.create(name="Harbour Lane Massage", phone="0117 496 0123", email="hello@example.com")
    client = Client.objects.create(clinic=clinic, first_name="Maya", last_name="Lindqvist")
    visit = Visit.objects.create(client=client, next_goal="Check the blind spot without the pull.", rebook_weeks=3)
    visit.assign(Exercise.objects.get(clinic=None, slug="tennis-ball-suboccipital-release"), note="Gently on the right.")
    visit.assign(Exercise.objects.get(clinic=None, slug="doorway-pec-stretch"), note="Any doorway at work counts.")
    return visit


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=30)
    rounds = parser.parse_args().rounds

    visit = make_visit()
    pictures = [Path(finders.find(f"exercises/illustrations/{item.exercise.illustration}")) for item in visit.items.all()]
    bare = "".join(f'<img src="{p.as_uri()}" style="width:50mm">' for p in pictures)

    def handout():
        # A fresh Visit each time, as a request would fetch it.
        handouts.visit_pdf(Visit.objects.select_related("client__clinic", "therapist").get(pk=visit.pk))

    def baseline():
        HTML(string=bare).write_pdf()

    # The same words, unstyled: what WeasyPrint needs to set this much text at all.
    from django.template.loader import render_to_string

    words = render_to_string("handouts/visit.html", {"visit": visit, "items": list(visit.items.all())})

    def unstyled():
        HTML(string=words.replace("/static/", f"{pictures[0].parent.parent.parent.as_uri()}/")).write_pdf()

    # Interleaved, so a busy machine slows all three alike; wall time and CPU time (the
    # process's own, steadier when other work shares the machine).
    names = ("handout", "baseline", "unstyled")
    wall = {n: [] for n in names}
    cpu = {n: [] for n in names}
    for action in (handout, baseline, unstyled, handout, baseline, unstyled):
        action()
    for _ in range(rounds):
        for name, action in zip(names, (handout, baseline, unstyled)):
            start, start_cpu = time.perf_counter(), time.process_time()
            action()
            cpu[name].append(time.process_time() - start_cpu)
            wall[name].append(time.perf_counter() - start)
    for label, times in (("wall", wall), ("CPU", cpu)):
        handout_ms, baseline_ms, unstyled_ms = (statistics.median(times[n]) * 1000 for n in names)
        print(f"{label} time, median of {rounds} rounds each, warm, interleaved")
        print(f"  visit_pdf                 {handout_ms:7.1f} ms")
        print(f"  bare WeasyPrint, pictures {baseline_ms:7.1f} ms  (the same two pictures, nothing else)")
        print(f"  bare WeasyPrint, + text   {unstyled_ms:7.1f} ms  (the same pictures and words, no styles)")
        print(f"  ratio to the bare page    {handout_ms / baseline_ms:7.2f}x  (budget 3x)")
        print(f"  ratio to bare page + text {handout_ms / unstyled_ms:7.2f}x")
    fastest = {n: min(cpu[n]) * 1000 for n in names}
    print(f"CPU time, fastest run: visit_pdf {fastest['handout']:.1f} ms, bare page {fastest['baseline']:.1f} ms, "
          f"ratio {fastest['handout'] / fastest['baseline']:.2f}x")

if __name__ == "__main__":
    main()
