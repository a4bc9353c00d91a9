from django.core.management.base import BaseCommand
from django.db import transaction

from exercises.models import Complaint, Condition, Equipment, Exercise, ExerciseComplaint
from exercises.seeding import load_library


class Command(BaseCommand):
    help = (
        "Fill or refresh the built-in exercise library (complaints with their red flags, home equipment, health flags, exercises) "
        "from exercises/library.py. Safe to run again: rows are matched by slug and updated in "
        "place; a clinic's own exercises are never touched, and built-in exercises are never "
        "deleted, because past visits point at them. New databases get the library from a "
        "migration; run this after changing library.py."
    )

    @transaction.atomic
    def handle(self, *args, **options):
        counts = load_library(Complaint, Equipment, Exercise, ExerciseComplaint, Condition)
        self.stdout.write(
            "Library ready: {complaints} complaints, {equipment} kinds of equipment, {conditions} health flags, "
            "{exercises} exercises ({created} new).".format(**counts)
        )
