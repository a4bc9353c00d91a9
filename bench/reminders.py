"""Reminders at volume: 10,000 clients with an email reminder due in the same minute.

1. Two `run_worker` processes (the app's real settings, the schedule as shipped) take the
   minute's tick, find the due clients, claim each reminder and hand every email to a
   local SMTP sink (aiosmtpd in a process of its own, counting what it receives). Goal:
   all 10,000 received within the minute.
2. The cost per reminder: the two workers' CPU time (from /proc, from the minute to the
   last email) against a plain loop in one process that builds the same messages from the
   same templates and sends them to the same sink over one connection. Goal: within 2x.

    .venv/bin/python bench/reminders.py [--clients 10000]

A throwaway SQLite database in a temporary folder, or PostgreSQL when DATABASE_URL names a
server (a database beside it, dropped afterwards).
"""

from __future__ import annotations

import argparse
import datetime
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from throwaway import ROOT, start  # noqa: E402  (bench/ is the script's own folder)

BENCH = start("reminders")

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from figures import report  # noqa: E402

SINK = """
import sys, time
from aiosmtpd.controller import Controller
count_file = open(sys.argv[2], "ab", buffering=0)
class Sink:
    async def handle_DATA(self, server, session, envelope):
        count_file.write(b"x")
        return "250 OK"
controller = Controller(Sink(), hostname="127.0.0.1", port=int(sys.argv[1]))
controller.start()
print("ready", flush=True)
while True:
    time.sleep(3600)
"""


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Sink:
    def __init__(self):
        self.port = free_port()
        self.counter = BENCH.folder / "received"
        self.counter.touch()
        self.process = subprocess.Popen([sys.executable, "-c", SINK, str(self.port), str(self.counter)],
                                        stdout=subprocess.PIPE, text=True, start_new_session=True)
        assert self.process.stdout.readline().strip() == "ready"

    def received(self) -> int:
        return self.counter.stat().st_size

    def stop(self) -> None:
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()


def make_clients(count: int, at: datetime.time) -> None:
    """`count` clients, each with a visit, a daily item, a live link and a confirmed email
    reminder at `at` every day."""
    from aftercare.models import HomeworkItem, ShareLink, Visit
    from aftercare.reminder_models import ReminderPlan
    from clients.models import Client, Clinic
    from exercises.models import Exercise, HowOften

    clinic = Clinic.objects.create(name="Harbour Lane Massage", email="hello@harbourlane.example")
    exercise = Exercise.objects.get(clinic=None, slug="doorway-pec-stretch")
    clients = Client.objects.bulk_create(
        [Client(clinic=clinic, first_name=f"Client{n}", email=f"client{n}@example.com") for n in range(count)], batch_size=1000
    )
    if clients[0].pk is None:  # SQLite before RETURNING: read them back
        clients = list(Client.objects.filter(clinic=clinic).order_by("pk"))
    today = timezone.localdate()
    Visit.objects.bulk_create([Visit(client=c, date=today, rebook_weeks=3) for c in clients], batch_size=1000)
    visits = list(Visit.objects.filter(client__clinic=clinic).order_by("pk"))
    dose = {**exercise.dose(), "how_often": HowOften.DAILY}
    HomeworkItem.objects.bulk_create([HomeworkItem(visit=v, exercise=exercise, slot=1, **dose) for v in visits], batch_size=1000)
    links = []
    expires = timezone.now() + datetime.timedelta(days=90)
    for client in clients:
        salt = os.urandom(16).hex()
        links.append(ShareLink(client=client, salt=salt, digest=ShareLink.digest_of(ShareLink._token_for(salt)), expires_at=expires))
    ShareLink.objects.bulk_create(links, batch_size=1000)
    confirmed = timezone.now()
    ReminderPlan.objects.bulk_create(
        [ReminderPlan(client=c, at=at, days="0123456", email=c.email, email_confirmed_at=confirmed) for c in clients],
        batch_size=1000,
    )


