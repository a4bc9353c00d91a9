"""Do the therapist's pages hold up as a clinic grows? Each page is timed with a clinic of
100 clients (1,000 homework items) and then with one of 100,000 clients (1,000,000
homework items, `manage.py make_scale_data`), in the same database: each must stay within
2x of its 100-client time, with the same number of queries.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/aftercare_bench .venv/bin/python bench/scale.py
    .venv/bin/python bench/scale.py --clients 10000 --items 100000     # a smaller try

PostgreSQL is what production runs, so that is where the figures count; without
DATABASE_URL it uses a SQLite file in the system's temporary folder. The data stays in
the database (the command is idempotent), so a second run skips the minutes of making it.
Requests go through Django's test client in this process (no web server), with the real
middleware, logged in as the clinic's owner; each page is fetched twice to warm up, then
--runs times, alternating between the two clinics (both are in the database throughout:
the small one's figures are those of a small clinic on a big install). The pages: the client list, a search by name, a client's page, the visit's
assign (homework) page, the visit's page with the client's link, the client's own
link page /h/<token>/, and the day page for a day without visits.
"""

import argparse
import datetime
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aftercare.settings_test")
os.environ.setdefault("DATABASE_URL", f"sqlite:///{tempfile.gettempdir()}/aftercare-bench-scale.sqlite3")


def make_database_if_missing(url: str) -> None:
    """A PostgreSQL database named in DATABASE_URL that isn't there yet is made (empty; the
    migrations follow), so `make bench` works on a fresh machine."""
    if not url.startswith(("postgres://", "postgresql://")):
        return
    import psycopg
    from psycopg import sql

    base, _, name = url.partition("?")[0].rpartition("/")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as server:
        if not server.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            server.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            print(f"  made the database {name}")


make_database_if_missing(os.environ["DATABASE_URL"])

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client as Browser  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from aftercare.models import ShareLink, Visit  # noqa: E402
from clients.models import Client, Clinic  # noqa: E402
from figures import report  # noqa: E402

SMALL = ("Scale 100", 100, 1000)
BUDGET = 2.0


def pages(clinic: Clinic) -> dict[str, str]:
    clients = Client.objects.for_clinic(clinic)
    # A client in the middle of the alphabetical list, with their newest visit.
    client = clients.order_by("first_name", "last_name", "pk")[clients.count() // 2]
    visit = Visit.objects.filter(client=client).order_by("-date", "-pk").first()
    link = ShareLink.issue(client)
    return {
        "client list": "/clients/",
        "client search": f"/clients/?q={client.first_name}+{client.last_name[:4]}",
        "client list, page 3": "/clients/?page=3",
        "a client's page": f"/clients/{client.pk}/",
        "assign page (homework)": f"/visits/{visit.pk}/homework/",
        "visit page with the link": f"/visits/{visit.pk}/",
        "client link /h/<token>/": link,
        # A day before any of the generated visits: what the day page costs besides the
        # day's own visits (the generated big clinic has ~700 a day, no clinic's real day).
        "day page, a day without visits": f"/day/?date={timezone.localdate() - datetime.timedelta(days=1000)}",
    }


def measure(small: Clinic, big: Clinic, runs: int) -> dict[str, tuple]:
    """Each page of the small clinic and the same page of the big one, alternately, so a
    busy machine slows both alike; (times, queries, slowest SQL) for each clinic."""
    browsers = {}
    for clinic in (small, big):
        browsers[clinic.pk] = Browser()
        browsers[clinic.pk].force_login(clinic.therapists.get(is_owner=True).user)
    both = {clinic.pk: pages(clinic) for clinic in (small, big)}
    results = {}
    for name in both[small.pk]:
        for clinic in (small, big):
            for _ in range(2):
                assert browsers[clinic.pk].get(both[clinic.pk][name]).status_code == 200, both[clinic.pk][name]
        times = {small.pk: [], big.pk: []}
        counts = {small.pk: set(), big.pk: set()}
        slowest = {}
        for _ in range(runs):
            for clinic in (small, big):
                url = both[clinic.pk][name]
                with CaptureQueriesContext(connection) as queries:
                    start = time.perf_counter()
                    response = browsers[clinic.pk].get(url)
                    times[clinic.pk].append((time.perf_counter() - start) * 1000)
                assert response.status_code == 200, url
                counts[clinic.pk].add(len(queries))
                slowest[clinic.pk] = max(queries.captured_queries, key=lambda q: float(q["time"] or 0))["sql"]
        results[name] = tuple((times[c.pk], max(counts[c.pk]), slowest[c.pk]) for c in (small, big))
    return results


def make(name: str, clients: int, items: int) -> Clinic:
    call_command("make_scale_data", clinic=name, clients=clients, items=items)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # fresh planner statistics, as autovacuum would make
    return Clinic.objects.get(name=name)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=100_000)
    parser.add_argument("--items", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
    call_command("migrate", verbosity=0)

    small = make(*SMALL)
    started = time.perf_counter()
    big_name = f"Scale {args.clients}"
    big = make(big_name, args.clients, args.items)
    print(f"{big_name}: ready in {time.perf_counter() - started:.0f} s")
    results = measure(small, big, args.runs)

    print(f"median of {args.runs} requests, ms (queries): {SMALL[1]} clients vs {args.clients} clients")
    for name, ((small_times, small_queries, _), (big_times, big_queries, slowest)) in results.items():
        ratio = statistics.median(big_times) / statistics.median(small_times)
        print(f"  {name:31} {statistics.median(small_times):7.1f} ({small_queries})  {statistics.median(big_times):7.1f} "
              f"({big_queries})  {ratio:5.2f}x  {'ok' if ratio <= BUDGET and big_queries == small_queries else 'OVER'}")
        if ratio > BUDGET:
            print(f"      slowest query with {args.clients} clients: {slowest[:400]}")
        report(f"scale: {name}, {args.clients} clients", big_times, baseline=f"{SMALL[1]} clients",
               baseline_samples=small_times, budget=BUDGET)
        report(f"scale: {name}, queries with {args.clients} clients", [big_queries], unit="queries", limit=small_queries)


if __name__ == "__main__":
    main()
