"""How long a visit handout takes, against WeasyPrint rendering a bare page with the same
two pictures (budget, issue 7: at most 2x); the day's PDF of 30 visits (time and peak
memory); and the memory of one process after 300 handouts, as a curve, to size the
worker recycling (gunicorn's max_requests, see docs/performance.md).

Run it from the project folder, with the virtual environment made by `make install`:

    .venv/bin/python bench/handouts.py            # 30 rounds each, after 3 to warm up
    .venv/bin/python bench/handouts.py --rounds 100 --handouts 300

It makes a throwaway SQLite database (the test settings, in a temporary folder), loads the
built-in library, creates a clinic with 30 clients, each with a visit today with two
homework items, then times, in one process and warm: `visit_pdf(visit)` (queries,
templates, QR code, layout, PDF), and `HTML(string=<two <img>s>).write_pdf()` with
WeasyPrint's own defaults. The day's PDF and the memory curve each run in a fresh process
of their own (peak RSS is per process).

Where the time goes, and why 2x is out of reach for this page with WeasyPrint 70: see
docs/performance.md ("Handouts").
"""

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aftercare.settings_test")
if "AFTERCARE_BENCH_DB" not in os.environ:  # a child process reuses its parent's database
    os.environ["AFTERCARE_BENCH_DB"] = f"sqlite:///{tempfile.mkdtemp(prefix='aftercare-bench-')}/bench.sqlite3"
os.environ["DATABASE_URL"] = os.environ["AFTERCARE_BENCH_DB"]

import django  # noqa: E402

django.setup()

from django.contrib.staticfiles import finders  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.utils import timezone  # noqa: E402
from weasyprint import HTML  # noqa: E402

from aftercare import handouts  # noqa: E402
from aftercare.models import Visit  # noqa: E402
from clients.models import Client, Clinic  # noqa: E402
from exercises.models import Exercise  # noqa: E402
from figures import report  # noqa: E402

DAY_VISITS = 30
BUDGET = 2.0
NOTES = ["Gently on the right.", "Any doorway at work counts.", "", "Before your run, not after.",
         "Slowly; stop if it pinches. Two minutes is plenty on a busy day, and it still counts."]


def make_visits() -> list[int]:
    """A clinic with DAY_VISITS visits today, two homework items each; the first is the
    visit the single-handout figures use (the same two items as ever)."""
    call_command("migrate", verbosity=0)
    clinic = Clinic.objects.create(name="Harbour Lane Massage", phone="0117 496 0123", email="hello@example.com")
    library = list(Exercise.objects.filter(clinic=None).order_by("slug"))
    first = ["tennis-ball-suboccipital-release", "doorway-pec-stretch"]
    pks = []
    for n in range(DAY_VISITS):
        client = Client.objects.create(clinic=clinic, first_name=["Maya", "Tom", "Aroha", "Sam"][n % 4], last_name=f"Lindqvist {n}")
        visit = Visit.objects.create(client=client, next_goal="Check the blind spot without the pull.", rebook_weeks=3)
        if n == 0:
            pair = [Exercise.objects.get(clinic=None, slug=slug) for slug in first]
            notes = NOTES[:2]
        else:
            pair = [library[(2 * n) % len(library)], library[(2 * n + 1) % len(library)]]
            notes = [NOTES[n % len(NOTES)], NOTES[(n + 2) % len(NOTES)]]
        for exercise, note in zip(pair, notes):
            visit.assign(exercise, note=note)
        pks.append(visit.pk)
    return pks


def fetch(pk: int) -> Visit:
    # A fresh Visit each time, as a request would fetch it.
    return Visit.objects.select_related("client__clinic", "therapist").get(pk=pk)


def rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def child(kind: str, pks: list[int], count: int) -> None:
    """Runs in a fresh process; prints one JSON line."""
    if kind == "day":
        clinic = fetch(pks[0]).client.clinic
        today = timezone.localdate()
        before = rss_mb()
        times = []
        for _ in range(count):
            start = time.perf_counter()
            pdf = handouts.day_pdf(clinic, today)
            times.append((time.perf_counter() - start) * 1000)
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps({"times": times, "before_mb": before, "peak_mb": peak, "pdf_kb": len(pdf) / 1024}))
    else:
        curve = {0: rss_mb()}
        for n in range(1, count + 1):
            handouts.visit_pdf(fetch(pks[n % len(pks)]))
            if n == 1 or n % 50 == 0 or n == count:
                curve[n] = rss_mb()
        print(json.dumps(curve))


