"""The client's page under load: requests per second against /healthz on the same server.

Starts the app under gunicorn (one sync worker, production settings: DJANGO_DEBUG=0, a
throwaway secret key, static files collected into a temporary STATIC_ROOT and served by
whitenoise, a seeded temporary SQLite database, the shared cache when Redis is there), makes
one client link with ShareLink.issue, then runs wrk against /healthz and the client's page
in turn, several rounds, and prints the median, min and max requests per second of each and
the ratio. Budget: the page keeps at least 30% of /healthz's requests per second.

    .venv/bin/python bench/client_page.py [--rounds 5] [--duration 5] [--connections 2]
    .venv/bin/python bench/client_page.py --vs ../other-checkout [--rounds 15]

With --vs, the same page is served from this checkout and from another one (an older
commit, say: `git worktree add --detach ../before <commit>`), both at once, each seeded the
same way, and wrk alternates between the two round by round (the order swapped every
round), so both meet the same machine: on a shared, noisy machine this is the comparison
to trust. It prints each one's median and the ratio of medians, and the per-round ratios.

Needs wrk (`apt-get install -y wrk`). The proxy in front of the app is played by the
X-Forwarded-Proto header, so production's HTTPS settings stay as they are.
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import os
import re
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
BUDGET = 0.30
WEIGHT_BUDGET = 50 * 1024
HEADERS = {"X-Forwarded-Proto": "https"}

# Makes the client the bench looks at: the demo client with the most visits, with their
# clinic's booking link and email, so the page shows everything it can.
SEED = """
from django.db.models import Count
from aftercare.models import ShareLink
from clients.models import Client
client = Client.objects.annotate(n=Count("visits")).order_by("-n", "pk").first()
clinic = client.clinic
clinic.booking_url = "https://book.example.com/harbour-lane"
clinic.save()
print("PATH", ShareLink.issue(client))
"""


@dataclass
class App:
    url: str
    page: str
    cache: str
    env: dict
    seeded: str
    log: Path  # gunicorn's and Django's warnings and errors

    def errors_logged(self, lines: int = 40) -> str:
        """The end of the server's log: tracebacks, when a request failed."""
        text = self.log.read_text(errors="replace")
        return "\n".join(text.splitlines()[-lines:])


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def redis_url() -> str | None:
    """The shared cache production uses, when one is running here."""
    url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    host, port = re.match(r"redis://([^:/]+):?(\d*)", url).groups()
    try:
        with socket.create_connection((host, int(port or 6379)), timeout=0.5):
            return url
    except OSError:
        return None


def get(url: str) -> tuple[int, bytes]:
    request = urllib.request.Request(url, headers=HEADERS)
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


@contextlib.contextmanager
def throwaway_database(folder: Path, database_url: str | None) -> Iterator[str]:
    """A SQLite file in the folder or, given a PostgreSQL URL, a new database beside the
    one it names (`<name>_load_<pid>`), dropped afterwards. Such databases left by a run
    that was killed (its process is gone) are dropped first."""
    if not database_url or not database_url.startswith(("postgres://", "postgresql://")):
        yield f"sqlite:///{folder / 'db.sqlite3'}"
        return
    import psycopg
    from psycopg import sql

    address, _, options = database_url.partition("?")
    base, _, name = address.rpartition("/")
    options = f"?{options}" if options else ""
    prefix = f"{name or 'aftercare'}_load_"
    throwaway = f"{prefix}{os.getpid()}"
    admin = f"{base}/postgres{options}"

    def drop(connection, database: str) -> None:
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(database)))

    with psycopg.connect(admin, autocommit=True) as connection:
        for (database,) in connection.execute("SELECT datname FROM pg_database WHERE datname LIKE %s", [prefix + "%"]):
            pid = database.removeprefix(prefix)
            if pid.isdigit() and not Path(f"/proc/{pid}").exists():
                drop(connection, database)
        drop(connection, throwaway)
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(throwaway)))
    try:
        yield f"{base}/{throwaway}{options}"
    finally:
        with psycopg.connect(admin, autocommit=True) as connection:
            drop(connection, throwaway)


