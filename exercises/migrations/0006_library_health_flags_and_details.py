from django.db import migrations


def load(apps, schema_editor):
    from exercises.seeding import load_library

    # Matches built-in rows by slug and never deletes one: every homework item keeps
    # pointing at the same exercise.
    load_library(
        apps.get_model("exercises", "Complaint"),
        apps.get_model("exercises", "Equipment"),
        apps.get_model("exercises", "Exercise"),
        apps.get_model("exercises", "ExerciseComplaint"),
        apps.get_model("exercises", "Condition"),
    )


class Migration(migrations.Migration):
    dependencies = [("exercises", "0005_health_flags_red_flags_and_exercise_details")]

    # Reversing leaves the rows: 0005's reversal removes the new columns and tables.
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
