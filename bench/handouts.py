"""How long a visit handout takes, against WeasyPrint rendering a bare page with the same
two pictures. The budget (issue 4) is at most 3x.

Run it from the project folder, with the virtual environment made by `make install`:

    .venv/bin/python bench/handouts.py            # 30 rounds each, after 3 to warm up
    .venv/bin/python bench/handouts.py --rounds 100

It makes a throwaway SQLite database (the test settings, in a temporary folder), loads the
built-in library, creates a clinic, a client and a visit with two homework items, then
times, in one process and warm: `visit_pdf(visit)` (queries, templates, QR code, layout,
PDF), and `HTML(string=<two <img>s>).write_pdf()` with WeasyPrint's own defaults.
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
