"""Production under load: many clients opening their page while therapists add homework to
the same few visits at once, for a bounded time. Zero errors, and the two-item rule intact.

Starts the app as production runs it (gunicorn with several sync workers, DJANGO_DEBUG=0,
whitenoise, the shared Redis cache when one is running; bench/client_page.py's served_app)
on a throwaway database: SQLite, or PostgreSQL when DATABASE_URL names a server (a new
database beside it, dropped afterwards). Then, at the same time:

- wrk with many connections on a client's page (/h/<token>/);
- wrk with bench/load.lua POSTing "Add to homework" for a logged-in therapist, each request
  a random pick of a few empty visits and a few exercises, so requests race for the same
  visit's two slots;
- wrk with bench/feedback.lua POSTing what clients do on their own link pages (a tick, how
  an item felt, a word on the week, their reminder time and days), each request a random
  pick of many clients' links, the page's own among them.

Afterwards it reads the database: no visit has more than two items, the slots are 1 and 2,
every 302 ("added") made one item (allowing for the requests still in the server when wrk
stops counting), and no answer was a 5xx, a socket error or anything but 200 (page), 302
(added, or the client's word taken) or 400 (the visit is full, or already has that
exercise); a client's post met by a throttle (429) counts as an error too.

    .venv/bin/python bench/load.py [--duration 20] [--workers 4] [--page-connections 64]
                                   [--assign-connections 16] [--visits 200]
                                   [--feedback-connections 8] [--feedback-links 400]

The last line is `LOAD {json}` with the figures, for tests/test_load.py. Exit status 0 when
everything held. Needs wrk (`apt-get install -y wrk`).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from client_page import HEADERS, ROOT, SEED, served_app  # noqa: E402

LUA = Path(__file__).resolve().parent / "load.lua"
FEEDBACK_LUA = Path(__file__).resolve().parent / "feedback.lua"

# After the client page's own seed (PATH): empty visits for one client of the demo clinic,
# the exercises to race with, and a logged-in therapist's cookies.
ASSIGN_SEED = SEED + """
import json, secrets, string
from django.conf import settings
from django.test import Client as Browser
from django.urls import reverse
from aftercare.models import Visit
from clients.models import Therapist
from exercises.models import Exercise
therapist = Therapist.objects.select_related("user", "clinic").get(user__username="demo")
racer = Client.objects.create(clinic=therapist.clinic, first_name="Loadtest")
visits = [Visit.objects.create(client=racer, therapist=therapist) for _ in range({visits})]
exercises = list(Exercise.objects.available_to(therapist.clinic).order_by("pk")[:{exercises}])
browser = Browser()
browser.force_login(therapist.user)
csrf = "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(32))
print("ASSIGN", json.dumps({{
    "paths": [reverse("aftercare:item-add", args=[v.pk, e.pk]) for v in visits for e in exercises],
    "visits": [v.pk for v in visits],
    "cookie": f"{{settings.SESSION_COOKIE_NAME}}={{browser.cookies[settings.SESSION_COOKIE_NAME].value}}; {{settings.CSRF_COOKIE_NAME}}={{csrf}}",
    "csrf": csrf,
}}))
# Clients with homework and a live link each, for what clients do on their pages; the
# page's own client first.
from django.utils import timezone
from aftercare.models import HomeworkItem
page_item = HomeworkItem.objects.filter(visit__client=client).order_by("-visit__date", "pk").first()
feedback = []
if page_item:
    feedback.append(f"{{ShareLink.current(client).path}}|{{page_item.pk}}|{{page_item.visit_id}}")
for n in range({feedback_links}):
    someone = Client.objects.create(clinic=therapist.clinic, first_name=f"Feedback{{n}}")
    visit = Visit.objects.create(client=someone, therapist=therapist)
    item = visit.assign(exercises[n % len(exercises)])
    feedback.append(f"{{ShareLink.issue(someone)}}|{{item.pk}}|{{visit.pk}}")
