"""The client's page, cached, counted in CPU instructions: repeatable whatever else the
machine is doing (wall-clock figures on a shared machine are not; see client_page.py).

For each checkout (this one, and another with --vs DIR, e.g. a `git worktree` of an older
commit) it makes a throwaway SQLite database with the demo clinic, then runs the page's
cached opening N times in one process under `valgrind --tool=callgrind`, and once with no
openings; the difference over N is the cost of one opening (Django's test client, DEBUG
off, local-memory cache, the whole middleware stack). Prints each and the ratio.

    .venv/bin/python bench/client_page_instructions.py [--vs ../before] [--openings 300]

Needs valgrind (`apt-get install -y valgrind`)."""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
from figures import report  # noqa: E402

OPENINGS = """
import os, sys
import django
django.setup()
from django.db.models import Count
from django.test import Client as Browser
from aftercare.models import ShareLink
from clients.models import Client
client = Client.objects.annotate(n=Count("visits")).order_by("-n", "pk").first()
path = ShareLink.issue(client)
browser = Browser()
assert browser.get(path, secure=True).status_code == 200  # the page now in the cache
for _ in range(int(sys.argv[1])):
    assert browser.get(path, secure=True).status_code == 200
"""
SETTINGS = """
from aftercare.settings import *  # noqa
# No collectstatic here: the page's stylesheet by its plain name.
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}  # noqa
"""


def instructions(checkout: Path, folder: Path, openings: int) -> float:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench_settings",
        "PYTHONPATH": f"{folder}:{checkout}",
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "b" * 50,
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DJANGO_ALLOWED_HOSTS": "testserver",
        "DATABASE_URL": f"sqlite:///{folder / 'bench.sqlite3'}",
    }
    env.pop("REDIS_URL", None)
    (folder / "bench_settings.py").write_text(SETTINGS)
    (folder / "openings.py").write_text(OPENINGS)
    for command in (["migrate", "--no-input"], ["seed_demo"]):
        subprocess.run([sys.executable, "manage.py", *command], cwd=checkout, env=env, check=True,
                       stdout=subprocess.DEVNULL)
    counts = []
    for n in (0, openings):
        run = subprocess.run(
            ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", sys.executable,
             str(folder / "openings.py"), str(n)],
            cwd=checkout, env=env, capture_output=True, text=True, check=True,
        )
        counts.append(int(re.search(r"Collected : (\d+)", run.stderr).group(1)))
    return (counts[1] - counts[0]) / openings


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vs", type=Path, help="another checkout to count the same way, in the same run")
    parser.add_argument("--openings", type=int, default=300)
    args = parser.parse_args()
    if not shutil.which("valgrind"):
        print("valgrind is missing: apt-get install -y valgrind", file=sys.stderr)
        return 2
    results = {}
    for name, checkout in [("this checkout", ROOT), *([("--vs " + str(args.vs), args.vs.resolve())] if args.vs else [])]:
        with tempfile.TemporaryDirectory(prefix="aftercare-instructions-") as folder:
            results[name] = instructions(checkout, Path(folder), args.openings)
        print(f"{name:30} {results[name] / 1e6:6.3f} million instructions per cached opening", flush=True)
    report("client page: instructions per cached opening", [results["this checkout"]], unit="instructions")
    if args.vs:
        this, other = results["this checkout"], results["--vs " + str(args.vs)]
        print(f"this checkout / --vs: {this / other:.2f} (below 1: fewer instructions here)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
