"""Aftercare on more than one host, in miniature: two web processes (gunicorn, two ports, as
two hosts behind a balancer would be) and two workers (`manage.py run_worker`), sharing
one PostgreSQL database, one Redis (the shared cache) and one SeaweedFS bucket (the media).
Nothing is shared through the local disk. It shows:

1. a picture uploaded through web A is served by web B, and printed by web B in a visit's
   handout (read from the bucket);
2. many exports and days' handouts asked for at once, through A and B, all finish exactly
   once, with worker 1 killed (SIGKILL) in the middle of a job: its job runs again on
   worker 2 after WORKER_LOST_AFTER seconds.

    .venv/bin/python bench/multihost.py [--exports 8] [--days 4] [--lost-after 3]

PostgreSQL at DATABASE_URL's server (default postgres://postgres@127.0.0.1:5432), a
throwaway database made and dropped; Redis at 127.0.0.1:6379 (database 3); SeaweedFS
(`weed`, from the dev extras) started here. The last line is `MULTIHOST {json}`
(tests/test_multihost.py); exit status 0 when everything held. docs/scaling.md draws it.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import secrets
import signal
import string
import sys
import time
import urllib.error
import urllib.request
import uuid
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.services import Process, SeaweedFS, free_ports  # noqa: E402

REDIS_URL = "redis://127.0.0.1:6379/3"
BUCKET = "aftercare-multihost"


def server_url() -> str:
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        return url.partition("?")[0].rpartition("/")[0]
    return "postgres://postgres@127.0.0.1:5432"


def admin(statement: str) -> None:
    import psycopg

    with psycopg.connect(f"{server_url()}/postgres", autocommit=True, connect_timeout=5) as server:
        server.execute(statement)


class Web:
    """A logged-in therapist's browser on one web process."""

    def __init__(self, name: str, port: int, cookie: str, csrf: str):
        self.name, self.base, self.cookie, self.csrf = name, f"http://127.0.0.1:{port}", cookie, csrf

    def request(self, method: str, path: str, body: bytes | None = None, content_type: str | None = None):
        request = urllib.request.Request(self.base + path, data=body, method=method)
        request.add_header("Cookie", self.cookie)
        request.add_header("Referer", self.base + "/")
        if content_type:
            request.add_header("Content-Type", content_type)
        opener = urllib.request.build_opener(NoRedirects)
        try:
            with opener.open(request, timeout=60) as response:
                return response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read()

    def get(self, path: str):
        return self.request("GET", path)

    def post(self, path: str, fields: list[tuple[str, str]], files: list[tuple[str, str, bytes]] = ()):
        boundary = uuid.uuid4().hex
        parts = []
        for name, value in [("csrfmiddlewaretoken", self.csrf), *fields]:
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
        for name, filename, data in files:
            parts.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                f"Content-Type: image/jpeg\r\n\r\n".encode() + data + b"\r\n"
            )
        parts.append(f"--{boundary}--\r\n".encode())
        return self.request("POST", path, b"".join(parts), f"multipart/form-data; boundary={boundary}")

    def wait_until_up(self, process: Process, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if self.get("/login/")[0] in (200, 302):
                    return
            except OSError:
                pass
            if process.process.poll() is not None:
                break
            time.sleep(0.3)
        raise SystemExit(f"web {self.name} didn't start:\n{process.output()[-3000:]}")


class NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def photo() -> bytes:
    from PIL import Image

    image = Image.new("RGB", (1200, 800), "#c86b4a")
    image.paste("#2f6f73", (0, 0, 600, 800))
    out = io.BytesIO()
    image.save(out, "JPEG")
    return out.getvalue()


def pdf_image_sizes(pdf: bytes) -> list[tuple[int, int]]:
    from pypdf import PdfReader

    return [(image.image.width, image.image.height) for page in PdfReader(io.BytesIO(pdf)).pages for image in page.images]


def step(started: float, what: str) -> None:
    print(f"{time.monotonic() - started:6.1f} s  {what}", file=sys.stderr, flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--exports", type=int, default=8, help="clients whose export is asked for at once")
    parser.add_argument("--days", type=int, default=4, help="days whose handouts are printed ahead at once")
    parser.add_argument("--lost-after", type=float, default=3, help="WORKER_LOST_AFTER for the workers")
    parser.add_argument("--timeout", type=float, default=150, help="seconds to wait for every job")
    args = parser.parse_args()
    started = time.monotonic()
    folder = Path(os.environ.get("TMPDIR", "/tmp")) / f"aftercare-multihost-{os.getpid()}"
    folder.mkdir(parents=True, exist_ok=True)
    name = f"aftercare_multihost_{os.getpid()}"
    processes: list[Process] = []
    admin(f"CREATE DATABASE {name}")
    env = {
        key: value for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "TASKS_", "AWS_", "WORKER_", "AFTERCARE_", "REDIS_URL", "PYTEST"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="aftercare.settings", DATABASE_URL=f"{server_url()}/{name}",
        DJANGO_SECRET_KEY="multihost-" + secrets.token_hex(16), DJANGO_DEBUG="1",
        DJANGO_ALLOWED_HOSTS="127.0.0.1", REDIS_URL=REDIS_URL, TASKS_BACKEND="database",
        WORKER_LOST_AFTER=str(args.lost_after), PYTHONUNBUFFERED="1", MEDIA_ROOT=str(folder / "no-media-here"),
        GUNICORN_WORKERS="2",
    )
    python = sys.executable
    # The migrations need no media: they run while SeaweedFS starts.
    migrate = Process("migrate", [python, "manage.py", "migrate", "--no-input", "-v0"], env, folder)
    processes.append(migrate)
    seaweedfs = None
    try:
        seaweedfs = SeaweedFS()
        seaweedfs.client().create_bucket(Bucket=BUCKET)
        env.update(seaweedfs.settings(BUCKET))
        os.environ.update(env)
        step(started, "SeaweedFS up, database made")
        if migrate.process.wait(timeout=180) != 0:
            raise SystemExit(f"migrate failed:\n{migrate.output()}")
        step(started, "migrated")
        import django

        django.setup()
        from django.conf import settings
        from django.test import Client as Browser
        from django.utils import timezone
        from django_tasks_db.models import DBTaskResult

        from aftercare.models import ShareLink, Visit
        from aftercare.prepared import Kind, PreparedFile
        from clients.models import Client, Clinic, Therapist
        from django.contrib.auth import get_user_model
        from exercises.models import Complaint, Exercise, ExercisePicture

        clinic = Clinic.objects.create(name="Multihost Massage")
        user = get_user_model().objects.create_user("robin", password="multihost", first_name="Robin")
        therapist = Therapist.objects.create(user=user, clinic=clinic, is_owner=True)
        today = timezone.localdate()
        exercise = Exercise.objects.filter(clinic=None).order_by("pk").first()
        clients, visits = [], []
        for n in range(max(args.exports, args.days)):
            client = Client.objects.create(clinic=clinic, first_name=f"Client{n}", last_name="Multihost")
            visit = Visit.objects.create(client=client, therapist=therapist, date=today - timezone.timedelta(days=n % args.days))
            visit.assign(exercise)
            ShareLink.issue(client, by=therapist)
            clients.append(client)
            visits.append(visit)
        browser = Browser()
        browser.force_login(user)
        csrf = "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(32))
        cookie = f"{settings.SESSION_COOKIE_NAME}={browser.cookies[settings.SESSION_COOKIE_NAME].value}; {settings.CSRF_COOKIE_NAME}={csrf}"

        # Both web processes and both workers start at once; then wait for the webs.
        port_a, port_b = free_ports(2)
        webs = []
        for label, port in (("a", port_a), ("b", port_b)):
            process = Process(f"web-{label}", [python, "-m", "gunicorn", "aftercare.wsgi"], {**env, "GUNICORN_BIND": f"127.0.0.1:{port}"}, folder)
            processes.append(process)
            webs.append((Web(label.upper(), port, cookie, csrf), process))
        workers = [Process(f"worker-{n}", [python, "manage.py", "run_worker", "--worker-id", f"worker-{n}", "--interval", "0.2"], env, folder) for n in (1, 2)]
        processes += workers
        for web, process in webs:
            web.wait_until_up(process)
        webs = [web for web, _ in webs]
        a, b = webs
        step(started, "web A and B up")

        # 1. A picture uploaded through A, served and printed by B.
        complaint = Complaint.objects.order_by("pk").first()
        status, headers, _ = a.post("/library/add/", [
            ("name", "Wall angel"), ("kind", "mobility"), ("body_area", "upper_back"), ("how_often", "daily"),
            ("times_per_week", ""), ("sets", "2"), ("reps", "8"), ("hold_seconds", ""), ("minutes", ""),
            ("steps", "Stand with your back to a wall.\nSlide your arms up."), ("why", "Opens the chest."), ("cautions", ""),
            ("complaints-TOTAL_FORMS", "1"), ("complaints-INITIAL_FORMS", "0"), ("complaints-MIN_NUM_FORMS", "0"),
            ("complaints-MAX_NUM_FORMS", "1000"), ("complaints-0-complaint", str(complaint.pk)), ("complaints-0-rank", "1"),
        ], files=[("pictures", "wall.jpg", photo())])
        if status != 302:
            raise SystemExit(f"upload through A answered {status}")
        picture = ExercisePicture.objects.get(exercise__clinic=clinic)
        stored = seaweedfs.client().get_object(Bucket=BUCKET, Key=picture.image.name)["Body"].read()
        status, _, served = b.get(picture.image.url)
        picture_served_by_b = status == 200 and served == stored
        on_disk = any((folder / "no-media-here").rglob("*")) if (folder / "no-media-here").exists() else False
        own = picture.exercise
        handout_visit = Visit.objects.create(client=clients[0], therapist=therapist)
        handout_visit.assign(own)
        status, _, pdf = b.get(f"/visits/{handout_visit.pk}/handout.pdf")
        handout_by_b_has_picture = status == 200 and (900, 600) in pdf_image_sizes(pdf)

        step(started, "picture uploaded through A, served and printed by B")
        # 2. Many exports and days' handouts at once, through both; worker 1 killed mid-job.
        for n, client in enumerate(clients[: args.exports]):
            web = (a, b)[n % 2]
            if web.post(f"/clients/{client.pk}/export/", [])[0] != 302:
                raise SystemExit(f"export of {client} through {web.name} was refused")
        for n in range(args.days):
            day = today - timezone.timedelta(days=n)
            if (a, b)[n % 2].get(f"/day/?date={day.isoformat()}")[0] != 200:
                raise SystemExit("the day page didn't open")
        # The schedule's own ticks (every minute, every five) come and go with the clock:
        # the count is of the jobs this run asked for.
        from aftercare.worker import schedule

        ticks = [entry.task for entry in schedule()]
        asked = DBTaskResult.objects.exclude(task_path__in=ticks).count()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            running = [ids for ids in DBTaskResult.objects.running().values_list("worker_ids", flat=True) if ids and ids[-1] == "worker-1"]
            if running:
                break
            time.sleep(0.05)
        else:
            raise SystemExit("worker 1 never took a job:\n" + workers[0].output()[-3000:])
        workers[0].kill()
        step(started, "worker 1 killed in the middle of a job")
        killed_at = time.monotonic() - started
        deadline = time.monotonic() + args.timeout
        while time.monotonic() < deadline and DBTaskResult.objects.exclude(status__in=["SUCCESSFUL", "FAILED"]).exists():
            time.sleep(0.3)
        step(started, "every job finished")
        jobs = list(DBTaskResult.objects.values("task_path", "status", "args_kwargs", "worker_ids", "return_value"))
        export_jobs = [job for job in jobs if job["task_path"] == "aftercare.tasks.prepare_export"]
        per_export = {}
        for job in export_jobs:
            per_export.setdefault(job["args_kwargs"]["args"][0], []).append(job)
        exports = PreparedFile.objects.filter(kind=Kind.EXPORT)
        downloads_ok = 0
        for n, prepared in enumerate(exports):
            status, headers, body = (a, b)[n % 2].get(f"/clients/{prepared.client_id}/export/{prepared.pk}/download/")
            if status == 200 and "client.json" in zipfile.ZipFile(io.BytesIO(body)).namelist():
                downloads_ok += 1
        day_stacks = PreparedFile.objects.filter(kind=Kind.DAY_HANDOUTS).exclude(ready_at=None).values_list("date", flat=True)
        summary = {
            "picture_served_by_b": picture_served_by_b,
            "picture_on_local_disk": on_disk,
            "handout_by_b_has_picture": handout_by_b_has_picture,
            "exports_asked": args.exports,
            "exports_ready": exports.exclude(ready_at=None).count(),
            "exports_downloaded": downloads_ok,
            "export_jobs_per_export": sorted({len(found) for found in per_export.values()}),
            "days_asked": args.days,
            "day_stacks_ready": len(set(day_stacks)),
            "jobs_asked": asked,
            "jobs": sum(1 for job in jobs if job["task_path"] not in ticks),
            "jobs_failed": sum(1 for job in jobs if job["status"] != "SUCCESSFUL"),
            "jobs_run_again_after_the_kill": sum(1 for job in jobs if len(job["worker_ids"]) > 1),
            "jobs_by_worker_2": sum(1 for job in jobs if job["worker_ids"][-1:] == ["worker-2"]),
            "worker_1_killed_at_s": round(killed_at, 1),
            "seconds": round(time.monotonic() - started, 1),
        }
        held = (
            picture_served_by_b and handout_by_b_has_picture and not on_disk
            and summary["exports_ready"] == summary["exports_downloaded"] == args.exports
            and summary["export_jobs_per_export"] == [1] and summary["day_stacks_ready"] == args.days
            and summary["jobs_failed"] == 0 and summary["jobs_run_again_after_the_kill"] >= 1
        )
        summary["held"] = held
        if not held:
            for process in processes:
                print(f"--- {process.name}\n{process.output()[-2000:]}", file=sys.stderr)
        print("MULTIHOST " + json.dumps(summary))
        return 0 if held else 1
    finally:
        for process in processes:  # throwaway: no need to wait for a graceful stop
            process.kill()
        from django.db import connections

        connections.close_all()
        if seaweedfs:
            seaweedfs.stop()
        admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        import redis

        redis.Redis.from_url(REDIS_URL).flushdb()


if __name__ == "__main__":
    os.chdir(ROOT)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    sys.exit(main())
