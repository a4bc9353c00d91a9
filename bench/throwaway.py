"""The database a bench makes for itself and drops afterwards: SQLite in a temporary
folder, or, when DATABASE_URL names a PostgreSQL server, a database beside the one it
names. `start(name)` points Django at it and sets Django up (the test settings, static
files in the folder); `finish()` drops it and the folder.

    from throwaway import ROOT, start   # bench/ is the script's own folder
    bench = start("jobs")                # before any import of the app's models
    ...
    bench.finish()
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclasses.dataclass
class Throwaway:
    folder: Path
    database: str | None  # the PostgreSQL database made, or None on SQLite

    def admin(self, statement: str) -> None:
        """On the PostgreSQL server's own `postgres` database: to make or drop this one."""
        import psycopg

        with psycopg.connect(f"{os.environ['DATABASE_URL'].rpartition('/')[0]}/postgres", autocommit=True) as server:
            server.execute(statement)

    def finish(self) -> None:
        from django.db import connections

        connections.close_all()
        if self.database:
            self.admin(f"DROP DATABASE IF EXISTS {self.database} WITH (FORCE)")
        shutil.rmtree(self.folder, ignore_errors=True)


def start(name: str) -> Throwaway:
    sys.path.insert(0, str(ROOT))
    folder = Path(tempfile.mkdtemp(prefix=f"aftercare-bench-{name}-"))
    os.environ["DJANGO_SETTINGS_MODULE"] = "aftercare.settings_test"
    os.environ["STATIC_ROOT"] = str(folder / "static")
    server = os.environ.get("DATABASE_URL", "")
    if server.startswith(("postgres://", "postgresql://")):
        database = f"aftercare_bench_{name}_{os.getpid()}"
        os.environ["DATABASE_URL"] = f"{server.partition('?')[0].rpartition('/')[0]}/{database}"
    else:
        database = None
        os.environ["DATABASE_URL"] = f"sqlite:///{folder / 'bench.sqlite3'}"
    bench = Throwaway(folder, database)
    if database:
        bench.admin(f"CREATE DATABASE {database}")

    import django

    django.setup()
    return bench
