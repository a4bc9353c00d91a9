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
    known = {field.name for field in Exercise._meta.get_fields()}
    if _empty(Complaint, Equipment, Exercise, Condition, builtin):
        return _load_into_empty(Complaint, Equipment, Exercise, ExerciseComplaint, Condition, complaint_fields, known)
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


def _empty(Complaint, Equipment, Exercise, Condition, builtin) -> bool:
    """No built-in row of any kind yet: a new database, or a test's emptied one."""
    tables = [Complaint.objects.filter(**builtin), Equipment.objects.all(), Exercise.objects.filter(clinic=None)]
    if Condition is not None:
        tables.append(Condition.objects.all())
    return not any(table.exists() for table in tables)


def _load_into_empty(Complaint, Equipment, Exercise, ExerciseComplaint, Condition, complaint_fields, known) -> dict:
    """The same rows load_library makes, written in a few bulk inserts instead of one
    update_or_create each (about 3,000 queries): there is nothing to update or keep."""
    builtin = {"clinic": None} if "clinic" in complaint_fields else {}
    complaints = []
    for row in library.COMPLAINTS:
        fields = {"name": row["name"], "body_area": row["body_area"], "description": row["description"]}
        if "red_flags" in complaint_fields:
            fields["red_flags"] = "\n".join(library.RED_FLAGS.get(row["slug"], ()))
        complaints.append(Complaint(slug=row["slug"], **builtin, **fields))
    complaints = {c.slug: c for c in Complaint.objects.bulk_create(complaints)}
    equipment = Equipment.objects.bulk_create(
        [Equipment(slug=row["slug"], name=row["name"], everyday=row["everyday"]) for row in library.EQUIPMENT]
    )
    equipment = {e.slug: e for e in equipment}
    conditions = {}
    if Condition is not None:
        made = Condition.objects.bulk_create(
            [Condition(slug=row["slug"], name=row["name"], why=row["why"], position=position)
             for position, row in enumerate(library.CONDITIONS)]
        )
        conditions = {c.slug: c for c in made}
    exercises = []
    for row in library.EXERCISES:
        fields = {name: row[name] for name in EXERCISE_FIELDS if name in known}
        fields["steps"] = "\n".join(row["steps"])
        exercises.append(Exercise(clinic=None, slug=row["slug"], **fields))
    by_slug = {e.slug: e for e in Exercise.objects.bulk_create(exercises)}
    Needs = Exercise.equipment.through
    Needs.objects.bulk_create(
        [Needs(exercise_id=by_slug[row["slug"]].pk, equipment_id=equipment[slug].pk)
         for row in library.EXERCISES for slug in row["equipment"]]
    )
    if conditions and "not_for" in known:
        NotFor = Exercise.not_for.through
        NotFor.objects.bulk_create(
            [NotFor(exercise_id=by_slug[row["slug"]].pk, condition_id=conditions[slug].pk)
             for row in library.EXERCISES for slug in row["not_for"]]
        )
    ExerciseComplaint.objects.bulk_create(
        [ExerciseComplaint(exercise=by_slug[row["slug"]], complaint=complaints[slug], rank=rank)
         for row in library.EXERCISES for slug, rank in dict(row["complaints"]).items()]
    )
    if "easier" in known:
        linked = []
        for row in library.EXERCISES:
            easier, harder = by_slug.get(row.get("easier")), by_slug.get(row.get("harder"))
            if easier or harder:
                exercise = by_slug[row["slug"]]
                exercise.easier, exercise.harder = easier, harder
                linked.append(exercise)
        Exercise.objects.bulk_update(linked, ["easier", "harder"])
    return {
        "complaints": len(complaints),
        "equipment": len(equipment),
        "conditions": len(conditions),
        "exercises": len(library.EXERCISES),
        "created": len(by_slug),
    }