print("FEEDBACK", json.dumps({{"links": feedback, "today": timezone.localdate().isoformat()}}))
"""

# The two-item rule, read back from the database after the run; and what clients left.
CHECK = """
import json
from django.db.models import Count, Max, Min
from aftercare.feedback import HomeworkWord, ItemFeeling
from aftercare.models import CheckIn, HomeworkItem
from aftercare.reminder_models import ReminderPlan
items = HomeworkItem.objects.filter(visit__in={visits})
per_visit = items.values("visit").annotate(n=Count("pk"), low=Min("slot"), high=Max("slot"))
print("CHECK", json.dumps({{
    "items": items.count(),
    "visits_over_two": sum(1 for v in per_visit if v["n"] > 2),
    "slots_outside_1_2": sum(1 for v in per_visit if v["low"] < 1 or v["high"] > 2),
    "full_visits": sum(1 for v in per_visit if v["n"] == 2),
    "check_ins": CheckIn.objects.count(),
    "feelings": ItemFeeling.objects.count(),
    "words": HomeworkWord.objects.count(),
    "reminder_plans": ReminderPlan.objects.exclude(at=None).count(),
}}))
"""


def run_wrk(command: list[str], env: dict, into: dict, key: str) -> None:
    into[key] = subprocess.run(command, env=env, capture_output=True, text=True, check=False)


def parse(out: str) -> dict:
    figures = {
        "requests": int(re.search(r"(\d+) requests in", out).group(1)),
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "latency_avg": re.search(r"Latency\s+(\S+)", out).group(1),
        "socket_errors": sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", out)),
        "non_2xx_3xx": int(m.group(1)) if (m := re.search(r"Non-2xx or 3xx responses: (\d+)", out)) else 0,
    }
    if tally := re.search(r"TALLY (.*)", out):
        figures.update({k: int(v) for k, v in (pair.split("=") for pair in tally.group(1).split())})
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=20, help="seconds of load (default 20)")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers (default 4)")
    parser.add_argument("--page-connections", type=int, default=64, help="wrk connections on the client page (default 64)")
    parser.add_argument("--assign-connections", type=int, default=16, help="wrk connections adding homework (default 16)")
    parser.add_argument("--visits", type=int, default=200, help="empty visits the assigns race for (default 200)")
    parser.add_argument("--exercises", type=int, default=4, help="exercises to pick from for each visit (default 4)")
    parser.add_argument("--feedback-connections", type=int, default=8,
                        help="wrk connections posting on clients' link pages (default 8)")
    # Many links, as many clients would be: a link's changes are throttled per link
    # (CLIENT_LINK_POSTS_RATE, counted in the shared Redis, so across runs within the hour too),
    # and the load is of many clients, not of one script on one link.
    parser.add_argument("--feedback-links", type=int, default=400, help="clients whose links they post to (default 400)")
    parser.add_argument("--no-redis", action="store_true", help="local-memory cache even if Redis is running")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        print("wrk is missing: apt-get install -y wrk", file=sys.stderr)
        return 2

    database = os.environ.get("DATABASE_URL")
    seed = ASSIGN_SEED.format(visits=args.visits, exercises=args.exercises, feedback_links=args.feedback_links)
    with served_app(workers=args.workers, use_redis=not args.no_redis, database_url=database, seed=seed) as app:
        assign = json.loads(re.search(r"^ASSIGN (.*)$", app.seeded, re.M).group(1))
        feedback = json.loads(re.search(r"^FEEDBACK (.*)$", app.seeded, re.M).group(1))
        engine = "PostgreSQL" if app.env["DATABASE_URL"].startswith("postgres") else "SQLite"
        print(f"gunicorn, {args.workers} sync workers, production settings, {engine}, cache: {app.cache}")
        print(f"{args.duration} s at once: client page with {args.page_connections} connections, "
              f"adding homework with {args.assign_connections} connections to {args.visits} visits x {args.exercises} exercises, "
              f"clients ticking, saying how it felt and setting reminders with {args.feedback_connections} connections "
              f"on {len(feedback['links'])} links")
        wrk_env = {
            **os.environ,
            "LOAD_PATHS": " ".join(assign["paths"]),
            "LOAD_COOKIE": assign["cookie"],
            "LOAD_CSRF": assign["csrf"],
            "LOAD_ORIGIN": "https://" + app.url.removeprefix("http://"),
        }
        page_command = ["wrk", "-t2", f"-c{args.page_connections}", f"-d{args.duration}s", "--timeout", "10s"]
        for name, value in HEADERS.items():
            page_command += ["-H", f"{name}: {value}"]
        page_command.append(app.url + app.page)
        assign_command = ["wrk", "-t2", f"-c{args.assign_connections}", f"-d{args.duration}s", "--timeout", "10s",
                          "-s", str(LUA), app.url]
        feedback_command = ["wrk", "-t1", f"-c{args.feedback_connections}", f"-d{args.duration}s", "--timeout", "10s",
                            "-s", str(FEEDBACK_LUA), app.url]
        feedback_env = {**os.environ, "LOAD_FEEDBACK": " ".join(feedback["links"]), "LOAD_TODAY": feedback["today"]}
        results: dict = {}
        runs = [threading.Thread(target=run_wrk, args=(page_command, os.environ, results, "page")),
                threading.Thread(target=run_wrk, args=(assign_command, wrk_env, results, "assign"))]
        if args.feedback_connections:
            runs.append(threading.Thread(target=run_wrk, args=(feedback_command, feedback_env, results, "feedback")))
        for run in runs:
            run.start()
        for run in runs:
            run.join()
        for key, result in results.items():
            if result.returncode != 0:
                print(f"wrk ({key}) failed:\n{result.stdout}\n{result.stderr}", file=sys.stderr)
                return 1
        page, adding = parse(results["page"].stdout), parse(results["assign"].stdout)
        clients = parse(results["feedback"].stdout) if "feedback" in results else {
            "requests": 0, "rps": 0.0, "latency_avg": "-", "socket_errors": 0, "non_2xx_3xx": 0,
            "done": 0, "throttled": 0, "other": 0, "server_errors": 0}
        # wrk stops counting at the deadline with up to one request per connection still in
        # the server; let those finish (or time out) before reading the database.
        time.sleep(3)
        checked = subprocess.run(
            [sys.executable, "manage.py", "shell", "-c", CHECK.format(visits=assign["visits"])],
            cwd=ROOT, env=app.env, check=True, capture_output=True, text=True,
        )
        check = json.loads(re.search(r"^CHECK (.*)$", checked.stdout, re.M).group(1))
        server_errors = [line for line in app.errors_logged(400).splitlines() if "Bad Request:" not in line]

    errors = {
        "client page: socket errors": page["socket_errors"],
        "client page: answers other than 200": page["non_2xx_3xx"],
        "adding: socket errors": adding["socket_errors"],
        "adding: 5xx answers": adding["server_errors"],
        "adding: answers other than 302 or 400": adding["other"],
        "visits with more than two items": check["visits_over_two"],
        "slots other than 1 and 2": check["slots_outside_1_2"],
        "302s that made no item": max(0, adding["added"] - check["items"]),
        # each connection may have had one request in the server when wrk stopped counting
        "items beyond the 302s and the requests in flight": max(0, check["items"] - adding["added"] - args.assign_connections),
        "clients' posts: socket errors": clients["socket_errors"],
        "clients' posts: 5xx answers": clients["server_errors"],
        "clients' posts: throttled (429)": clients["throttled"],
        "clients' posts: answers other than 302": clients["other"],
    }
    print(f"client page  {page['requests']:6d} requests  {page['rps']:7.1f} req/s  latency avg {page['latency_avg']}")
    print(f"adding       {adding['requests']:6d} requests  {adding['rps']:7.1f} req/s  latency avg {adding['latency_avg']}"
          f"  ({adding['added']} added, {adding['full']} refused: full or already given)")
    print(f"clients      {clients['requests']:6d} requests  {clients['rps']:7.1f} req/s  latency avg {clients['latency_avg']}"
          f"  ({clients['done']} taken: {check['check_ins']} check-ins, {check['feelings']} feelings, "
          f"{check['words']} words, {check['reminder_plans']} reminder plans)")
    print(f"afterwards   {check['items']} items on {args.visits} visits, {check['full_visits']} visits with two, "
          f"{check['visits_over_two']} with more")
    failed = {name: n for name, n in errors.items() if n}
    for name, n in failed.items():
        print(f"FAIL: {name}: {n}")
    if failed and server_errors:
        print("The server's log ends:\n" + "\n".join(server_errors[-40:]))
    if not failed:
        print("PASS: 0 errors, and the two-item rule held")
    print("LOAD " + json.dumps({"engine": engine, "page": page, "adding": adding, "clients": clients, "check": check,
                                "errors": errors}))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
