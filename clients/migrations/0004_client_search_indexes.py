"""Indexes for the client search on PostgreSQL (bench/scale.py).

The search matches the start of a first name, last name or email, whatever the case:
Django writes it as UPPER(column::text) LIKE UPPER('word%'), which no plain index serves,
so with 100,000 clients every search read the whole clinic. These expression indexes,
with text_pattern_ops so a prefix LIKE can use them under any collation, serve it within
the clinic. SQLite's LIKE is case-insensitive already and has no such operator class, so
nothing is made there."""

from django.db import migrations

COLUMNS = ("first_name", "last_name", "email")


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for column in COLUMNS:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS client_search_{column}_idx "
            f"ON clients_client (clinic_id, UPPER({column}::text) text_pattern_ops)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for column in COLUMNS:
        schema_editor.execute(f"DROP INDEX IF EXISTS client_search_{column}_idx")


class Migration(migrations.Migration):
    dependencies = [("clients", "0003_clinic_settings_and_team")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