@contextlib.contextmanager
def served_app(*, workers: int = 1, use_redis: bool = True, database_url: str | None = None, seed: str = SEED,
               root: Path = ROOT) -> Iterator[App]:
    """The app under gunicorn with production settings and a seeded throwaway database
    (SQLite, or PostgreSQL when database_url names one); everything it made is removed
    afterwards. The seed script prints `PATH <client page>` and whatever else its caller
    reads from App.seeded."""
    folder = Path(tempfile.mkdtemp(prefix="aftercare-bench-"))
    with throwaway_database(folder, database_url) as url, _served(folder, url, workers, use_redis, seed, root) as app:
        yield app


@contextlib.contextmanager
def _served(folder: Path, database_url: str, workers: int, use_redis: bool, seed: str, root: Path) -> Iterator[App]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "aftercare.settings",
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": database_url,
        "STATIC_ROOT": str(folder / "static"),
        "MEDIA_ROOT": str(folder / "media"),
    }
    redis = redis_url() if use_redis else None
    if redis:
        env["REDIS_URL"] = redis
    else:
        env.pop("REDIS_URL", None)
    manage = [str(BIN / "python"), "manage.py"]
    quiet = {"cwd": root, "env": env, "check": True, "stdout": subprocess.DEVNULL}
    server = None
    try:
        subprocess.run([*manage, "migrate", "--no-input"], **quiet)
        subprocess.run([*manage, "collectstatic", "--no-input"], **quiet)
        subprocess.run([*manage, "seed_demo"], **quiet)
        seeded = subprocess.run([*manage, "shell", "-c", seed], cwd=root, env=env, check=True, capture_output=True, text=True)
        page = re.search(r"^PATH (\S+)$", seeded.stdout, re.M).group(1)
        port = free_port()
        log = folder / "gunicorn.log"
        server = subprocess.Popen(
            [str(BIN / "gunicorn"), "aftercare.wsgi", "-w", str(workers), "-b", f"127.0.0.1:{port}",
             "--log-level", "warning", "--access-logfile", os.devnull],
            cwd=root,
            env=env,
            stderr=log.open("w"),
        )
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            with contextlib.suppress(OSError):
                if get(f"{url}/healthz")[0] == 200:
                    break
            if server.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"gunicorn did not answer /healthz; its log ends:\n{log.read_text(errors='replace')[-3000:]}")
            time.sleep(0.1)
        status, body = get(url + page)
        if status != 200:
            raise SystemExit(f"the client page answered {status}")
        yield App(url, page, "Redis " + redis if redis else "local memory", env, seeded.stdout, log)
    finally:
        if server:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
        shutil.rmtree(folder, ignore_errors=True)


def wrk(url: str, duration: int, connections: int) -> float:
    command = ["wrk", "-t1", f"-c{connections}", f"-d{duration}s", url]
    for name, value in HEADERS.items():
        command[1:1] = ["-H", f"{name}: {value}"]
    out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    if "Non-2xx" in out or "Socket errors" in out:
        raise SystemExit(f"wrk saw failures against {url}:\n{out}")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))


def weight(app: App) -> str:
    """What a phone downloads for the page: its HTML and the CSS and JS it links, gzipped
    (the HTML as a proxy in front would send it; the static files as whitenoise does)."""
    html = get(app.url + app.page)[1]
    assets = re.findall(rb'(?:href|src)="(/static/[^"]+\.(?:css|js))"', html)
    sizes = {"HTML": len(gzip.compress(html, 9))}
    for path in assets:
        sizes[path.decode().rsplit("/", 1)[-1]] = len(gzip.compress(get(app.url + path.decode())[1], 9))
    total = sum(sizes.values())
    parts = ", ".join(f"{name} {size / 1024:.1f} KB" for name, size in sizes.items())
    verdict = "PASS" if total < WEIGHT_BUDGET else "MISS"
    return f"{verdict}: the page weighs {total / 1024:.1f} KB gzipped ({parts}; {len(html) / 1024:.1f} KB of HTML before), budget under {WEIGHT_BUDGET // 1024} KB"