def plain_loop(sink: Sink, minute: datetime.datetime) -> tuple[float, float, int]:
    """The same messages, built from the same templates, sent over one connection: no
    claims, no checks, no queue. (CPU seconds, wall seconds, sent)."""
    from django.core.mail import get_connection

    from aftercare import reminders
    from aftercare.models import HomeworkItem, ShareLink
    from aftercare.reminder_models import ReminderPlan

    cpu, wall = time.process_time(), time.perf_counter()
    plans = list(ReminderPlan.objects.select_related("client__clinic"))
    links = {link.client_id: link for link in ShareLink.objects.all()}
    items = {item.visit.client_id: [item] for item in HomeworkItem.objects.select_related("exercise", "visit")}
    sent = 0
    with get_connection("django.core.mail.backends.smtp.EmailBackend", host="127.0.0.1", port=sink.port) as smtp:
        for plan in plans:
            reminder = reminders.Reminder(plan, plan.client, minute.date(), links[plan.client_id], None, items[plan.client_id])
            smtp.send_messages([reminders.reminder_email(reminder, settings.AFTERCARE_SITE_URL)])
            sent += 1
    return time.process_time() - cpu, time.perf_counter() - wall, sent


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def through_workers(sink: Sink, count: int, minute: datetime.datetime) -> tuple[float, float, int]:
    """Two workers take `minute`'s tick. (CPU seconds of both from the minute to the last
    email, seconds from the minute to the last email received, received)."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "TASKS_", "AFTERCARE_", "WORKER_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="aftercare.settings", PYTHONUNBUFFERED="1",
        DATABASE_URL=f"sqlite:///{Path(connection.settings_dict['NAME']).resolve()}" if connection.vendor == "sqlite" else os.environ["DATABASE_URL"],
        EMAIL_URL=f"smtp://127.0.0.1:{sink.port}", WORKER_LOST_AFTER="8", DJANGO_LOG_LEVEL="ERROR",
    )
    before = sink.received()
    workers = [
        subprocess.Popen([sys.executable, "manage.py", "run_worker", "--worker-id", f"bench-{n}", "--interval", "0.05", "-v0"],
                         cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        for n in range(2)
    ]
    try:
        while timezone.now() < minute:
            time.sleep(0.01)
        cpu_start = sum(cpu_seconds(w.pid) for w in workers)
        deadline = time.monotonic() + 180
        while sink.received() - before < count and time.monotonic() < deadline:
            time.sleep(0.02)
        wall = (timezone.now() - minute).total_seconds()
        cpu = sum(cpu_seconds(w.pid) for w in workers) - cpu_start
        return cpu, wall, sink.received() - before
    finally:
        for worker in workers:
            os.killpg(worker.pid, signal.SIGTERM)
        for worker in workers:
            worker.wait(timeout=60)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=10_000)
    args = parser.parse_args()
    sink = None
    try:
        call_command("migrate", verbosity=0)
        sink = Sink()
        # The minute the reminders are due: far enough ahead to make the clients first.
        minute = (timezone.now() + datetime.timedelta(seconds=150)).replace(second=0, microsecond=0)
        start = time.perf_counter()
        make_clients(args.clients, timezone.localtime(minute).time())
        print(f"database: {connection.vendor}; {args.clients} clients made in {time.perf_counter() - start:.0f} s; "
              f"due at {timezone.localtime(minute):%H:%M}")
        if timezone.now() > minute - datetime.timedelta(seconds=10):
            raise SystemExit("making the clients took too long to reach the minute: run with fewer --clients")

        engine_cpu, engine_wall, received = through_workers(sink, args.clients, minute)
        print(f"  two workers: {received} of {args.clients} emails received {engine_wall:.1f} s after the minute "
              f"({'within' if engine_wall <= 60 and received == args.clients else 'NOT within'} the minute); "
              f"{engine_cpu:.1f} CPU s in the workers")
        from aftercare.reminder_models import ReminderSent

        sent_rows = ReminderSent.objects.filter(sent_at__isnull=False).count()
        print(f"  claimed and sent: {sent_rows} (one per client)")
        loop_cpu, loop_wall, loop_sent = plain_loop(sink, minute)
        print(f"  plain loop: {loop_sent} emails in {loop_wall:.1f} s, {loop_cpu:.1f} CPU s in one process")
        per_engine = engine_cpu * 1000 / max(received, 1)
        per_loop = loop_cpu * 1000 / max(loop_sent, 1)
        print(f"  cost per reminder: {per_engine:.2f} ms CPU through the engine, {per_loop:.2f} ms in the plain loop "
              f"({per_engine / per_loop:.2f}x; goal 2x)")
        report("reminders: 10,000 due in one minute, seconds to the last email (2 workers)", [engine_wall], unit="s", limit=60)
        report("reminders: CPU per reminder, 2 workers (ms)", [per_engine], baseline="a plain loop sending the same emails",
               baseline_samples=[per_loop], budget=2.0)
    finally:
        if sink:
            sink.stop()
        BENCH.finish()


if __name__ == "__main__":
    os.chdir(ROOT)
    main()
