import datetime
import itertools
import time

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from aftercare.models import HomeworkItem, Visit
from clients.models import Client, Clinic, Therapist
from exercises.models import Exercise

FIRST_NAMES = (
    "Maya Tom Aroha Sam Priya Liam Chloe Noah Ava Oliver Mia Leo Zara Finn Isla Ravi Grace Omar Ella Jack "
    "Nia Hugo Ruby Kai Lucy Theo Amara Felix Ivy Arjun Hannah Mateo Freya Yusuf Rosa Ben Tala Eli Nora Dev"
).split()
LAST_NAMES = (
    "Lindqvist Okafor Nguyen Patel Murphy Rossi Kowalski Haddad Silva Tanaka Brennan Moreau Schmidt Novak Ortiz "
    "Walsh Ahmed Jensen Costa Fischer Kaur Dubois Mendes Larsen Ng Sato Quinn Reyes Berg Ali Hughes Ivanova Park "
    "Romero Evans Bakker Cohen Duarte Farah Gallo"
).split()
NOTES = ("Gently on the right.", "Any doorway at work counts.", "", "Before your run, not after.", "")


class Command(BaseCommand):
    help = (
        "Make a clinic with many clients and homework items, to measure how pages hold up as a clinic "
        "grows (bench/scale.py). Each client gets visits of two homework items each (so --items / 2 "
        "visits in all), spread over the last two years, and a login '<clinic-slug>' (password "
        "'scale-data') owns the clinic. Idempotent: a clinic of that name that is already there is "
        "left as it is. Rows go in with bulk inserts in batches, so 100,000 clients and 1,000,000 "
        "items take a few minutes on PostgreSQL."
    )

    def add_arguments(self, parser):
        parser.add_argument("--clients", type=int, default=100_000)
        parser.add_argument("--items", type=int, default=1_000_000, help="homework items in all (two per visit)")
        parser.add_argument("--clinic", default="Scale Clinic", help="the clinic's name (default 'Scale Clinic')")
        parser.add_argument("--batch", type=int, default=5000)

    def handle(self, *args, clients: int, items: int, clinic: str, batch: int, **options):
        if clients < 1 or items < 0:
            raise CommandError("Give at least one client, and zero or more items.")
        existing = Clinic.objects.filter(name=clinic).first()
        if existing:
            self.stdout.write(
                f"{clinic} is already there: {Client.objects.filter(clinic=existing).count()} clients, "
                f"{HomeworkItem.objects.filter(visit__client__clinic=existing).count()} homework items. Left as it is."
            )
            return
        started = time.perf_counter()
        library = list(Exercise.objects.filter(clinic=None, retired=False).order_by("pk").only("pk", *Exercise.DOSE_FIELDS))
        if len(library) < 2:
            raise CommandError("The built-in library is missing: run manage.py migrate (or seed_library) first.")
        with transaction.atomic():
            place = Clinic.objects.create(name=clinic)
            username = "scale-" + "".join(c if c.isalnum() else "-" for c in clinic.lower())
            user = get_user_model().objects.create_user(username[:150], password="scale-data", first_name="Scale")
            therapist = Therapist.objects.create(user=user, clinic=place, is_owner=True)
        self._clients(place, clients, batch)
        client_ids = list(Client.objects.filter(clinic=place).order_by("pk").values_list("pk", flat=True))
        visits = items // 2
        self._visits(client_ids, therapist, visits, batch)
        self._items(place, library, batch)
        self.stdout.write(
            f"Made {clinic}: {len(client_ids)} clients, {visits} visits, {visits * 2} homework items "
            f"in {time.perf_counter() - started:.0f} s; log in as {user.username} / scale-data."
        )

    @staticmethod
    def _batches(rows, size):
        iterator = iter(rows)
        while chunk := list(itertools.islice(iterator, size)):
            yield chunk

    def _clients(self, clinic, count, batch):
        names = itertools.product(LAST_NAMES, FIRST_NAMES)  # every pairing before any repeats
        rows = (
            Client(clinic=clinic, first_name=first, last_name=last, email=f"{first}.{last}.{n}@example.com".lower())
            for n, (last, first) in zip(range(count), itertools.cycle(names))
        )
        for chunk in self._batches(rows, batch):
            with transaction.atomic():
                Client.objects.bulk_create(chunk)

    def _visits(self, client_ids, therapist, count, batch):
        today = timezone.localdate()
        rows = (
            Visit(
                client_id=client_ids[n % len(client_ids)],
                therapist=therapist,
                date=today - datetime.timedelta(days=(n * 7 + n // len(client_ids) * 29) % 730),
                next_goal="Turn the head without the pull.",
                rebook_weeks=3,
            )
            for n in range(count)
        )
        for chunk in self._batches(rows, batch):
            with transaction.atomic():
                Visit.objects.bulk_create(chunk)

    def _items(self, clinic, library, batch):
        visit_ids = Visit.objects.filter(client__clinic=clinic).order_by("pk").values_list("pk", flat=True)
        rows = (
            HomeworkItem(
                visit_id=visit_id,
                exercise_id=exercise.pk,
                slot=slot,
                note=NOTES[(n + slot) % len(NOTES)],
                **exercise.dose(),
            )
            for n, visit_id in enumerate(list(visit_ids))
            for slot, exercise in ((1, library[n % len(library)]), (2, library[(n + 1) % len(library)]))
        )
        for chunk in self._batches(rows, batch * 2):
            with transaction.atomic():
                HomeworkItem.objects.bulk_create(chunk)