def summary(values: list[float]) -> str:
    return f"median {statistics.median(values):8.1f}  min {min(values):8.1f}  max {max(values):8.1f}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="wrk runs against each address (default 5)")
    parser.add_argument("--duration", type=int, default=5, help="seconds of each wrk run (default 5)")
    parser.add_argument("--connections", type=int, default=2, help="wrk connections (default 2)")
    parser.add_argument("--no-redis", action="store_true", help="local-memory cache even if Redis is running")
    parser.add_argument("--vs", type=Path, help="another checkout: serve the page from both and alternate")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        print("wrk is missing: apt-get install -y wrk", file=sys.stderr)
        return 2
    if args.vs:
        return versus(args)
    with served_app(use_redis=not args.no_redis) as app:
        page_url = app.url + app.page
        weighed = weight(app)
        print(f"gunicorn, 1 sync worker, production settings, SQLite, cache: {app.cache}")
        print(f"wrk -t1 -c{args.connections} -d{args.duration}s, {args.rounds} rounds, alternating")
        wrk(f"{app.url}/healthz", 1, args.connections)  # warm up both
        wrk(page_url, 1, args.connections)
        health, page = [], []
        for n in range(args.rounds):
            health.append(wrk(f"{app.url}/healthz", args.duration, args.connections))
            page.append(wrk(page_url, args.duration, args.connections))
            print(f"  round {n + 1}: /healthz {health[-1]:8.1f} req/s   client page {page[-1]:8.1f} req/s", flush=True)
    ratios = [p / h for p, h in zip(page, health)]
    ratio = statistics.median(page) / statistics.median(health)
    print(f"/healthz     req/s  {summary(health)}")
    print(f"client page  req/s  {summary(page)}")
    print(f"page/healthz ratio  {ratio:.2f} (per round: min {min(ratios):.2f}, max {max(ratios):.2f})")
    verdict = "PASS" if ratio >= BUDGET else "MISS"
    print(f"{verdict}: the client page keeps {ratio:.0%} of /healthz's requests per second (budget at least {BUDGET:.0%})")
    print(weighed)
    return 0 if verdict == "PASS" and weighed.startswith("PASS") else 1


def versus(args) -> int:
    """This checkout's page against another checkout's, served at once, wrk alternating."""
    other = args.vs.resolve()
    if not (other / "manage.py").exists():
        print(f"{other} is not a checkout of Aftercare (no manage.py)", file=sys.stderr)
        return 2
    use_redis = not args.no_redis
    with served_app(use_redis=use_redis) as here, served_app(use_redis=use_redis, root=other) as there:
        print(f"gunicorn, 1 sync worker each, production settings, SQLite, cache: {here.cache}")
        print(f"this checkout: {ROOT}\nother checkout: {other}")
        print(f"wrk -t1 -c{args.connections} -d{args.duration}s, {args.rounds} rounds, alternating, order swapped each round")
        urls = {"this": here.url + here.page, "other": there.url + there.page}
        for url in urls.values():
            wrk(url, 1, args.connections)  # warm up both
        rates = {"this": [], "other": []}
        for n in range(args.rounds):
            for name in ("this", "other") if n % 2 == 0 else ("other", "this"):
                rates[name].append(wrk(urls[name], args.duration, args.connections))
            print(f"  round {n + 1}: this {rates['this'][-1]:8.1f} req/s   other {rates['other'][-1]:8.1f} req/s", flush=True)
    ratios = [a / b for a, b in zip(rates["this"], rates["other"])]
    ratio = statistics.median(rates["this"]) / statistics.median(rates["other"])
    print(f"this checkout   req/s  {summary(rates['this'])}")
    print(f"other checkout  req/s  {summary(rates['other'])}")
    print(f"this/other ratio of medians {ratio:.2f} (per round: median {statistics.median(ratios):.2f}, "
          f"min {min(ratios):.2f}, max {max(ratios):.2f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
