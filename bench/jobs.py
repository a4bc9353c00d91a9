"""The job engine's figures, on the default backend (the database queue):

1. Throughput of trivial jobs (tests.jobs.nothing) run by one and by two `run_worker`
   processes, against a plain loop calling the same function: jobs a second, and the
   ratio. What the ratio measures is the engine's cost per job (a row inserted, claimed
   under a lock, run, marked done; a worker's poll), since the job itself does nothing.
2. "Print" for a visit's handout and for a day's stack a worker made ahead (read from the
   media storage), click to bytes: by the signed address the staff page links to (answered
   by aftercare/printing.py's middleware, before sessions and logins), by the authenticated
   address (the whole stack: session, user, therapist), and a static file of the same size
   (whitenoise, in the same process, through the same test client). Goal (issue 13): the
   signed address within 2x of the static file.

    .venv/bin/python bench/jobs.py [--jobs 300] [--rounds 3] [--prints 50]
    .venv/bin/python bench/jobs.py --jobs 0   # the "Print" figures alone

A throwaway SQLite database in a temporary folder, or PostgreSQL when DATABASE_URL names a
server (a database beside it, dropped afterwards; bench/throwaway.py). The job figures are
for information: no budget was set for them (docs/performance.md, "Jobs").
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

from throwaway import ROOT, start  # noqa: E402  (bench/ is the script's own folder)

BENCH = start("jobs")

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client as Browser  # noqa: E402
from django.urls import reverse  # noqa: E402
from django_tasks_db.models import DBTaskResult  # noqa: E402

from figures import report  # noqa: E402
from tests import jobs  # noqa: E402


def worker_env() -> dict:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "TASKS_", "AFTERCARE_"))}
    # The database the bench made, with the app's real settings (the worker's own).
    env.update(DJANGO_SETTINGS_MODULE="aftercare.settings", DATABASE_URL=os.environ["DATABASE_URL"], PYTHONUNBUFFERED="1")
    if connection.vendor == "sqlite":
        env["DATABASE_URL"] = f"sqlite:///{Path(connection.settings_dict['NAME']).resolve()}"
    return env


def through_workers(count: int, how_many: int) -> float:
    """Seconds from `count` jobs being queued (one commit) to the last being done, with
    `how_many` workers already up and waiting."""
    from aftercare.worker import WorkerBeat

    DBTaskResult.objects.all().delete()
    workers = [
        subprocess.Popen([sys.executable, "manage.py", "run_worker", "--worker-id", f"bench-{n}", "--interval", "0.05", "-v0"],
                         cwd=ROOT, env=worker_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        for n in range(how_many)
    ]
    try:
        deadline = time.monotonic() + 60
        while WorkerBeat.objects.filter(worker_id__startswith="bench-").count() < how_many:
            if time.monotonic() > deadline:
                raise SystemExit("the workers didn't start")
            time.sleep(0.05)
        with transaction.atomic():  # all queued in one commit: the workers see them at once
            for n in range(count):
                jobs.nothing.enqueue(n)
        start = time.perf_counter()
        while DBTaskResult.objects.filter(status="SUCCESSFUL").count() < count:
            time.sleep(0.05)
        return time.perf_counter() - start
    finally:
        for worker in workers:
            os.killpg(worker.pid, signal.SIGTERM)
        for worker in workers:
            worker.wait(timeout=30)
        WorkerBeat.objects.all().delete()


def plain_loop(count: int) -> float:
    start = time.perf_counter()
    for n in range(count):
        jobs.nothing.call(n)
    return time.perf_counter() - start


def print_figures(prints: int) -> list[tuple[str, list[float], list[float], list[float], int]]:
    """"Print" for a visit's handout and for the day's stack, each made ahead by a worker:
    by the signed address the staff page links to (aftercare/printing.py), by the
    authenticated address, and a static file of the same size served by whitenoise in the
    same process, through the same client; the three taken in turn, so a busy moment of
    the machine falls on all of them. (what, signed ms, authenticated ms, static ms, bytes)."""
    import re

    from aftercare.models import ShareLink, Visit
    from aftercare.prepared import Kind, PreparedFile
    from aftercare.worker import run_queued_jobs
    from clients.models import Client, Clinic, Therapist
    from django.contrib.auth import get_user_model
    from exercises.models import Exercise

    clinic = Clinic.objects.create(name="Harbour Lane Massage")
    user = get_user_model().objects.create_user("bench", password="bench")
    therapist = Therapist.objects.create(user=user, clinic=clinic, is_owner=True)
    browser = Browser()
    browser.force_login(user)
    visits = []
    for name in ("Maya", "Ines", "Jonah"):
        client = Client.objects.create(clinic=clinic, first_name=name)
        visit = Visit.objects.create(client=client, therapist=therapist)
        for slug in ("tennis-ball-suboccipital-release", "doorway-pec-stretch"):
            visit.assign(Exercise.objects.get(clinic=None, slug=slug))
        ShareLink.issue(client, by=therapist)
        browser.post(reverse("aftercare:visit-wrap-up", args=[visit.pk]), {"rebook_weeks": "3", "next_goal": ""})
        visits.append(visit)
    date = visits[0].date.isoformat()
    day_page = browser.get(reverse("aftercare:day"), {"date": date}).content.decode()
    run_queued_jobs()  # the worker's part: the handouts and the day's stack made ahead
    visit_page = browser.get(reverse("aftercare:visit-detail", args=[visits[0].pk])).content.decode()
    Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)

    def signed(page: str, label: str) -> str:
        """The Print link's address, as the page shows it."""
        return re.search(rf'href="(/print/[^"]+)">{label}', page)[1]

    def once(path: str, size: int) -> float:
        start = time.perf_counter()
        response = browser.get(path)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        took = (time.perf_counter() - start) * 1000
        assert response.status_code == 200 and len(body) == size, (path, response.status_code, len(body), size)
        return took

    figures = []
    for what, prepared, address, authenticated in (
        ("a visit's handout", PreparedFile.objects.get(kind=Kind.VISIT_HANDOUT, visit=visits[0]),
         signed(visit_page, "Print handout"), reverse("aftercare:visit-handout", args=[visits[0].pk])),
        ("the day's stack (3 visits)", PreparedFile.objects.get(kind=Kind.DAY_HANDOUTS),
         signed(day_page, "Print the day's handouts"), f"{reverse('aftercare:day-handouts')}?date={date}"),
    ):
        data = prepared.read()
        name = f"bench-same-size-{prepared.pk}.pdf"
        (Path(settings.STATIC_ROOT) / name).write_bytes(data)
        paths = (address, authenticated, settings.STATIC_URL + name)
        times = {path: [] for path in paths}
        for round in range(prints + 3):
            for path in paths:
                took = once(path, len(data))
                if round >= 3:  # the first rounds warm up
                    times[path].append(took)
        figures.append((what, *(times[path] for path in paths), len(data)))
    return figures


