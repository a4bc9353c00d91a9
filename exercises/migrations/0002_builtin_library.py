from django.db import migrations


def load(apps, schema_editor):
    from exercises.seeding import load_library

    load_library(
        apps.get_model("exercises", "Complaint"),
        apps.get_model("exercises", "Equipment"),
        apps.get_model("exercises", "Exercise"),
        apps.get_model("exercises", "ExerciseComplaint"),
    )


class Migration(migrations.Migration):
    dependencies = [("exercises", "0001_initial")]

    # Reversing leaves the rows: they are removed with the tables by 0001's reversal.
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
