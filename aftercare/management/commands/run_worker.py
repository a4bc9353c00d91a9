from django.core.management.base import BaseCommand

from aftercare import worker


class Command(BaseCommand):
    help = (
        "Run queued jobs and the schedule, on whichever backend settings.TASKS names "
        "(TASKS_BACKEND=database or rq). Start as many as you like, on as many hosts: each job "
        "runs once, each scheduled minute is taken by one worker, and the job of a worker "
        "killed mid-way runs again (after WORKER_LOST_AFTER seconds; failed after "
        "WORKER_MAX_ATTEMPTS tries). SIGTERM or Ctrl-C lets the job under way finish first."
    )

    def add_arguments(self, parser):
        parser.add_argument("--batch", action="store_true", help="Run every job waiting now, then stop.")
        parser.add_argument("--interval", type=float, default=1.0,
                            help="Seconds between looks at an empty queue (database backend; default 1).")
        parser.add_argument("--max-tasks", type=int, default=None, help="Stop after this many jobs.")
        parser.add_argument("--worker-id", default=None, help="A name unique among workers (default: host and a random part).")

    def handle(self, *, batch, interval, max_tasks, worker_id, verbosity, **options):
        worker_id = worker_id or worker.new_worker_id()
        if verbosity:
            kind = worker.backend_kind()
            self.stdout.write(f"Worker {worker_id} taking jobs ({kind} backend) and the schedule.")
            self.stdout.flush()
        worker.run(worker_id=worker_id, batch=batch, interval=interval, max_tasks=max_tasks)
