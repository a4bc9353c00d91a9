"""Two real worker processes race on the same due reminders (each batch handed out twice,
as when two minutes' jobs find the same clients, or a lost worker's job runs again): every
client gets exactly one email, received by a real SMTP server on loopback."""

import asyncio
import datetime
from collections import Counter

import pytest
from aiosmtpd.controller import Controller
from django.db import transaction
from django.utils import timezone

from aftercare import reminders
from aftercare.models import ShareLink
from aftercare.reminder_models import Channel, ReminderPlan, ReminderSent
from exercises.models import HowOften
from tests.conftest import builtin, make_client, make_visit
from tests.services import app_env, free_port, start_worker, wait_for

pytestmark = pytest.mark.django_db(transaction=True)
CLIENTS = 40
SIZES = (3, 5)


class Inbox:
    def __init__(self):
        self.to = Counter()

    async def handle_DATA(self, server, session, envelope):
        for address in envelope.rcpt_tos:
            self.to[address] += 1
        # A real server takes a moment: while one worker's batch is sending, the other has
        # time to claim the next (without it one worker could take every batch, as a fresh
        # clone's CI saw once, and the race this test is about would not happen).
        await asyncio.sleep(0.05)
        return "250 OK"


def test_two_workers_send_each_due_reminder_exactly_once(clinic, tmp_path):
    inbox = Inbox()
    smtp = Controller(inbox, hostname="127.0.0.1", port=free_port())
    smtp.start()
    now = timezone.now().replace(second=0, microsecond=0)
    at = timezone.localtime(now).time()
    ids = []
    for n in range(CLIENTS):
        client = make_client(clinic, f"Client{n}", email=f"c{n}@example.com")
        visit = make_visit(client)
        visit.assign(builtin("doorway-pec-stretch"), how_often=HowOften.DAILY)
        ShareLink.issue(client)
        ReminderPlan.objects.create(client=client, at=at, days="0123456", email=client.email, email_confirmed_at=now)
        ids.append(client.pk)
    assert reminders.due_clients(now) == {Channel.EMAIL: sorted(ids)}
    env = app_env(EMAIL_URL=f"smtp://127.0.0.1:{smtp.port}", AFTERCARE_SCHEDULE="tests.test_reminders_race.NO_SCHEDULE")
    workers = [start_worker(name, env, tmp_path, "--interval", "0.1") for name in ("one", "two")]
    try:
        from aftercare.worker import WorkerBeat

        # Both polling before any job is there, then every batch queued in one commit: each
        # client in batches cut two ways, each batch queued twice.
        wait_for(lambda: WorkerBeat.objects.filter(worker_id__in=["one", "two"]).count() == 2,
                 timeout=60, what="both workers up", processes=workers)
        with transaction.atomic():
            for size in SIZES:
                for start in range(0, CLIENTS, size):
                    for _ in range(2):
                        reminders.send_reminders.enqueue(Channel.EMAIL, ids[start:start + size], now.isoformat())
        wait_for(lambda: sum(inbox.to.values()) >= CLIENTS and ReminderSent.objects.filter(sent_at__isnull=False).count() == CLIENTS,
                 timeout=90, what="every reminder sent", processes=workers)
        from django_tasks_db.models import DBTaskResult
        wait_for(lambda: not DBTaskResult.objects.ready().exists() and not DBTaskResult.objects.running().exists(),
                 timeout=60, what="the queue emptied", processes=workers)
    finally:
        for worker in workers:
            worker.stop()
        smtp.stop()
    assert inbox.to == Counter({f"c{n}@example.com": 1 for n in range(CLIENTS)})
    assert ReminderSent.objects.count() == CLIENTS
    from django_tasks_db.models import DBTaskResult
    results = list(DBTaskResult.objects.successful().values_list("worker_ids", "return_value"))
    assert len(results) == 2 * sum(len(range(0, CLIENTS, size)) for size in SIZES)
    assert sum(result["sent"] for _, result in results) == CLIENTS
    # Both workers took batches, and most batches found their reminders claimed already.
    assert {worker_ids[-1] for worker_ids, _ in results} == {"one", "two"}


NO_SCHEDULE = []
