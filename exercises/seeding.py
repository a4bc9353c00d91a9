"""Loads the built-in library (exercises/library.py) into the database.

Shared by the `seed_library` command and the data migration that gives every new
database the library, so both always agree. It takes the model classes as arguments
because a migration must pass its historical models."""

from exercises import library

EXERCISE_FIELDS = (
    "name", "kind", "body_area", "how_often", "times_per_week", "sets", "reps",
    "hold_seconds", "minutes", "why", "cautions", "illustration",
)


def load_library(Complaint, Equipment, Exercise, ExerciseComplaint) -> dict:
    """Create or update every built-in row by slug; never deletes an exercise, because past
    visits point at it. Returns counts of what it saw and created."""
    complaints = {
        row["slug"]: Complaint.objects.update_or_create(
            slug=row["slug"],
            defaults={"name": row["name"], "body_area": row["body_area"], "description": row["description"]},
        )[0]
        for row in library.COMPLAINTS
    }
    equipment = {
        row["slug"]: Equipment.objects.update_or_create(
            slug=row["slug"], defaults={"name": row["name"], "everyday": row["everyday"]}
        )[0]
        for row in library.EQUIPMENT
    }
    known = {field.name for field in Exercise._meta.get_fields()}
    created = 0
    for row in library.EXERCISES:
        defaults = {name: row[name] for name in EXERCISE_FIELDS if name in known}
        defaults["steps"] = "\n".join(row["steps"])
        exercise, was_created = Exercise.objects.update_or_create(clinic=None, slug=row["slug"], defaults=defaults)
        created += was_created
        exercise.equipment.set([equipment[slug] for slug in row["equipment"]])
        ranks = dict(row["complaints"])
        ExerciseComplaint.objects.filter(exercise=exercise).exclude(complaint__slug__in=ranks).delete()
        for slug, rank in ranks.items():
            ExerciseComplaint.objects.update_or_create(
                exercise=exercise, complaint=complaints[slug], defaults={"rank": rank}
            )
    return {
        "complaints": len(complaints),
        "equipment": len(equipment),
        "exercises": len(library.EXERCISES),
        "created": created,
    }
