import datetime

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from aftercare.models import Visit
from clients.models import Client, Clinic, Therapist
from exercises.models import Complaint, Condition, Equipment, Exercise

DEMO_CLINIC = "Harbour Lane Massage"
DEMO_PASSWORD = "aftercare-demo"
THERAPISTS = [
    # username, first, last, owner
    ("demo", "Robin", "Hale", True),
    ("jo", "Jo", "Okafor", False),
]
# first, last, email, at home (None: not asked yet; []: nothing at home; else what they have
# beside the everyday things), health flags, [(weeks ago, complaints, [exercise slugs])];
# two visits are today's, so "Today's visits" has a stack to print.
CLIENTS = [
    ("Maya", "Lindqvist", "maya@example.com", ["tennis-ball"], [],
     [(2, ["headaches", "neck-shoulder-knots"], ["tennis-ball-suboccipital-release"]),
      (0, ["headaches", "rounded-desk-shoulders"], ["tennis-ball-suboccipital-release", "doorway-pec-stretch"])]),
    ("Dev", "Patel", "dev@example.com", ["foam-roller"], [],
     [(4, ["runners-calves"], ["calf-rolling-foam-roller"]), (1, ["runners-calves", "it-band"], ["calf-rolling-foam-roller"])]),
    ("Ruth", "Okonjo", "", None, [], [(3, ["stubborn-piriformis", "lower-back-tightness"], ["psoas-release"])]),
    ("Tomás", "Reyes", "tomas@example.com", ["resistance-band"], [],
     [(0, ["rounded-desk-shoulders", "between-shoulder-blades"], ["doorway-pec-stretch", "wall-angels"])]),
    ("Aiko", "Brennan", "", [], ["pregnancy"], [(5, ["stress-sleep", "pregnancy-back-hip"], [])]),
    ("Lou", "", "", None, ["joint-replacement"], []),
]


class Command(BaseCommand):
    help = (
        f"Make the demo clinic ({DEMO_CLINIC}) with two therapist logins "
        f"({', '.join(t[0] for t in THERAPISTS)}; password {DEMO_PASSWORD}) and a handful of clients "
        "with visits and homework. Fills the built-in library first. Safe to run again: "
        "what exists is kept, and passwords are set back to the demo one."
    )

    @transaction.atomic
    def handle(self, *args, **options):
        call_command("seed_library", stdout=self.stdout)
        clinic, _ = Clinic.objects.get_or_create(
            name=DEMO_CLINIC,
            defaults={"phone": "01632 960 123", "email": "hello@harbourlane.example", "address": "12 Harbour Lane"},
        )
        User = get_user_model()
        therapists = []
        for username, first, last, owner in THERAPISTS:
            user, _ = User.objects.get_or_create(
                username=username, defaults={"first_name": first, "last_name": last}
            )
            user.set_password(DEMO_PASSWORD)
            user.save()
            therapist, _ = Therapist.objects.update_or_create(
                user=user, defaults={"clinic": clinic, "is_owner": owner}
            )
            therapists.append(therapist)
        today = timezone.localdate()
        for first, last, email, at_home, flags, visits in CLIENTS:
            client, created = Client.objects.get_or_create(
                clinic=clinic, first_name=first, last_name=last, defaults={"email": email}
            )
            if not created:
                continue
            if at_home is not None:
                client.record_equipment(Equipment.objects.filter(Q(slug__in=at_home) | Q(everyday=True)))
            client.conditions.set(Condition.objects.filter(slug__in=flags))
            for weeks_ago, complaint_slugs, exercise_slugs in visits:
                visit = Visit.objects.create(
                    client=client,
                    therapist=therapists[weeks_ago % len(therapists)],
                    date=today - datetime.timedelta(weeks=weeks_ago),
                    next_goal="Easier to turn the head when driving" if "headaches" in complaint_slugs else "",
                    rebook_weeks=2,
                )
                visit.complaints.set(Complaint.objects.filter(slug__in=complaint_slugs))
                for slug in exercise_slugs:
                    visit.assign(Exercise.objects.get(clinic=None, slug=slug), note="Little and often is plenty.")
        self.stdout.write(
            f"Demo ready: log in as '{THERAPISTS[0][0]}' with password '{DEMO_PASSWORD}' "
            f"({clinic.clients.count()} clients)."
        )