def in_child(kind: str, pks: list[int], count: int):
    out = subprocess.run(
        [sys.executable, __file__, "--child", kind, "--pks", ",".join(map(str, pks)), "--count", str(count)],
        env=os.environ, capture_output=True, text=True, check=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--day-rounds", type=int, default=3)
    parser.add_argument("--handouts", type=int, default=300, help="how many handouts for the memory curve")
    parser.add_argument("--child", choices=["day", "memory"], help=argparse.SUPPRESS)
    parser.add_argument("--pks", help=argparse.SUPPRESS)
    parser.add_argument("--count", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(args.child, [int(pk) for pk in args.pks.split(",")], args.count)
    rounds = args.rounds

    pks = make_visits()
    visit = fetch(pks[0])
    pictures = [Path(finders.find(f"exercises/illustrations/{item.exercise.illustration}")) for item in visit.items.all()]
    bare = "".join(f'<img src="{p.as_uri()}" style="width:50mm">' for p in pictures)

    def handout():
        handouts.visit_pdf(fetch(pks[0]))

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
            cpu[name].append((time.process_time() - start_cpu) * 1000)
            wall[name].append((time.perf_counter() - start) * 1000)
    for label, times in (("wall", wall), ("CPU", cpu)):
        handout_ms, baseline_ms, unstyled_ms = (statistics.median(times[n]) for n in names)
        print(f"{label} time, median of {rounds} rounds each, warm, interleaved")
        print(f"  visit_pdf                 {handout_ms:7.1f} ms")
        print(f"  bare WeasyPrint, pictures {baseline_ms:7.1f} ms  (the same two pictures, nothing else)")
        print(f"  bare WeasyPrint, + text   {unstyled_ms:7.1f} ms  (the same pictures and words, no styles)")
        print(f"  ratio to the bare page    {handout_ms / baseline_ms:7.2f}x  (budget {BUDGET:g}x)")
        print(f"  ratio to bare page + text {handout_ms / unstyled_ms:7.2f}x")
    fastest = {n: min(cpu[n]) for n in names}
    print(f"CPU time, fastest run: visit_pdf {fastest['handout']:.1f} ms, bare page {fastest['baseline']:.1f} ms, "
          f"ratio {fastest['handout'] / fastest['baseline']:.2f}x")
    report("visit handout, CPU", cpu["handout"], baseline="bare page, same 2 pictures", baseline_samples=cpu["baseline"], budget=BUDGET)
    report("visit handout, wall", wall["handout"], baseline="bare page, same 2 pictures", baseline_samples=wall["baseline"], budget=BUDGET)
    report("visit handout vs bare page + same words unstyled, CPU", cpu["handout"], baseline="unstyled words", baseline_samples=cpu["unstyled"])

    day = in_child("day", pks, args.day_rounds)
    print(f"day's PDF, {DAY_VISITS} visits: median {statistics.median(day['times']):.0f} ms "
          f"(runs {', '.join(f'{t:.0f}' for t in day['times'])}), {day['pdf_kb']:.0f} KB; "
          f"RSS {day['before_mb']:.0f} MB before, peak {day['peak_mb']:.0f} MB")
    report(f"day's PDF, {DAY_VISITS} visits", day["times"])
    report(f"day's PDF, {DAY_VISITS} visits, peak RSS of the process", [day["peak_mb"]], unit="MB")
    report(f"day's PDF, {DAY_VISITS} visits, peak RSS above the process before", [day["peak_mb"] - day["before_mb"]], unit="MB")

    curve = in_child("memory", pks, args.handouts)
    print(f"RSS of one process making {args.handouts} handouts (MB, after n handouts):")
    print("  " + "  ".join(f"{n}: {mb:.0f}" for n, mb in curve.items()))
    points = list(curve.values())
    report(f"RSS after {args.handouts} handouts in one process", [points[-1]], unit="MB")
    report(f"RSS growth from handout 1 to {args.handouts}", [points[-1] - points[1]], unit="MB")


if __name__ == "__main__":
    main()