def throughput(jobs_a_round: int, rounds: int) -> None:
    loop = [plain_loop(jobs_a_round) * 1000 / jobs_a_round for _ in range(rounds)]
    one = [through_workers(jobs_a_round, 1) * 1000 / jobs_a_round for _ in range(rounds)]
    two = [through_workers(jobs_a_round, 2) * 1000 / jobs_a_round for _ in range(rounds)]
    for label, samples in (("plain loop", loop), ("1 worker", one), ("2 workers", two)):
        median = statistics.median(samples)
        print(f"  {label:10}: {median:8.3f} ms a job, {1000 / median:10.0f} jobs/s")
    print(f"  1 worker is {statistics.median(one) / statistics.median(loop):.0f}x the plain loop's time a job; "
          f"2 workers {statistics.median(one) / statistics.median(two):.2f}x the throughput of 1")
    report("jobs: trivial job, 1 worker (ms a job)", one, baseline="plain loop", baseline_samples=loop)
    report("jobs: trivial job, 2 workers (ms a job)", two, baseline="1 worker", baseline_samples=one)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=300, help="trivial jobs a round (0: no throughput figures)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--prints", type=int, default=50)
    args = parser.parse_args()
    try:
        call_command("migrate", verbosity=0)
        print(f"database: {connection.vendor}; {args.jobs} trivial jobs a round, {args.rounds} rounds")
        if args.jobs:
            throughput(args.jobs, args.rounds)
        if args.prints:
            print(f"load average: {' '.join(f'{n:.2f}' for n in os.getloadavg())}")
        for what, printed, authenticated, static, size in print_figures(args.prints) if args.prints else ():
            static_ms = statistics.median(static)
            print(f"  Print, {what} made ahead ({size / 1024:.0f} kB): signed address {statistics.median(printed):.2f} ms "
                  f"({statistics.median(printed) / static_ms:.1f}x), authenticated address "
                  f"{statistics.median(authenticated):.2f} ms ({statistics.median(authenticated) / static_ms:.1f}x), "
                  f"static file of the same size {static_ms:.2f} ms")
            report(f"Print {what} made ahead, signed address (ms)", printed, baseline="a static file of the same size",
                   baseline_samples=static, budget=2.0)
            report(f"Print {what} made ahead, authenticated address (ms)", authenticated,
                   baseline="a static file of the same size", baseline_samples=static)
    finally:
        BENCH.finish()


if __name__ == "__main__":
    os.chdir(ROOT)
    main()
