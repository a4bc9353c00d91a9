"""Loads the built-in library (exercises/library.py) into the database.

Shared by the `seed_library` command and the data migrations that give every new
database the library, so both always agree. It takes the model classes as arguments
because a migration must pass its historical models; fields and models a migration's
historical state doesn't have yet are skipped (a later migration loads them)."""

from exercises import library

EXERCISE_FIELDS = (
    "name", "kind", "body_area", "how_often", "times_per_week", "sets", "reps",
    "hold_seconds", "minutes", "why", "cautions", "illustration",
    "side", "position", "off_floor", "feel", "mistake", "quick",
)


def load_library(Complaint, Equipment, Exercise, ExerciseComplaint, Condition=None) -> dict:
    """Create or update every built-in row by slug; never deletes an exercise, because past
    visits point at it (so every homework item keeps pointing at the same exercise). Returns
    counts of what it saw and created."""
    complaint_fields = {field.name for field in Complaint._meta.get_fields()}
    builtin = {"clinic": None} if "clinic" in complaint_fields else {}
    complaints = {}
    for row in library.COMPLAINTS:
        defaults = {"name": row["name"], "body_area": row["body_area"], "description": row["description"]}
        if "red_flags" in complaint_fields:
            defaults["red_flags"] = "\n".join(library.RED_FLAGS.get(row["slug"], ()))
        complaints[row["slug"]] = Complaint.objects.update_or_create(slug=row["slug"], **builtin, defaults=defaults)[0]
    equipment = {
        row["slug"]: Equipment.objects.update_or_create(
            slug=row["slug"], defaults={"name": row["name"], "everyday": row["everyday"]}
        )[0]
        for row in library.EQUIPMENT
    }
    conditions = {}
    if Condition is not None:
        conditions = {
            row["slug"]: Condition.objects.update_or_create(
                slug=row["slug"], defaults={"name": row["name"], "why": row["why"], "position": position}
            )[0]
            for position, row in enumerate(library.CONDITIONS)
        }
    known = {field.name for field in Exercise._meta.get_fields()}
    created = 0
    by_slug = {}
    for row in library.EXERCISES:
        defaults = {name: row[name] for name in EXERCISE_FIELDS if name in known}
        defaults["steps"] = "\n".join(row["steps"])
        exercise, was_created = Exercise.objects.update_or_create(clinic=None, slug=row["slug"], defaults=defaults)
        by_slug[row["slug"]] = exercise
        created += was_created
        exercise.equipment.set([equipment[slug] for slug in row["equipment"]])
        if conditions and "not_for" in known:
            exercise.not_for.set([conditions[slug] for slug in row["not_for"]])
        ranks = dict(row["complaints"])
        ExerciseComplaint.objects.filter(exercise=exercise).exclude(complaint__slug__in=ranks).delete()
        for slug, rank in ranks.items():
            ExerciseComplaint.objects.update_or_create(
                exercise=exercise, complaint=complaints[slug], defaults={"rank": rank}
            )
    if "easier" in known:  # versions link to each other, so once every exercise is there
        for row in library.EXERCISES:
            exercise = by_slug[row["slug"]]
            easier, harder = by_slug.get(row.get("easier")), by_slug.get(row.get("harder"))
            if (exercise.easier_id, exercise.harder_id) != (getattr(easier, "pk", None), getattr(harder, "pk", None)):
                exercise.easier, exercise.harder = easier, harder
                exercise.save(update_fields=["easier", "harder"])
    return {
        "complaints": len(complaints),
        "equipment": len(equipment),
        "conditions": len(conditions),
        "exercises": len(library.EXERCISES),
        "created": created,
    }
